import type { DeadLetterVerdict } from '../../queues/create-worker.js';
import type { LifecycleJob, UploadLeaseJob } from '../../queues/jobs.js';
import type { BatchTransitions } from '../../shared/batches/transitions.js';
import { InfrastructureError } from '../../shared/errors.js';
import { runBatchStep, type BatchStepDeps } from '../batch-step.js';

export interface BatchClockDeps extends BatchStepDeps {
  transitions: BatchTransitions;
  /** Whether an upload's flow was added (its parent job exists). */
  uploadFlowExists(uploadId: string): Promise<boolean>;
  /** Schedules the next look at a lease whose flow exists. */
  renewLease(job: UploadLeaseJob): Promise<void>;
}

/**
 * The API schedules a batch's deadline just before it stores the batch: a deadline this soon
 * after it was due may have overtaken the registration, and is tried again (it retries with
 * backoff) rather than taken for a batch that will never exist.
 */
const REGISTRATION_GRACE_MS = 60_000;

/**
 * A batch's clocks, scheduled as delayed jobs when they start: its readiness deadline (the batch
 * times out unless an open upload may still fill it: then that upload's application decides)
 * and each announced upload's lease (an upload whose flow never came, or went away, stops
 * holding the batch; while the flow is there the lease is renewed; a flow that comes after all
 * still counts).
 */
export async function keepBatchClock(
  job: LifecycleJob,
  deps: BatchClockDeps,
  dueAt: number,
): Promise<{ detail: string }> {
  if (job.kind === 'readiness_timeout') {
    const result = await runBatchStep(job.batch_id, job.correlation_id, deps, () =>
      deps.transitions.deadline(job.batch_id),
    );
    if (result.detail === 'not_registered' && Date.now() - dueAt < REGISTRATION_GRACE_MS)
      throw new InfrastructureError('the batch is not registered yet: its deadline waits');
    return { detail: result.detail };
  }
  const result = await runBatchStep(job.batch_id, job.correlation_id, deps, async () =>
    deps.transitions.expireLease(
      job.batch_id,
      job.upload_id,
      await deps.uploadFlowExists(job.upload_id),
      'its flow was not added within the upload lease, or was removed',
    ),
  );
  if (result.detail === 'held') await deps.renewLease(job);
  return { detail: result.detail };
}

/**
 * A clock that died still strikes (its step is idempotent, whatever killed it). A deadline whose
 * batch was never stored (its web process died registering it, after scheduling it) lost
 * nothing: it leaves no dead letter, however soon its retries ran out.
 */
export async function strikeDeadClock(
  job: LifecycleJob,
  deps: BatchClockDeps,
): Promise<DeadLetterVerdict> {
  const { detail } = await keepBatchClock(job, deps, 0);
  return detail === 'not_registered' ? 'skip' : undefined;
}
