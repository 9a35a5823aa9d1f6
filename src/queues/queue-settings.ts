import type { Config } from '../shared/config.js';
import { QueueName } from './names.js';

export interface QueueSettings {
  attempts: number;
  concurrency: number;
  /** Jobs per second across all workers of the queue; 0 means no limit. */
  ratePerSecond: number;
  /** Retry delays: the first, doubled each attempt (with jitter), never above `maxDelayMs`. */
  backoff: { delayMs: number; maxDelayMs?: number };
}

/** Each queue's attempts, concurrency, rate limit and backoff, from the one config. */
export function queueSettings(config: Config, queue: QueueName): QueueSettings {
  const c = config;
  const of = (attempts: number, concurrency: number, ratePerSecond: number) => ({
    attempts,
    concurrency,
    ratePerSecond,
    backoff: { delayMs: c.JOB_BACKOFF_MS },
  });
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
    case QueueName.ocr:
      return of(c.OCR_ATTEMPTS, c.OCR_CONCURRENCY, c.OCR_RATE_LIMIT);
    case QueueName.webhook: {
      const backoff = { delayMs: c.WEBHOOK_BACKOFF_MS, maxDelayMs: c.WEBHOOK_MAX_BACKOFF_MS };
      return {
        attempts: attemptsWithin(c.WEBHOOK_RETRY_SECONDS * 1000, backoff),
        concurrency: c.WEBHOOK_CONCURRENCY,
        ratePerSecond: c.WEBHOOK_RATE_LIMIT,
        backoff,
      };
    }
    case QueueName.dlq:
    case QueueName.maintenance:
      return of(1, 1, 0);
  }
}

/** The full (jitter-free) delay before retry number `retry` (1 is the first retry). */
export function backoffDelay(retry: number, backoff: QueueSettings['backoff']): number {
  const doubled = backoff.delayMs * 2 ** (retry - 1);
  return Math.min(doubled, backoff.maxDelayMs ?? doubled);
}

/**
 * Attempts whose retries span `windowMs`: the first attempt, then retries until their delays
 * add up to the window. A receiver that is down for less than the window gets the event.
 */
export function attemptsWithin(windowMs: number, backoff: QueueSettings['backoff']): number {
  let attempts = 1;
  for (let waited = 0; waited < windowMs && attempts < 10_000; attempts++)
    waited += Math.max(1, backoffDelay(attempts, backoff));
  return attempts;
}
