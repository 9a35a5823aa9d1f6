import type { LifecycleJob } from '../../queues/jobs.js';
import type { BatchTransitions } from '../../shared/batches/transitions.js';
import { runBatchStep, type BatchStepDeps } from '../batch-step.js';

export interface BatchClockDeps extends BatchStepDeps {
  transitions: BatchTransitions;
  /** Whether an upload's flow was added (its parent job exists). */
  uploadFlowExists(uploadId: string): Promise<boolean>;
}

/**
 * A batch's clocks, scheduled as delayed jobs when they start: its readiness deadline (the batch
 * times out unless an open upload may still fill it) and each announced upload's lease (an
 * upload whose flow never came stops holding the batch; if the flow comes later, it still counts).
 */
export async function keepBatchClock(
  job: LifecycleJob,
  deps: BatchClockDeps,
): Promise<{ detail: string }> {
  const step =
    job.kind === 'readiness_timeout'
      ? () => deps.transitions.deadline(job.batch_id)
      : async () =>
          deps.transitions.expireLease(
            job.batch_id,
            job.upload_id,
            await deps.uploadFlowExists(job.upload_id),
            'its flow was not added within the upload lease',
          );
  const result = await runBatchStep(job.batch_id, job.correlation_id, deps, step);
  return { detail: result.detail };
}
