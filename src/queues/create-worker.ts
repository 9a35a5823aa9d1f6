import { UnrecoverableError, WaitingChildrenError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ZodError, type ZodType } from 'zod';
import type { Config } from '../shared/config.js';
import { bullPrefix } from '../shared/keys.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import type { QueueName } from './names.js';

/** What a handler learns about the job besides its payload. */
export interface JobMeta {
  queue: QueueName;
  /** When the job was due to run (its creation, plus its delay): a clock's own time. */
  dueAt: number;
  log: Logger;
  /**
   * A flow parent's children: each finished child's return value and each dead child's failure,
   * by child job id. Children still running (one retried from the board) make the parent wait
   * for them first: this throws, and the parent runs again once they have finished.
   */
  children(): Promise<ChildrenOutcomes>;
}

export interface ChildrenOutcomes {
  values: Record<string, unknown>;
  failures: Record<string, string>;
}

/** A child's job key (`<prefix>:<queue>:<id>`) to its id. */
const byId = <T>(entries: Record<string, T>): Record<string, T> =>
  Object.fromEntries(
    Object.entries(entries).map(([key, v]) => [key.slice(key.lastIndexOf(':') + 1), v]),
  );

/** The children of `job`; with a token (the job is active here) it waits for unfinished ones. */
export async function childrenOf(job: Job, token?: string): Promise<ChildrenOutcomes> {
  // first whether any child is running again, then the values: a child that finishes between
  // the two is either still pending at the first (the parent waits for it) or has its value
  // at the second
  await waitForNewChildren(job, token);
  const [values, failures] = await Promise.all([
    job.getChildrenValues(),
    job.getIgnoredChildrenFailures(),
  ]);
  return { values: byId(values), failures: byId(failures) };
}

/** A parent with children still running (retried from the board) goes back to waiting for them. */
async function waitForNewChildren(job: Job, token?: string): Promise<void> {
  if (!token) return;
  const pending = await job.getDependenciesCount({ unprocessed: true });
  if ((pending.unprocessed ?? 0) > 0 && (await job.moveToWaitingChildren(token)))
    throw new WaitingChildrenError();
}

/**
 * What a dead job's subject says of recording its death: now (nothing), not at all (`skip`: its
 * work was recovered, e.g. a dead child whose retry reported), or `later` (another step, e.g. a
 * flow parent that has not run yet, gives the outcome and records it).
 */
export type DeadLetterVerdict = void | 'skip' | 'later';

export interface QueueHandler<T> {
  queue: QueueName;
  schema: ZodType<T>;
  handle(payload: T, meta: JobMeta): Promise<unknown>;
  /**
   * Called once a job is dead (out of attempts, unrecoverable, or stalled too often), before its
   * dead letter is recorded, by the failed sets' sweep: gives the job's subject its outcome.
   * Must be idempotent (a sweep that crashed part-way runs it again).
   */
  onDeadLetter?(
    payload: T,
    reason: string,
    meta: Pick<JobMeta, 'children'>,
  ): Promise<DeadLetterVerdict>;
}

export interface WorkerOptions {
  connection: Redis;
  config: Config;
  logger: Logger;
  metrics: Metrics;
  concurrency: number;
  /** Jobs per second across all workers of this queue; 0 means no limit. */
  ratePerSecond: number;
  /** Delay before a retry for jobs whose backoff type is not BullMQ's own (CAPPED_BACKOFF). */
  backoffStrategy?: (attemptsMade: number) => number;
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
 * is how a job reaches its retries and the failed set: nothing here swallows it. A job that dies
 * is dead-lettered by the failed sets' sweep (`dead-letters.ts`), not by a listener here: a
 * process can die between BullMQ marking the job failed and any listener running.
 */
export function createWorker<T>(handler: QueueHandler<T>, opts: WorkerOptions): Worker {
  const { queue } = handler;
  const worker = new Worker(
    queue,
    async (job: Job, token?: string) => {
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
      let readChildren = false;
      try {
        const result = await handler.handle(payload, {
          queue,
          dueAt: job.timestamp + (job.opts.delay ?? 0),
          log,
          children: () => {
            readChildren = true;
            return childrenOf(job, token);
          },
        });
        // a child retried from the board while this parent ran would make BullMQ refuse to
        // complete it (pending dependencies) and spend an attempt: wait for the child instead
        if (readChildren) await waitForNewChildren(job, token);
        opts.metrics.jobs.inc({ queue, status: 'completed' });
        log.info(`${job.name} done`, {
          status: 'completed',
          duration_ms: Math.round(performance.now() - started),
        });
        return result;
      } catch (err) {
        // a parent waiting for a child retried from the board: not a failure
        if (err instanceof WaitingChildrenError) throw err;
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
      ...(opts.backoffStrategy ? { settings: { backoffStrategy: opts.backoffStrategy } } : {}),
    },
  );
  worker.on('error', (err) =>
    opts.logger.error('worker error', { phase: queue, error: err.message }),
  );
  return worker;
}
