import { FlowProducer, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { createBatchStore, type BatchStore } from '../shared/batches/batch-store.js';
import { EventFeed } from '../shared/batches/event-feed.js';
import { BlobClaims, claimingBlobStore } from '../shared/blob-claims.js';
import type { BlobStore } from '../shared/blob-store.js';
import { createBlobStore } from '../shared/blob-store-factory.js';
import type { Config } from '../shared/config.js';
import { bullPrefix } from '../shared/keys.js';
import type { Logger } from '../shared/logger.js';
import { createMetrics, type Metrics } from '../shared/metrics.js';
import {
  assertNoEviction,
  createRedis,
  redisTarget,
  waitUntilReady,
  type RedisRole,
} from '../shared/redis.js';
import { createQueue } from './create-queue.js';
import { DeadLetters } from './dead-letters.js';
import { QueueName } from './names.js';
import { Publisher } from './publisher.js';

/** Everything a process of the fleet shares between its handlers or routes. */
export interface FleetContext {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
  blobs: BlobStore;
  /** The handshake between blob writers and the blob collector. */
  claims: BlobClaims;
  batches: BatchStore;
  publisher: Publisher;
  deadLetters: DeadLetters;
  flows: FlowProducer;
  queue(name: QueueName): Queue;
  /** Live notices of event-log growth (opens a subscriber connection on first use). */
  feed(): EventFeed;
  close(): Promise<void>;
}

/**
 * Connects to Redis (refusing one that may evict keys), opens the blob store, and builds the
 * batch store, queues and publisher. `role` picks fail-fast (producer) or patient (worker) Redis.
 */
export async function createContext(
  config: Config,
  opts: { role: RedisRole; logger: Logger; source: string; metrics?: Metrics },
): Promise<FleetContext> {
  const target = redisTarget(config);
  const redis = createRedis(target, opts.role, opts.source);
  redis.on('error', (err) => opts.logger.warn('redis error', { error: err.message }));
  try {
    await waitUntilReady(redis);
    await assertNoEviction(redis);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  let blobs: BlobStore;
  // every write claims its blob first, so the blob collector never deletes what is being stored
  const claims = new BlobClaims(redis, config.REDIS_KEY_PREFIX, config.BLOB_GRACE_SECONDS * 1000);
  try {
    blobs = claimingBlobStore(await createBlobStore(config), claims);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const batches = createBatchStore(redis, config.REDIS_KEY_PREFIX, config.BATCH_RETENTION_SECONDS);
  const metrics = opts.metrics ?? createMetrics();
  const queues = new Map<QueueName, Queue>();
  const queue = (name: QueueName) => {
    let q = queues.get(name);
    if (!q) {
      q = createQueue(name, redis, config);
      queues.set(name, q);
    }
    return q;
  };
  const flows = new FlowProducer({
    connection: redis,
    prefix: bullPrefix(config.REDIS_KEY_PREFIX),
  });
  let feed: EventFeed | undefined;
  return {
    config,
    logger: opts.logger,
    metrics,
    redis,
    blobs,
    claims,
    batches,
    publisher: new Publisher(batches.log, queue, opts.source, config.WEBHOOK_ENDPOINTS),
    deadLetters: new DeadLetters(redis, queue(QueueName.dlq), metrics, opts.logger),
    flows,
    queue,
    feed() {
      feed ??= new EventFeed(createRedis(target, 'worker', `${opts.source}:subscriber`));
      return feed;
    },
    async close() {
      // with Redis unreachable a queue's close waits for a connection that never comes: the
      // process still goes, after the shutdown deadline, and drops the connection
      const closed = await settleWithin(config.SHUTDOWN_TIMEOUT_MS, async () => {
        await feed?.close();
        await Promise.all([...queues.values()].map((q) => q.close()));
        await flows.close();
        await redis.quit();
      });
      if (!closed) opts.logger.warn('Redis did not answer the shutdown; connections dropped');
      redis.disconnect();
      await blobs.close?.();
    },
  };
}

/** Runs `work` and answers whether it settled within `ms`; never rejects. */
async function settleWithin(ms: number, work: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = work().then(
    () => true,
    () => true,
  );
  const settled = await Promise.race([done, late]);
  clearTimeout(timer);
  return settled;
}
