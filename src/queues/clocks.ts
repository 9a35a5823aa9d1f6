import type { Queue } from 'bullmq';
import { readinessTimeoutJobSchema, uploadLeaseJobSchema } from './jobs.js';
import { JobName, QueueName } from './names.js';

/**
 * A batch's clocks are delayed jobs on `batch.lifecycle`: they live in Redis, so they survive
 * restarts of every process, and their ids are derived from what they time, so scheduling one
 * twice is a no-op.
 */
export async function scheduleReadinessTimeout(
  queue: (name: QueueName) => Queue,
  batchId: string,
  correlationId: string,
  delaySeconds: number,
): Promise<void> {
  await queue(QueueName.lifecycle).add(
    JobName.readinessTimeout,
    readinessTimeoutJobSchema.parse({
      kind: 'readiness_timeout',
      batch_id: batchId,
      correlation_id: correlationId,
    }),
    { delay: delaySeconds * 1000, jobId: `timeout-${batchId}` },
  );
}

/** The lease of an upload the API announced: if its flow never comes, the batch stops waiting. */
export async function scheduleUploadLease(
  queue: (name: QueueName) => Queue,
  batchId: string,
  uploadId: string,
  correlationId: string,
  leaseSeconds: number,
  round = 0,
): Promise<void> {
  await queue(QueueName.lifecycle).add(
    JobName.uploadLease,
    uploadLeaseJobSchema.parse({
      kind: 'upload_lease',
      batch_id: batchId,
      upload_id: uploadId,
      correlation_id: correlationId,
      round,
    }),
    {
      delay: leaseSeconds * 1000,
      jobId: round ? `lease-${uploadId}-${round}` : `lease-${uploadId}`,
    },
  );
}

/** The janitor's rounds: one repeatable job for the whole fleet, whichever process adds it. */
export async function scheduleJanitor(
  queue: (name: QueueName) => Queue,
  everySeconds: number,
): Promise<void> {
  await queue(QueueName.maintenance).upsertJobScheduler(
    'janitor',
    { every: everySeconds * 1000 },
    { name: JobName.keepHouse, data: {} },
  );
}
