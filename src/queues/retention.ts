import type { Queue } from 'bullmq';

/**
 * Dead-letter records are history for operators, kept until they are `maxAgeMs` old and at most
 * `maxCount` of them (the oldest go first). Nothing consumes them: they wait in the DLQ.
 */
export async function trimDeadLetters(
  dlq: Queue,
  maxAgeMs: number,
  maxCount: number,
): Promise<number> {
  let removed = (await dlq.clean(maxAgeMs, 0, 'wait')).length;
  const over = (await dlq.getWaitingCount()) - maxCount;
  // a waiting list's oldest entries are at its end, which is where a limited clean starts
  if (over > 0) removed += (await dlq.clean(0, over, 'wait')).length;
  return removed;
}

/**
 * Finished jobs past their retention. BullMQ trims by age only when another job of the queue
 * finishes: a queue gone quiet would keep its old jobs for ever.
 */
export async function cleanFinishedJobs(queues: Queue[], maxAgeMs: number): Promise<number> {
  let removed = 0;
  for (const q of queues)
    for (const state of ['completed', 'failed'] as const)
      removed += (await q.clean(maxAgeMs, 0, state)).length;
  return removed;
}
