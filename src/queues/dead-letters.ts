import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../shared/logger.js';
import type { Config } from '../shared/config.js';
import { childrenOf, type DeadLetterVerdict, type QueueHandler } from './create-worker.js';
import type { QueueName } from './names.js';
import type { Metrics } from '../shared/metrics.js';

/** What the dead-letter queue keeps about a job that died for good. */
export const deadLetterSchema = z.object({
  source_queue: z.string(),
  job_id: z.string(),
  job_name: z.string(),
  payload: z.unknown(),
  reason: z.string(),
  attempts: z.number().int(),
  correlation_id: z.string(),
  failed_at: z.number().int(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

/**
 * dead-letter-state: where a job stands with respect to one of its deaths.
 * KEYS: 1 the job's hash  2 its queue's failed set
 * ARGV: 1 'check' | 'mark'  2 the job's id  3 (mark) finishedOn of the death being recorded
 * check returns 'unrecorded' (dead, and this death not yet recorded), 'recorded', or 'alive'
 *   (not in the failed set: retried, or removed).
 * mark returns 1 when this call marked the death recorded, 0 when it was marked already, -1
 *   when the job is no longer in that death (retried from the board, removed). The mark lives
 *   in the job's own hash: it goes when the job is removed, and a job retried from the board
 *   that dies again has a new finishedOn, so that death is recorded too.
 */
const stateLua = `
local job, failed = KEYS[1], KEYS[2]
local finished, mark = unpack(redis.call('HMGET', job, 'finishedOn', 'dlq'))
local dead = finished and redis.call('ZSCORE', failed, ARGV[2]) ~= false
if ARGV[1] == 'check' then
  if not dead then return 'alive' end
  return mark == finished and 'recorded' or 'unrecorded'
end
if not dead or finished ~= ARGV[3] then return -1 end
if mark == ARGV[3] then return 0 end
redis.call('HSET', job, 'dlq', ARGV[3])
return 1
`;

type ScriptedRedis = Redis & {
  deadLetterState(
    job: string,
    failed: string,
    op: string,
    id: string,
    finishedOn?: number,
  ): Promise<string | number>;
};

function correlationOf(data: unknown): string {
  const d = (data ?? {}) as { correlation_id?: unknown };
  return typeof d.correlation_id === 'string' ? d.correlation_id : '';
}

/**
 * Dead letters: a job that died for good (out of attempts, unrecoverable, stalled too often)
 * gets its subject's outcome, one record in `essay.processing.dlq` and one count in
 * `dlq_messages_total`. Nothing here depends on a listener: the callers are steps that survive
 * a process death (a flow parent reading its dead children, a sweep of the failed sets), and
 * every step is idempotent, so whoever comes first records it and a repeat changes nothing.
 */
export class DeadLetters {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly dlq: Queue,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    redis.defineCommand('deadLetterState', { numberOfKeys: 2, lua: stateLua });
    this.redis = redis as ScriptedRedis;
  }

  /** Whether the job is dead with a death not yet recorded (a cheap check before the work). */
  async unrecorded(queue: Queue, jobId: string): Promise<boolean> {
    const state = await this.redis.deadLetterState(
      queue.toKey(jobId),
      queue.toKey('failed'),
      'check',
      jobId,
    );
    return state === 'unrecorded';
  }

  /**
   * Records one death of `job`: first its subject's outcome (`outcome`, idempotent; it may say
   * to record the death later, or not at all), then the DLQ record (its id names the death),
   * then the mark; the call that marks it counts it. A job no longer dead is left alone.
   */
  async record(
    queue: Queue,
    job: Job,
    outcome?: () => Promise<DeadLetterVerdict>,
  ): Promise<boolean> {
    if (!job.finishedOn || !job.id) return false;
    if (!(await this.unrecorded(queue, job.id))) return false;
    const verdict = await outcome?.();
    if (verdict === 'later') return false;
    if (verdict === 'skip') {
      await this.mark(queue, job.id, job.finishedOn);
      return false;
    }
    const letter = deadLetterSchema.parse({
      source_queue: queue.name,
      job_id: job.id,
      job_name: job.name,
      payload: job.data,
      reason: job.failedReason ?? 'unknown',
      attempts: job.attemptsMade,
      correlation_id: correlationOf(job.data),
      failed_at: job.finishedOn,
    });
    await this.dlq.add('dead letter', letter, {
      jobId: `${letter.source_queue}.${letter.job_id}.${letter.failed_at}`,
      removeOnComplete: false,
      removeOnFail: false,
    });
    const marked = await this.mark(queue, job.id, job.finishedOn);
    if (marked) {
      this.metrics.dlqMessages.inc({ queue: queue.name });
      this.logger.error(`${job.name} dead-lettered`, {
        phase: queue.name,
        status: 'dead_lettered',
        job_id: job.id,
        corr_id: letter.correlation_id,
        error: letter.reason,
      });
    }
    return marked;
  }

  /** Marks one death recorded; answers whether this call did. */
  private async mark(queue: Queue, jobId: string, finishedOn: number): Promise<boolean> {
    const key = queue.toKey(jobId);
    return (
      (await this.redis.deadLetterState(key, queue.toKey('failed'), 'mark', jobId, finishedOn)) ===
      1
    );
  }

  /** Records the death of a job known by id (a flow parent's dead child). */
  async recordById(queue: Queue, jobId: string): Promise<boolean> {
    if (!(await this.unrecorded(queue, jobId))) return false;
    const job = await Job.fromId(queue, jobId);
    return job ? this.record(queue, job) : false;
  }
}

/** How often a sweep reads the whole failed set rather than the deaths since its last look. */
const FULL_SWEEP_EVERY_MS = 5 * 60_000;

/** A queue whose failed set a sweep watches, and what a death there means for its subject. */
export interface SweepTarget {
  queue: Queue;
  /** Gives the dead job's subject its outcome; idempotent; may say to record it later or not. */
  onDead?(job: Job): Promise<DeadLetterVerdict>;
}

/**
 * The failed sets' sweep: every `intervalMs` it looks at the jobs that died since its last look
 * (all of them when the process starts) and records those not recorded yet. A death that
 * happened while every process was down is recorded by the first sweep after.
 */
export class DeadLetterSweep {
  private timer: NodeJS.Timeout | undefined;
  private readonly since = new Map<string, number>();
  private stopped = false;
  private sweeps = 0;

  /** Deaths are looked at again this long after their time: clocks of processes differ. */
  static readonly CLOCK_SLACK_MS = 5 * 60_000;

  constructor(
    private readonly redis: Redis,
    private readonly targets: SweepTarget[],
    private readonly letters: DeadLetters,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): this {
    const tick = () => {
      void this.sweepOnce()
        .catch((err: Error) => {
          this.logger.warn('dead-letter sweep failed', { error: err.message });
        })
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs).unref();
        });
    };
    tick();
    return this;
  }

  /**
   * Starts no more sweeps. One under way is not awaited (with Redis gone it would wait for
   * ever): every step of it is idempotent, so whatever it leaves the next sweep does.
   */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  async sweepOnce(): Promise<void> {
    // now and then the whole failed set again: a death stamped by a clock far behind ours
    const full =
      this.sweeps++ % Math.max(1, Math.ceil(FULL_SWEEP_EVERY_MS / this.intervalMs)) === 0;
    for (const target of this.targets) {
      const { queue } = target;
      const since = this.since.get(queue.name) ?? 0;
      const from = full ? 0 : Math.max(0, since - DeadLetterSweep.CLOCK_SLACK_MS);
      const found = await this.redis.zrangebyscore(
        queue.toKey('failed'),
        from,
        '+inf',
        'WITHSCORES',
      );
      for (let i = 0; i < found.length && !this.stopped; i += 2) {
        const id = found[i]!;
        this.since.set(queue.name, Math.max(this.since.get(queue.name) ?? 0, Number(found[i + 1])));
        // one job that cannot be recorded now must not hold up the others
        try {
          if (!(await this.letters.unrecorded(queue, id))) continue;
          const job = await Job.fromId(queue, id);
          if (job)
            await this.letters.record(queue, job, target.onDead && (() => target.onDead!(job)));
        } catch (err) {
          this.logger.warn('dead-letter sweep: a job could not be recorded yet', {
            phase: queue.name,
            job_id: id,
            error: (err as Error).message,
          });
        }
      }
    }
  }
}

/**
 * Starts the sweep of the failed sets of these handlers' queues, giving each dead job's subject
 * the outcome its handler's `onDeadLetter` gives (with the children a dead flow parent has).
 */
export function startDeadLetterSweep(
  ctx: {
    redis: Redis;
    queue(name: QueueName): Queue;
    deadLetters: DeadLetters;
    config: Config;
    logger: Logger;
  },
  handlers: QueueHandler<unknown>[],
): DeadLetterSweep {
  const targets = handlers.map((h): SweepTarget => ({
    queue: ctx.queue(h.queue),
    onDead: h.onDeadLetter
      ? async (job) => {
          const parsed = h.schema.safeParse(job.data);
          if (parsed.success)
            await h.onDeadLetter!(parsed.data, job.failedReason ?? 'unknown', {
              children: () => childrenOf(job),
            });
        }
      : undefined,
  }));
  return new DeadLetterSweep(
    ctx.redis,
    targets,
    ctx.deadLetters,
    ctx.config.DEAD_LETTER_SWEEP_MS,
    ctx.logger,
  ).start();
}
