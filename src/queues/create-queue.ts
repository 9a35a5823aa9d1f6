import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../shared/config.js';
import { bullPrefix } from '../shared/keys.js';
import type { QueueName } from './names.js';
import { queueSettings } from './queue-settings.js';

/**
 * Retries with exponential backoff and jitter; bounded history so Redis memory stays flat.
 * A failed job stays in its queue's failed set (up to KEEP_FAILED_JOBS) so the board can retry it.
 */
export function jobOptions(config: Config, queue: QueueName): DefaultJobOptions {
  return {
    attempts: queueSettings(config, queue).attempts,
    backoff: { type: 'exponential', delay: config.JOB_BACKOFF_MS, jitter: 0.5 },
    removeOnComplete: { count: config.KEEP_COMPLETED_JOBS, age: config.JOB_RETENTION_SECONDS },
    removeOnFail: { count: config.KEEP_FAILED_JOBS, age: config.JOB_RETENTION_SECONDS },
  };
}

/** The only place a queue is built. */
export function createQueue(name: QueueName, connection: Redis, config: Config): Queue {
  return new Queue(name, {
    connection,
    prefix: bullPrefix(config.REDIS_KEY_PREFIX),
    defaultJobOptions: jobOptions(config, name),
    // BullMQ's event stream per queue (for QueueEvents listeners; the fleet uses none): capped,
    // so Redis holds a bounded tail of it rather than 10,000 entries a queue
    streams: { events: { maxLen: config.QUEUE_EVENTS_MAX_LEN } },
  });
}
