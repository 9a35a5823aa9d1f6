import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ZodError, type ZodType } from 'zod';
import type { Config } from '../shared/config.js';
import { bullPrefix } from '../shared/keys.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import type { DeadLetter } from './dead-letters.js';
import type { QueueName } from './names.js';

const deadLettersInFlight = new WeakMap<Worker, Set<Promise<void>>>();

/** Resolves when the worker's dead-lettering under way has finished (await it before closing Redis). */
export async function settleDeadLetters(worker: Worker): Promise<void> {
  await Promise.allSettled([...(deadLettersInFlight.get(worker) ?? [])]);
}

/** What a handler learns about the job besides its payload. */
export interface JobMeta {
  queue: QueueName;
  jobId: string;
  jobName: string;
  attemptsMade: number;
  log: Logger;
}

export interface QueueHandler<T> {
  queue: QueueName;
  schema: ZodType<T>;
  handle(payload: T, meta: JobMeta): Promise<unknown>;
  /**
   * Called once a job is dead (out of attempts, unrecoverable, or stalled too often), after its
   * dead letter is recorded: gives the job's subject its PROCESSING_FAILED outcome.
   */
  onDeadLetter?(payload: T, reason: string): Promise<void>;
}

export interface WorkerOptions {
  connection: Redis;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  concurrency: number;
  /** Jobs per second across all workers of this queue; 0 means no limit. */
  ratePerSecond: number;
  deadLetter(letter: DeadLetter): Promise<void>;
}

function logKeys(data: unknown): Record<string, string> {
  const d = (data ?? {}) as Record<string, unknown>;
  const inner = (d.data ?? {}) as Record<string, unknown>;
  const pick = (...vals: unknown[]) =>
    vals.find((v) => typeof v === 'string') as string | undefined;
  const out: Record<string, string | undefined> = {
    corr_id: pick(d.correlation_id),
    batch_id: pick(d.batch_id, inner.batch_id),
    essay_id: pick(d.essay_id, inner.essay_id),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v)) as Record<string, string>;
}

/**
 * Runs a handler on a BullMQ worker: parses the payload (a malformed job can never succeed, so it
 * fails at once), logs with the standard keys, and counts and times every job. A thrown error
 * is how a job reaches its retries and the failed set: nothing here swallows it.
 */
export function createWorker<T>(handler: QueueHandler<T>, opts: WorkerOptions): Worker {
  const { queue } = handler;
  const worker = new Worker(
    queue,
    async (job: Job) => {
      const started = performance.now();
      const log = opts.logger.child({ phase: queue, job_id: job.id, ...logKeys(job.data) });
      let payload: T;
      try {
        payload = handler.schema.parse(job.data);
      } catch (err) {
        const issues = err instanceof ZodError ? JSON.stringify(err.issues) : String(err);
        throw new UnrecoverableError(`malformed ${job.name} payload: ${issues}`);
      }
      const stop = opts.metrics.jobDuration.startTimer({ queue });
      try {
        const result = await handler.handle(payload, {
          queue,
          jobId: job.id ?? '',
          jobName: job.name,
          attemptsMade: job.attemptsMade,
          log,
        });
        opts.metrics.jobs.inc({ queue, status: 'completed' });
        log.info(`${job.name} done`, {
          status: 'completed',
          duration_ms: Math.round(performance.now() - started),
        });
        return result;
      } catch (err) {
        opts.metrics.jobs.inc({ queue, status: 'failed' });
        log.warn(`${job.name} failed`, {
          status: 'failed',
          duration_ms: Math.round(performance.now() - started),
          error: (err as Error).message,
          attempt: job.attemptsMade + 1,
        });
        throw err;
      } finally {
        stop();
      }
    },
    {
      connection: opts.connection,
      prefix: bullPrefix(opts.config.REDIS_KEY_PREFIX),
      concurrency: opts.concurrency,
      lockDuration: opts.config.JOB_LOCK_MS,
      stalledInterval: opts.config.JOB_LOCK_MS,
      maxStalledCount: 2,
      ...(opts.ratePerSecond > 0 ? { limiter: { max: opts.ratePerSecond, duration: 1000 } } : {}),
    },
  );
  worker.on('error', (err) =>
    opts.logger.error('worker error', { phase: queue, error: err.message }),
  );
  // BullMQ emits 'failed' on every failed attempt, and for unrecoverable and stalled-too-often
  // jobs too (its 'retries-exhausted' misses those): the job's state says whether it is dead
  const pending = new Set<Promise<void>>();
  deadLettersInFlight.set(worker, pending);
  worker.on('failed', (job, err) => {
    if (!job) return;
    const p: Promise<void> = deadLetterIfFinal(job, err)
      .catch((e: Error) => {
        opts.logger.error('dead-lettering failed', {
          phase: queue,
          job_id: job.id,
          error: e.message,
        });
      })
      .finally(() => pending.delete(p));
    pending.add(p);
  });

  async function deadLetterIfFinal(job: Job, err: Error): Promise<void> {
    if ((await job.getState()) !== 'failed') return;
    const keys = logKeys(job.data);
    opts.logger.error(`${job.name} dead-lettered`, {
      phase: queue,
      status: 'dead_lettered',
      job_id: job.id,
      ...keys,
      error: err.message,
    });
    const recorded = opts.deadLetter({
      source_queue: queue,
      job_id: job.id ?? '',
      job_name: job.name,
      payload: job.data,
      reason: err.message,
      attempts: job.attemptsMade,
      correlation_id: keys.corr_id ?? '',
      failed_at: job.finishedOn ?? Date.now(),
    });
    // the subject's outcome matters most (its batch waits for it): give it even if the record fails
    const parsed = handler.schema.safeParse(job.data);
    const outcome =
      parsed.success && handler.onDeadLetter
        ? handler.onDeadLetter(parsed.data, err.message)
        : undefined;
    const [r, o] = await Promise.allSettled([recorded, outcome]);
    for (const res of [r, o]) if (res.status === 'rejected') throw res.reason;
  }
  return worker;
}
