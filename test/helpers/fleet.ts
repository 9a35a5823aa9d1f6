import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, type RunningServer } from '../../src/api/server.js';
import { createContext, type FleetContext } from '../../src/queues/context.js';
import { queueNames, QueueName, type QueueName as Q } from '../../src/queues/names.js';
import { loadConfig, type Config } from '../../src/shared/config.js';
import { createLogger, silentLogger } from '../../src/shared/logger.js';
import { runWorkers, type RunningWorkers } from '../../src/workers/run.js';

export interface TestFleet {
  url: string;
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
): Promise<TestFleet> {
  const config = testConfig(redisUrl, env);
  // FLEET_TEST_LOG=debug shows the fleet's own log lines while a test runs
  const level = process.env.FLEET_TEST_LOG;
  const logger = level
    ? createLogger({ level, json: true, service: 'test-fleet' })
    : silentLogger();
  const web = await createContext(config, { role: 'producer', logger, source: 'web' });
  const workers = await createContext(config, { role: 'worker', logger, source: 'test-workers' });
  const running: RunningWorkers = await runWorkers(workers, queues);
  const server: RunningServer = await startServer(web, '127.0.0.1', 0);
  return {
    url: server.url,
    config,
    web,
    workers,
    async stop() {
      await server.close(1000);
      await running.close(5000);
      await workers.close();
      await web.close();
      fs.rmSync(config.DATA_DIR, { recursive: true, force: true });
    },
  };
}
