#!/usr/bin/env node
// `npm start`: the whole fleet on one machine. Starts a private Redis when REDIS_URL is unset,
// then the web process and one worker process per Procfile role, restarting any that dies.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { authMode } from '../src/api/middleware/auth.js';
import { createLogger } from '../src/shared/logger.js';
import {
  ensureRedisServer,
  startRedisServer,
  stopChild,
  type PrivateRedis,
} from '../src/shared/redis-server.js';
import { bootConfig, exitOnStartupError } from './lib/boot.js';

const config = bootConfig();
try {
  authMode(config); // refuse a public HOST without tokens before starting anything
} catch (err) {
  exitOnStartupError(err);
}
const logger = createLogger({ level: config.LOG_LEVEL, json: config.LOG_JSON, service: 'start' });
const here = path.dirname(fileURLToPath(import.meta.url));
const ext = path.extname(fileURLToPath(import.meta.url));

let privateRedis: PrivateRedis | null = null;
let redisUrl = config.REDIS_URL;
const children = new Map<string, ChildProcess>();
let stopping = false;
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());

if (!redisUrl && !config.REDIS_CLUSTER_NODES.length) {
  try {
    ensureRedisServer((m) => logger.info(m));
    privateRedis = await startRedisServer({
      dir: path.join(config.DATA_DIR, 'redis'),
      appendOnly: true,
    });
  } catch (err) {
    exitOnStartupError(err);
  }
  redisUrl = privateRedis.url;
  privateRedis.process.once('exit', (code, signal) => {
    if (stopping) return;
    logger.error(`the private redis-server exited (${code ?? signal}); stopping the fleet`);
    privateRedis = null;
    void shutdown(1);
  });
  logger.info(`private Redis on ${redisUrl} (data in ${path.join(config.DATA_DIR, 'redis')})`);
}

/** The Procfile entries, run here as child processes; each worker serves /metrics on the next port. */
const metricsPort: Record<string, number> = {
  extractor: config.PORT + 1,
  lifecycle: config.PORT + 2,
  spellcheck: config.PORT + 3,
};
const entries: Record<string, string[]> = {
  web: [path.join(here, `api${ext}`)],
  extractor: [path.join(here, `worker${ext}`), '--queues', 'extractor'],
  lifecycle: [path.join(here, `worker${ext}`), '--queues', 'lifecycle'],
  spellcheck: [path.join(here, `worker${ext}`), '--queues', 'spellcheck'],
};
function launch(name: string, restarts = 0): void {
  const child = spawn(process.execPath, [...process.execArgv, ...entries[name]!], {
    env: {
      ...process.env,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      DATA_DIR: config.DATA_DIR,
      ...(metricsPort[name] && config.PORT ? { METRICS_PORT: String(metricsPort[name]) } : {}),
    },
    stdio: 'inherit',
  });
  const startedAt = Date.now();
  children.set(name, child);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    const quick = Date.now() - startedAt < 10_000;
    const next = quick ? restarts + 1 : 0;
    if (next > 5) {
      logger.error(`${name} keeps exiting (${code ?? signal}); stopping the fleet`);
      void shutdown(1);
      return;
    }
    const delay = Math.min(500 * 2 ** next, 10_000);
    logger.warn(`${name} exited (${code ?? signal}); restarting in ${delay} ms`);
    setTimeout(() => !stopping && launch(name, next), delay).unref();
  });
}

async function shutdown(exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info('stopping the fleet');
  await Promise.all(
    [...children.values()].map((c) => stopChild(c, config.SHUTDOWN_TIMEOUT_MS + 5000)),
  );
  if (privateRedis) await privateRedis.stop();
  logger.info('stopped');
  process.exit(exitCode);
}
for (const name of Object.keys(entries)) launch(name);

const base = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`;
const deadline = Date.now() + 60_000;
while (!stopping && Date.now() < deadline) {
  const ok = await fetch(`${base}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) {
    console.log(
      [
        '',
        'Essay intake fleet is running:',
        `  upload page   ${base}/`,
        `  API           ${base}/v1/batches/register`,
        `  health        ${base}/healthz  ${base}/readyz`,
        `  metrics       ${base}/metrics (web); workers on ports ${Object.values(metricsPort).join(', ')}`,
        `  queue board   ${base}/admin/queues`,
        `  Redis         ${redisUrl ?? `cluster ${config.REDIS_CLUSTER_NODES.join(',')}`}${privateRedis ? ' (private)' : ''}`,
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
    break;
  }
  await new Promise((r) => setTimeout(r, 250));
}
if (!stopping && Date.now() >= deadline)
  logger.warn(
    `the web process did not answer ${base}/healthz within 60 s; see the log lines above`,
  );
