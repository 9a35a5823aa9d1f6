import http from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import { credentialsOf, hostMatcher, secretMatcher } from './http-access.js';

/**
 * Every metric of the fleet, registered once per process. No label carries a batch, essay or
 * file id: label values come from small fixed sets (error codes, queue names, statuses).
 */
export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const metrics = {
    registry,
    validationFailed: new client.Counter({
      name: 'essay_validation_failed_total',
      help: 'Files that ended with a content error, by error code.',
      labelNames: ['error_code'] as const,
      registers: [registry],
    }),
    batchCompletion: new client.Histogram({
      name: 'batch_completion_seconds',
      help: 'Seconds from batch registration to ready or timed out.',
      labelNames: ['status'] as const,
      buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600],
      registers: [registry],
    }),
    dlqMessages: new client.Counter({
      name: 'dlq_messages_total',
      help: 'Jobs that ran out of attempts and were dead-lettered, by source queue.',
      labelNames: ['queue'] as const,
      registers: [registry],
    }),
    jobs: new client.Counter({
      name: 'jobs_total',
      help: 'Jobs finished by this process, by queue and status (completed, failed).',
      labelNames: ['queue', 'status'] as const,
      registers: [registry],
    }),
    jobDuration: new client.Histogram({
      name: 'job_duration_seconds',
      help: 'Processing time of jobs by queue.',
      labelNames: ['queue'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers: [registry],
    }),
    webhookDeliveries: new client.Counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome: delivered (2xx), failed (another answer, a timeout or no connection; retried), dropped (its endpoint is no longer configured).',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    webhookLatency: new client.Histogram({
      name: 'webhook_delivery_latency_seconds',
      help: "Seconds from an event's publication to its delivery to an endpoint, retries included.",
      buckets: [0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 3600, 6 * 3600, 24 * 3600],
      registers: [registry],
    }),
    uploadBytes: new client.Counter({
      name: 'upload_bytes_total',
      help: 'Bytes of files received by the upload endpoint.',
      registers: [registry],
    }),
    httpDuration: new client.Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request durations by method, route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * A worker process's own /metrics endpoint (the web process serves /metrics with its API), with
 * the web's rules: only the allowed Host names (else 421), and the bearer token when one is set.
 */
export async function serveMetrics(
  metrics: Metrics,
  host: string,
  port: number,
  access: { token?: string; allowedHosts?: string[] | null } = {},
): Promise<{ port: number; close(): Promise<void> }> {
  const allows = hostMatcher(access.allowedHosts ?? null);
  const matches = access.token ? secretMatcher([access.token]) : null;
  const server = http.createServer((req, res) => {
    if (!allows(req.headers.host)) {
      res.writeHead(421).end();
      return;
    }
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const given = credentialsOf(req.headers.authorization, 'Bearer');
    if (matches && !(given !== null && matches(given))) {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="essay intake metrics"' }).end();
      return;
    }
    metrics.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
