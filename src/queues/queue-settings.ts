import type { Config } from '../shared/config.js';
import { QueueName } from './names.js';

export interface QueueSettings {
  attempts: number;
  concurrency: number;
  /** Jobs per second across all workers of the queue; 0 means no limit. */
  ratePerSecond: number;
}

/** Each queue's attempts, concurrency and rate limit, from the one config. */
export function queueSettings(config: Config, queue: QueueName): QueueSettings {
  switch (queue) {
    case QueueName.extract:
      return {
        attempts: config.EXTRACT_ATTEMPTS,
        concurrency: config.EXTRACT_CONCURRENCY,
        ratePerSecond: config.EXTRACT_RATE_LIMIT,
      };
    case QueueName.upload:
      return {
        attempts: config.UPLOAD_ATTEMPTS,
        concurrency: config.UPLOAD_CONCURRENCY,
        ratePerSecond: config.UPLOAD_RATE_LIMIT,
      };
    case QueueName.lifecycle:
    case QueueName.orchestrate:
      return {
        attempts: config.LIFECYCLE_ATTEMPTS,
        concurrency: config.LIFECYCLE_CONCURRENCY,
        ratePerSecond: config.LIFECYCLE_RATE_LIMIT,
      };
    case QueueName.spellcheck:
      return {
        attempts: config.SPELLCHECK_ATTEMPTS,
        concurrency: config.SPELLCHECK_CONCURRENCY,
        ratePerSecond: config.SPELLCHECK_RATE_LIMIT,
      };
    case QueueName.dlq:
      return { attempts: 1, concurrency: 1, ratePerSecond: 0 };
  }
}
