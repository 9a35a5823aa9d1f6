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
  const of = (attempts: number, concurrency: number, ratePerSecond: number) => ({
    attempts,
    concurrency,
    ratePerSecond,
  });
  const c = config;
  switch (queue) {
    case QueueName.extract:
      return of(c.EXTRACT_ATTEMPTS, c.EXTRACT_CONCURRENCY, c.EXTRACT_RATE_LIMIT);
    case QueueName.upload:
      return of(c.UPLOAD_ATTEMPTS, c.UPLOAD_CONCURRENCY, c.UPLOAD_RATE_LIMIT);
    case QueueName.lifecycle:
    case QueueName.orchestrate:
      return of(c.LIFECYCLE_ATTEMPTS, c.LIFECYCLE_CONCURRENCY, c.LIFECYCLE_RATE_LIMIT);
    case QueueName.spellcheck:
      return of(c.SPELLCHECK_ATTEMPTS, c.SPELLCHECK_CONCURRENCY, c.SPELLCHECK_RATE_LIMIT);
    case QueueName.dlq:
    case QueueName.maintenance:
      return of(1, 1, 0);
  }
}
