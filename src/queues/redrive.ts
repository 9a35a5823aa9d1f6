import type { Queue } from 'bullmq';
import { deadLetterSchema, type DeadLetter } from './dead-letters.js';
import { QueueName, queueNames } from './names.js';

/** A DLQ record as the API lists it: the record, its id, and where its job stands now. */
export interface DeadLetterView extends DeadLetter {
  id: string;
  /** The source job's state now: `failed` until redriven, then `waiting`, `active`, `completed` … or `gone`. */
  job_state: string;
}

export type RedriveOutcome =
  | { kind: 'redriven'; letter: DeadLetterView }
  | { kind: 'not_found' }
  | { kind: 'not_failed'; letter: DeadLetterView };

type QueueOf = (name: QueueName) => Queue;

const isSource = (name: string): name is QueueName =>
  (queueNames as string[]).includes(name) && name !== QueueName.dlq;

async function jobState(queue: QueueOf, letter: DeadLetter): Promise<string> {
  if (!isSource(letter.source_queue)) return 'gone';
  const state = await queue(letter.source_queue).getJobState(letter.job_id);
  return state === 'unknown' ? 'gone' : state;
}

/**
 * The DLQ's records, newest first, each with its job's current state. The DLQ has no consumer:
 * its records stay `waiting` until cleaned on the board.
 */
export async function listDeadLetters(queue: QueueOf, limit: number): Promise<DeadLetterView[]> {
  const jobs = await queue(QueueName.dlq).getJobs(
    ['waiting', 'delayed', 'completed', 'failed'],
    0,
    limit - 1,
  );
  const letters = jobs
    .filter((j) => j?.id)
    .flatMap((j) => {
      const parsed = deadLetterSchema.safeParse(j.data);
      return parsed.success ? [{ ...parsed.data, id: j.id! }] : [];
    })
    .sort((a, b) => b.failed_at - a.failed_at)
    .slice(0, limit);
  return Promise.all(letters.map(async (l) => ({ ...l, job_state: await jobState(queue, l) })));
}

/**
 * Redrive: the board's Retry on the dead letter's job, which must still be in its queue's failed
 * set (a job already retried, or removed since, is not run twice from here).
 */
export async function redriveDeadLetter(queue: QueueOf, id: string): Promise<RedriveOutcome> {
  const record = await queue(QueueName.dlq).getJob(id);
  const parsed = deadLetterSchema.safeParse(record?.data);
  if (!record || !parsed.success) return { kind: 'not_found' };
  const letter = { ...parsed.data, id };
  const state = await jobState(queue, letter);
  if (state !== 'failed') return { kind: 'not_failed', letter: { ...letter, job_state: state } };
  const job = await queue(letter.source_queue as QueueName).getJob(letter.job_id);
  try {
    await job!.retry('failed');
  } catch {
    // retried (or removed) by someone else since we looked
    return { kind: 'not_failed', letter: { ...letter, job_state: await jobState(queue, letter) } };
  }
  return { kind: 'redriven', letter: { ...letter, job_state: await jobState(queue, letter) } };
}
