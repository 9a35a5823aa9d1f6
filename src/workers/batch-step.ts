import type { Publisher } from '../queues/publisher.js';
import type { TransitionResult } from '../shared/batches/transitions.js';
import type { CrashHook } from '../shared/crash-hook.js';
import type { Metrics } from '../shared/metrics.js';

export interface BatchStepDeps {
  publisher: Publisher;
  metrics: Metrics;
  /** Test-only: the chaos tests stop the process at a named point of the step. */
  crash?: CrashHook;
}

/**
 * One step of a batch: its atomic transition, then the publishing of what it caused. The
 * transition answers with the whole outbox: after a crash past the change, the retried step
 * finds the change made (and changes nothing again) and publishes what the crashed attempt left.
 */
export async function runBatchStep(
  batchId: string,
  correlationId: string,
  deps: BatchStepDeps,
  transition: () => Promise<TransitionResult>,
): Promise<TransitionResult> {
  deps.crash?.('before-apply');
  const result = await transition();
  const context = { outbox: result.outbox.map((e) => e.event_type) };
  deps.crash?.('after-apply', context);
  await deps.publisher.publishOutbox(batchId, result.outbox, correlationId, () =>
    deps.crash?.('after-enqueue', context),
  );
  deps.crash?.('after-publish', context);
  if (result.completed && result.createdAtMs !== null)
    deps.metrics.batchCompletion.observe(
      { status: result.completed },
      (Date.now() - result.createdAtMs) / 1000,
    );
  return result;
}
