#!/usr/bin/env node
// A worker process: `--queues` takes queue names or Procfile roles (extractor, lifecycle, spellcheck).
import { parseArgs } from 'node:util';
import { createContext } from '../src/queues/context.js';
import { resolveQueues } from '../src/queues/names.js';
import { allowedHostsOf } from '../src/shared/http-access.js';
import { createLogger } from '../src/shared/logger.js';
import { serveMetrics } from '../src/shared/metrics.js';
import { runWorkers } from '../src/workers/run.js';
import {
  bootConfig,
  exitOnStartupError,
  onShutdown,
  prepareDataDir,
  reportReady,
  requireRedisUrl,
} from './lib/boot.js';

const { values } = parseArgs({ options: { queues: { type: 'string' } } });
if (!values.queues) {
  console.error(
    'usage: worker --queues <role|queue>[,<role|queue>…]  (roles: extractor, lifecycle, spellcheck)',
  );
  process.exit(1);
}
let queues;
try {
  queues = resolveQueues(
    values.queues
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
} catch (err) {
  exitOnStartupError(err);
}
const config = bootConfig();
requireRedisUrl(config, 'worker');
const logger = createLogger({
  level: config.LOG_LEVEL,
  json: config.LOG_JSON,
  service: `worker:${values.queues}`,
});
if (config.BLOB_STORE === 'fs') prepareDataDir(config, logger);
const ctx = await createContext(config, { role: 'worker', logger, source: values.queues }).catch(
  exitOnStartupError,
);
const running = await runWorkers(ctx, queues).catch(exitOnStartupError);
const metrics = config.METRICS_PORT
  ? await serveMetrics(ctx.metrics, config.HOST, config.METRICS_PORT, {
      token: config.METRICS_TOKEN,
      allowedHosts: allowedHostsOf(config),
    }).catch(exitOnStartupError)
  : null;
const metricsHost = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
logger.info(
  `consuming ${queues.join(', ')}${metrics ? `; metrics on ${config.HOST}:${metrics.port}/metrics` : ''}`,
  {
    status: 'started',
  },
);
reportReady(metrics ? { url: `http://${metricsHost}:${metrics.port}/metrics` } : {});
onShutdown(logger, async () => {
  await metrics?.close();
  await running.close(config.SHUTDOWN_TIMEOUT_MS);
  await ctx.close();
});
