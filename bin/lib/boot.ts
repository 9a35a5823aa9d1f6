import { mkdirSync, statSync } from 'node:fs';
import { ConfigError, loadConfig, type Config } from '../../src/shared/config.js';
import type { Logger } from '../../src/shared/logger.js';
import { redisTarget } from '../../src/shared/redis.js';

/** Parses the environment once; on any problem prints every one of them and exits 1. */
export function bootConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

export function requireRedisUrl(config: Config, processName: string): void {
  try {
    redisTarget(config);
    return;
  } catch {
    // neither is set: say how to fix it
  }
  console.error(
    `${processName}: REDIS_URL is not set. Set it to your Redis (redis://host:port), or REDIS_CLUSTER_NODES to some nodes of a Redis Cluster, or run \`npm start\`, which starts a private Redis.`,
  );
  process.exit(1);
}

/** Exits 1 with a one-line reason for start-up errors an operator can fix. */
export function exitOnStartupError(err: unknown): never {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}

/** Runs `stop` once on SIGTERM or SIGINT, then exits 0 (1 if stopping failed). */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    stop().then(
      () => process.exit(0),
      (err: Error) => {
        logger.error('shutdown failed', { error: err.message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/**
 * DATA_DIR holds essays and the private Redis's data: made 0700 (the fleet's user only). An
 * existing one open to others is reported rather than changed: it may be a mount others share.
 */
export function prepareDataDir(config: Config, logger: Logger): void {
  mkdirSync(config.DATA_DIR, { recursive: true, mode: 0o700 });
  const mode = statSync(config.DATA_DIR).mode & 0o777;
  if (mode & 0o077)
    logger.warn(
      `DATA_DIR ${config.DATA_DIR} is open to other users (mode ${mode.toString(8)}); it holds students' essays: chmod 700 it`,
    );
}

/** What a process of `npm start` tells its parent once it serves (over the IPC channel, if any). */
export interface ReadyReport {
  ready: true;
  /** The web process's address, or a worker's /metrics address when it serves one. */
  url?: string;
}

export function reportReady(report: Omit<ReadyReport, 'ready'> = {}): void {
  process.send?.({ ready: true, ...report } satisfies ReadyReport);
}
