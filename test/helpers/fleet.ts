import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { createContext, type FleetContext } from '../../src/queues/context.js';
import { registerQueueGauges } from '../../src/queues/queue-metrics.js';
import { queueNames, QueueName, type QueueName as Q } from '../../src/queues/names.js';
import { loadConfig, type Config } from '../../src/shared/config.js';
import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, silentLogger } from '../../src/shared/logger.js';
import { allowedHostsOf } from '../../src/shared/http-access.js';
import { serveMetrics } from '../../src/shared/metrics.js';
import { runWorkers, type RunningWorkers } from '../../src/workers/run.js';

export interface TestFleet {
  url: string;
  /** The in-process workers' /metrics, as a worker process serves it. */
  workersMetricsUrl: string;
  /** Log lines (JSON) of web and workers, when started with `captureLogs`. */
  logs: Record<string, unknown>[];
  config: Config;
  web: FleetContext;
  workers: FleetContext;
  stop(): Promise<void>;
}

/** A config on a fresh key prefix and data directory, so suites sharing a Redis never meet. */
export function testConfig(redisUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}`,
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-data-')),
    JOB_BACKOFF_MS: '50',
    ...env,
  });
}

/** The web process and workers for every queue, in this process, on a real HTTP port. */
export async function startFleet(
  redisUrl: string,
  env: Record<string, string> = {},
  queues: Q[] = queueNames.filter((q) => q !== QueueName.dlq),
  opts: { captureLogs?: boolean } = {},
): Promise<TestFleet> {
  const config = testConfig(redisUrl, env);
  const logs: Record<string, unknown>[] = [];
  // FLEET_TEST_LOG=debug shows the fleet's own log lines while a test runs
  const level = process.env.FLEET_TEST_LOG;
  const logger = opts.captureLogs
    ? winston.createLogger({
        level: 'http',
        format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
        transports: [
          new winston.transports.Stream({
            stream: new Writable({
              write(chunk: Buffer, _enc, done) {
                for (const line of chunk.toString().split('\n').filter(Boolean))
                  logs.push(JSON.parse(line));
                done();
              },
            }),
          }),
        ],
      })
    : level
      ? createLogger({ level, json: true, service: 'test-fleet' })
      : silentLogger();
  const web = await createContext(config, { role: 'producer', logger, source: 'web' });
  const workers = await createContext(config, { role: 'worker', logger, source: 'test-workers' });
  const running: RunningWorkers = await runWorkers(workers, queues);
  registerQueueGauges(web.metrics, web.queue);
  const server: RunningServer = await startServer(web, '127.0.0.1', 0);
  // as bin/worker.ts serves it
  const metrics = await serveMetrics(workers.metrics, '127.0.0.1', 0, {
    token: config.METRICS_TOKEN,
    allowedHosts: allowedHostsOf(config),
  });
  return {
    url: server.url,
    workersMetricsUrl: `http://127.0.0.1:${metrics.port}/metrics`,
    logs,
    config,
    web,
    workers,
    async stop() {
      await server.close(1000);
      await metrics.close();
      await running.close(5000);
      await workers.close();
      await web.close();
      fs.rmSync(config.DATA_DIR, { recursive: true, force: true });
    },
  };
}
