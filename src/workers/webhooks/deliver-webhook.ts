import type { WebhookJob } from '../../queues/jobs.js';
import type { Logger } from '../../shared/logger.js';
import type { Metrics } from '../../shared/metrics.js';
import { SIGNATURE_HEADER, signatureHeader, type WebhookEndpoint } from '../../shared/webhooks.js';

export const WebhookFailure = {
  /** The receiver answered, but not with a 2xx (a redirect included: it is not followed). */
  WEBHOOK_REFUSED: 'WEBHOOK_REFUSED',
  WEBHOOK_TIMEOUT: 'WEBHOOK_TIMEOUT',
  /** No answer at all: the name did not resolve, the connection was refused or broke. */
  WEBHOOK_UNREACHABLE: 'WEBHOOK_UNREACHABLE',
} as const;
export type WebhookFailure = (typeof WebhookFailure)[keyof typeof WebhookFailure];

/** A delivery attempt that failed: thrown, so the job retries and, in the end, dead-letters. */
export class WebhookDeliveryError extends Error {
  readonly retryable = true;
  constructor(
    readonly code: WebhookFailure,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'WebhookDeliveryError';
  }
}

export interface WebhookDeps {
  endpoints: ReadonlyMap<string, WebhookEndpoint>;
  timeoutMs: number;
  metrics: Metrics;
  log: Logger;
  now?: () => number;
}

/**
 * Delivers one event to one endpoint: POST of the envelope as JSON, signed over `t.body`. Any
 * answer but a 2xx is a failure to retry; redirects are not followed (a signed body goes only
 * where the operator said). An endpoint no longer configured drops the job: nobody is left to
 * deliver to, and the operator's removal is the decision.
 */
export async function deliverWebhook(job: WebhookJob, deps: WebhookDeps): Promise<unknown> {
  const endpoint = deps.endpoints.get(job.endpoint);
  if (!endpoint) {
    deps.metrics.webhookDeliveries.inc({ status: 'dropped' });
    deps.log.warn(`webhook endpoint ${job.endpoint_url} is no longer configured: dropped`, {
      status: 'dropped',
    });
    return { status: 'dropped' };
  }
  const now = deps.now ?? Date.now;
  const body = JSON.stringify(job.event);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'essay-intake-webhooks/1',
    'essay-event-id': job.event.event_id,
    'essay-event-type': job.event.event_type,
    [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(
      endpoint.secret,
      Math.floor(now() / 1000),
      body,
    ),
  };
  let status: number;
  try {
    const res = await fetch(endpoint.url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs),
    });
    status = res.status;
    if (status < 200 || status >= 300) {
      const said = await firstBytes(res, 200);
      throw new WebhookDeliveryError(
        WebhookFailure.WEBHOOK_REFUSED,
        `${endpoint.url} answered ${status}${said ? `: ${said}` : ''}`,
      );
    }
    await res.body?.cancel();
  } catch (err) {
    deps.metrics.webhookDeliveries.inc({ status: 'failed' });
    if (err instanceof WebhookDeliveryError) throw err;
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new WebhookDeliveryError(
        WebhookFailure.WEBHOOK_TIMEOUT,
        `${endpoint.url} did not answer within ${deps.timeoutMs} ms`,
      );
    throw new WebhookDeliveryError(
      WebhookFailure.WEBHOOK_UNREACHABLE,
      `${endpoint.url}: ${e.cause?.code ?? e.cause?.message ?? e.message}`,
    );
  }
  deps.metrics.webhookDeliveries.inc({ status: 'delivered' });
  const published = Date.parse(job.event.event_timestamp);
  if (Number.isFinite(published))
    deps.metrics.webhookLatency.observe(Math.max(0, (now() - published) / 1000));
  return { status: 'delivered', http_status: status };
}

/** The start of an answer's body for the failure's reason: read no further than `max` bytes. */
async function firstBytes(res: Response, max: number): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // a body that breaks off: the status says enough
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks)
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD+$/, '')
    .trim();
}
