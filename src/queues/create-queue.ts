import { Queue, type DefaultJobOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../shared/config.js';
import { bullPrefix } from '../shared/keys.js';
import type { QueueName } from './names.js';
import { backoffDelay, queueSettings } from './queue-settings.js';

/** A backoff type of ours: exponential up to a ceiling (BullMQ's own has none). */
export const CAPPED_BACKOFF = 'capped-exponential';

/**
 * Retries with exponential backoff and jitter; bounded history so Redis memory stays flat.
 * A failed job stays in its queue's failed set (up to KEEP_FAILED_JOBS) so the board can retry it.
 */
export function jobOptions(config: Config, queue: QueueName): DefaultJobOptions {
  const settings = queueSettings(config, queue);
  const { delayMs, maxDelayMs } = settings.backoff;
  return {
    attempts: settings.attempts,
    backoff:
      maxDelayMs === undefined
        ? { type: 'exponential', delay: delayMs, jitter: 0.5 }
        : { type: CAPPED_BACKOFF, delay: delayMs },
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

/**
 * The worker's side of `CAPPED_BACKOFF`: the delay doubles each attempt up to the queue's
 * ceiling, ±10% so retries of many jobs spread out while the span stays what the settings say.
 */
export function cappedBackoff(config: Config, queue: QueueName): (attemptsMade: number) => number {
  const { backoff } = queueSettings(config, queue);
  return (attemptsMade) =>
    Math.round(backoffDelay(attemptsMade, backoff) * (0.9 + Math.random() * 0.2));
}
