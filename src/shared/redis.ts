import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config.js';

/**
 * The only place Redis clients are created.
 * - `worker`: BullMQ workers block and must never give up on a command (`maxRetriesPerRequest: null`).
 * - `producer`: the API and publishers fail fast, so a request gets a 503 instead of hanging.
 */
export type RedisRole = 'worker' | 'producer';

/** One Redis (a URL) or a Redis Cluster (some of its nodes, `host:port`). */
export type RedisTarget = string | { cluster: string[] };

export function redisTarget(config: Config): RedisTarget {
  if (config.REDIS_CLUSTER_NODES.length) return { cluster: config.REDIS_CLUSTER_NODES };
  if (!config.REDIS_URL) throw new Error('neither REDIS_URL nor REDIS_CLUSTER_NODES is set');
  return config.REDIS_URL;
}

/**
 * A client of the target. A Cluster client speaks the same commands as a single node's and is
 * typed as one: every key a command, MULTI or script touches shares a hash tag (a batch's
 * `{batch_id}`, the queues' `{prefix}`), so each lands on one node; what needs every node
 * (`assertNoEviction`) asks each.
 */
export function createRedis(target: RedisTarget, role: RedisRole, name: string = role): Redis {
  const common: RedisOptions = {
    connectionName: `essay-fleet:${name}`,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const options: RedisOptions =
    role === 'worker'
      ? { ...common, maxRetriesPerRequest: null, enableReadyCheck: true }
      : { ...common, maxRetriesPerRequest: 2, connectTimeout: 5000 };
  if (typeof target === 'string') return new Redis(target, options);
  const urls = target.cluster.map((n) => new URL(/^rediss?:\/\//.test(n) ? n : `redis://${n}`));
  const nodes = urls.map((u) => ({
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'), // an IPv6 address without its brackets
    port: Number(u.port || 6379),
  }));
  // a managed cluster: the first entry's credentials and TLS go to every node
  const first = urls[0]!;
  const auth: RedisOptions = {
    ...(first.username ? { username: decoded(first.username) } : {}),
    ...(first.password ? { password: decoded(first.password) } : {}),
    ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  const cluster = new Cluster(nodes, {
    redisOptions: { ...options, ...auth },
    // TLS certificates name the host the client asked for, not the address it resolves to
    ...(auth.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    enableReadyCheck: true,
    maxRedirections: 16,
    clusterRetryStrategy: (times) => Math.min(times * 200, 2000),
  });
  return cluster as unknown as Redis;
}

/** A Redis URL (or `host:port`) fit to print: its password, if any, replaced by `***`. */
export function redactedUrl(url: string): string {
  if (!url.includes('://')) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '(a Redis URL that does not parse)';
  }
}

/** A URL's user or password, %-decoded; a raw `%` is taken as it is. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

export function isCluster(client: Redis): boolean {
  return (client as unknown) instanceof Cluster;
}

/** The client itself, or each master node of a cluster: for what must reach every node. */
export function mastersOf(client: Redis): Redis[] {
  return isCluster(client) ? (client as unknown as Cluster).nodes('master') : [client];
}

/** Every key matching `pattern`, on every master (SCAN: never blocks the server for long). */
export async function* scanKeys(client: Redis, pattern: string): AsyncGenerator<string> {
  for (const node of mastersOf(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      yield* keys;
    } while (cursor !== '0');
  }
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
  for (const node of mastersOf(client)) {
    const info = await node.info('memory');
    const policy = /maxmemory_policy:(\S+)/.exec(info)?.[1] ?? 'unknown';
    if (policy !== 'noeviction') throw new RedisPolicyError(policy);
  }
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
