import type { Queue } from 'bullmq';
import { z } from 'zod';
import type { Metrics } from '../shared/metrics.js';

/** What the dead-letter queue keeps about a job that ran out of attempts. */
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
 * Records a dead job in `essay.processing.dlq` (one record per death, so a job retried from the
 * board and dying again is recorded again) and counts it. The job itself stays in its queue's
 * failed set, where the board's Retry runs it again. Nothing consumes the DLQ: it is a log for
 * operators, kept until they clean it.
 */
export async function recordDeadLetter(
  dlq: Queue,
  metrics: Metrics,
  letter: DeadLetter,
): Promise<void> {
  const record = deadLetterSchema.parse(letter);
  await dlq.add('dead letter', record, {
    jobId: `${record.source_queue}.${record.job_id}.${record.failed_at}`,
    removeOnComplete: false,
    removeOnFail: false,
  });
  metrics.dlqMessages.inc({ queue: record.source_queue });
}
