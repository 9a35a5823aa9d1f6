import { Redis, type RedisOptions } from 'ioredis';

/**
 * The only place Redis clients are created.
 * - `worker`: BullMQ workers block and must never give up on a command (`maxRetriesPerRequest: null`).
 * - `producer`: the API and publishers fail fast, so a request gets a 503 instead of hanging.
 */
export type RedisRole = 'worker' | 'producer';

export function createRedis(url: string, role: RedisRole, name: string = role): Redis {
  const common: RedisOptions = {
    connectionName: `essay-fleet:${name}`,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const options: RedisOptions =
    role === 'worker'
      ? { ...common, maxRetriesPerRequest: null, enableReadyCheck: true }
      : { ...common, maxRetriesPerRequest: 2, connectTimeout: 5000 };
  return new Redis(url, options);
}

export class RedisPolicyError extends Error {
  constructor(policy: string) {
    super(
      `Redis maxmemory-policy is "${policy}", but the fleet needs "noeviction": an evicted job or ` +
        'batch key would lose an essay silently. Fix: run `redis-cli CONFIG SET maxmemory-policy ' +
        'noeviction` (and set `maxmemory-policy noeviction` in redis.conf), or choose the ' +
        '"noeviction" policy in your managed Redis settings.',
    );
    this.name = 'RedisPolicyError';
  }
}

/** Refuses to run against a Redis that may evict keys. Uses INFO, which managed Redis allows. */
export async function assertNoEviction(client: Redis): Promise<void> {
  const info = await client.info('memory');
  const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1] ?? 'unknown';
  if (policy !== 'noeviction') throw new RedisPolicyError(policy);
}

export async function waitUntilReady(client: Redis, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not reachable within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
    };
    client.on('ready', onReady);
  });
}

export type { Redis };
