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
