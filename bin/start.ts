#!/usr/bin/env node
// `npm start`: the whole fleet on one machine. Starts a private Redis when REDIS_URL is unset,
// then the web process and one worker process per Procfile role, restarting any that dies.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { authMode } from '../src/api/middleware/auth.js';
import { createLogger } from '../src/shared/logger.js';
import { redactedUrl } from '../src/shared/redis.js';
import {
  ensureRedisServer,
  privateRedisPassword,
  startRedisServer,
  stopChild,
  type PrivateRedis,
} from '../src/shared/redis-server.js';
import { banner } from './lib/banner.js';
import { bootConfig, exitOnStartupError, prepareDataDir, type ReadyReport } from './lib/boot.js';

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

prepareDataDir(config, logger);
if (!redisUrl && !config.REDIS_CLUSTER_NODES.length) {
  const redisDir = path.join(config.DATA_DIR, 'redis');
  try {
    ensureRedisServer((m) => logger.info(m));
    // every process of this fleet gets it in REDIS_URL; any other local user is refused
    const { password } = privateRedisPassword(config.DATA_DIR);
    privateRedis = await startRedisServer({ dir: redisDir, appendOnly: true, password });
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
  logger.info(`private Redis on ${redactedUrl(redisUrl)} (data in ${redisDir})`);
}

/** The Procfile entries, run here as child processes; each worker serves /metrics on the next port. */
const metricsPort: Record<string, number> = {
  extractor: config.PORT + 1,
  lifecycle: config.PORT + 2,
  spellcheck: config.PORT + 3,
  ocr: config.PORT + 4,
};
const entries: Record<string, string[]> = {
  web: [path.join(here, `api${ext}`)],
  extractor: [path.join(here, `worker${ext}`), '--queues', 'extractor'],
  lifecycle: [path.join(here, `worker${ext}`), '--queues', 'lifecycle'],
  spellcheck: [path.join(here, `worker${ext}`), '--queues', 'spellcheck'],
  ocr: [path.join(here, `worker${ext}`), '--queues', 'ocr'],
};
/** What each process said when it became ready: the fleet runs once every entry has. */
const ready = new Map<string, ReadyReport>();
let announced = false;

function launch(name: string, restarts = 0): void {
  const child = spawn(process.execPath, [...process.execArgv, ...entries[name]!], {
    env: {
      ...process.env,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      DATA_DIR: config.DATA_DIR,
      ...(metricsPort[name] && config.PORT ? { METRICS_PORT: String(metricsPort[name]) } : {}),
    },
    // the IPC channel carries each process's "ready" (bin/lib/boot.ts reportReady)
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const startedAt = Date.now();
  children.set(name, child);
  child.on('message', (message: ReadyReport) => {
    if (message?.ready !== true) return;
    ready.set(name, message);
    announceOnceAllReady();
  });
  child.on('exit', (code, signal) => {
    ready.delete(name);
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

function announceOnceAllReady(): void {
  if (announced || stopping || ready.size < Object.keys(entries).length) return;
  announced = true;
  clearTimeout(lateTimer);
  console.log(
    banner(config, {
      web: ready.get('web')!.url!,
      workerMetrics: ['extractor', 'lifecycle', 'spellcheck'].flatMap((n) => {
        const url = ready.get(n)?.url;
        return url ? [{ name: n, url }] : [];
      }),
      redis: redisUrl
        ? `${redactedUrl(redisUrl)}${privateRedis ? ` (private; password in ${path.join(config.DATA_DIR, 'redis-password')})` : ''}`
        : `cluster ${config.REDIS_CLUSTER_NODES.map(redactedUrl).join(',')}`,
    }),
  );
}

async function shutdown(exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearTimeout(lateTimer);
  logger.info('stopping the fleet');
  await Promise.all(
    [...children.values()].map((c) => stopChild(c, config.SHUTDOWN_TIMEOUT_MS + 5000)),
  );
  if (privateRedis) await privateRedis.stop();
  logger.info('stopped');
  process.exit(exitCode);
}

const lateTimer = setTimeout(() => {
  const waiting = Object.keys(entries).filter((n) => !ready.has(n));
  logger.warn(`not ready within 60 s: ${waiting.join(', ')}; see the log lines above`);
}, 60_000);
for (const name of Object.keys(entries)) launch(name);
