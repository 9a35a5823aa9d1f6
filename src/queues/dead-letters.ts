import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Logger } from '../shared/logger.js';
import type { Config } from '../shared/config.js';
import { childrenOf, type QueueHandler } from './create-worker.js';
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
 * mark-dead-letter: marks a dead job as recorded for this death (its finishedOn), once. The mark
 * lives in the job's own hash: it goes when the job is removed, and a job retried from the board
 * that dies again has a new finishedOn, so that death is recorded too.
 * KEYS: 1 the job's hash   ARGV: 1 finishedOn of the death being recorded
 * Returns 1 when this call marked it, 0 when it was marked already, -1 when the job is no longer
 * in that death (retried or removed).
 */
const markLua = `
local finished = redis.call('HGET', KEYS[1], 'finishedOn')
if not finished or finished ~= ARGV[1] then return -1 end
if redis.call('HGET', KEYS[1], 'dlq') == ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'dlq', ARGV[1])
return 1
`;

type ScriptedRedis = Redis & { deadLetterMark(key: string, finishedOn: number): Promise<number> };

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
    redis.defineCommand('deadLetterMark', { numberOfKeys: 1, lua: markLua });
    this.redis = redis as ScriptedRedis;
  }

  /** Whether this death of the job was recorded already (a cheap check before the work). */
  async recorded(queue: Queue, jobId: string): Promise<boolean> {
    const [finishedOn, mark] = await this.redis.hmget(queue.toKey(jobId), 'finishedOn', 'dlq');
    return !finishedOn || finishedOn === mark;
  }

  /**
   * Records one death of `job`: first its subject's outcome (`outcome`, idempotent), then the DLQ
   * record (its id names the death), then the mark; the call that marks it counts it.
   */
  async record(queue: Queue, job: Job, outcome?: () => Promise<void>): Promise<boolean> {
    if (!job.finishedOn || !job.id) return false;
    await outcome?.();
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
    const marked = (await this.redis.deadLetterMark(queue.toKey(job.id), job.finishedOn)) === 1;
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

  /** Records the death of a job known by id (a flow parent's dead child). */
  async recordById(queue: Queue, jobId: string): Promise<boolean> {
    if (await this.recorded(queue, jobId)) return false;
    const job = await Job.fromId(queue, jobId);
    return job && (await job.isFailed()) ? this.record(queue, job) : false;
  }
}

/** A queue whose failed set a sweep watches, and what a death there means for its subject. */
export interface SweepTarget {
  queue: Queue;
  /** Gives the dead job's subject its outcome; idempotent. */
  onDead?(job: Job): Promise<void>;
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
    for (const target of this.targets) {
      const { queue } = target;
      const from = Math.max(0, (this.since.get(queue.name) ?? 0) - DeadLetterSweep.CLOCK_SLACK_MS);
      const found = await this.redis.zrangebyscore(
        queue.toKey('failed'),
        from,
        '+inf',
        'WITHSCORES',
      );
      for (let i = 0; i < found.length && !this.stopped; i += 2) {
        const id = found[i]!;
        this.since.set(queue.name, Math.max(this.since.get(queue.name) ?? 0, Number(found[i + 1])));
        if (await this.letters.recorded(queue, id)) continue;
        const job = await Job.fromId(queue, id);
        if (job)
          await this.letters.record(queue, job, target.onDead && (() => target.onDead!(job)));
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
