import { FlowProducer, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { BatchStore } from '../shared/batches/batch-store.js';
import { EventFeed } from '../shared/batches/event-feed.js';
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
import type { QueueName } from './names.js';
import { Publisher } from './publisher.js';

/** Everything a process of the fleet shares between its handlers or routes. */
export interface FleetContext {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  redis: Redis;
  blobs: BlobStore;
  batches: BatchStore;
  publisher: Publisher;
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
  try {
    blobs = await createBlobStore(config);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const batches = new BatchStore(redis, config.REDIS_KEY_PREFIX, config.BATCH_RETENTION_SECONDS);
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
    metrics: opts.metrics ?? createMetrics(),
    redis,
    blobs,
    batches,
    publisher: new Publisher(batches, queue, opts.source),
    flows,
    queue,
    feed() {
      feed ??= new EventFeed(createRedis(target, 'worker', `${opts.source}:subscriber`));
      return feed;
    },
    async close() {
      await feed?.close();
      await Promise.all([...queues.values()].map((q) => q.close()));
      await flows.close();
      await redis.quit().catch(() => redis.disconnect());
      await blobs.close?.();
    },
  };
}
