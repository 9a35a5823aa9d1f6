import type { LifecycleJob } from '../../queues/jobs.js';
import type { Publisher } from '../../queues/publisher.js';
import type {
  BatchStore,
  TransitionOp,
  TransitionResult,
} from '../../shared/batches/batch-store.js';
import { parseEnvelope, type Envelope } from '../../shared/events/envelope.js';
import { eventId } from '../../shared/events/event-id.js';
import { EventType, Phase } from '../../shared/events/vocabulary.js';
import type { Metrics } from '../../shared/metrics.js';

/** The named points of a transition where the chaos tests stop the process. */
export type CrashPoint = 'before-transition' | 'after-transition' | 'after-publish' | 'after-ack';

export interface LifecycleDeps {
  batches: BatchStore;
  publisher: Publisher;
  metrics: Metrics;
  /** Test-only: called at each named point; the chaos tests kill the process there. */
  reached?(point: CrashPoint): void;
}

/** The name under which this consumer's processed-event set is kept. */
export const LIFECYCLE_CONSUMER = 'lifecycle';

/**
 * Applies one event (or the batch's readiness timeout) to the batch's state, exactly once, and
 * publishes what the change caused. The transition answers with the whole outbox in the same
 * round trip: after a crash past the change, the retry's transition is a duplicate and answers
 * with what the earlier attempt left unpublished; a crash before it changed nothing.
 */
export async function applyLifecycleJob(
  job: LifecycleJob,
  deps: LifecycleDeps,
): Promise<Omit<TransitionResult, 'outbox'> | { detail: 'ignored' }> {
  const { batchId, id, change } = toTransition(job);
  if (!change) return { detail: 'ignored' };
  deps.reached?.('before-transition');
  const result = await deps.batches.transition(batchId, LIFECYCLE_CONSUMER, id, change);
  deps.reached?.('after-transition');
  const { outbox, ...summary } = result; // the job's return value: the outbox is not kept
  await deps.publisher.publishOutbox(batchId, outbox, job.correlation_id, () =>
    deps.reached?.('after-publish'),
  );
  deps.reached?.('after-ack');
  if ((result.becameReady || result.timedOut) && result.createdAtMs !== null) {
    deps.metrics.batchCompletion.observe(
      { status: result.becameReady ? 'ready' : 'timed_out' },
      (Date.now() - result.createdAtMs) / 1000,
    );
  }
  return summary;
}

function toTransition(job: LifecycleJob): {
  batchId: string;
  id: string;
  change: TransitionOp | null;
} {
  if ('kind' in job) {
    const batchId = job.batch_id;
    return {
      batchId,
      id: eventId(batchId, batchId, Phase.readiness, 'deadline'),
      change: { op: 'timeout' },
    };
  }
  const env = parseEnvelope(job) as Envelope;
  const batchId = (env.data as { batch_id: string }).batch_id;
  return { batchId, id: env.event_id, change: changeOf(env) };
}

function changeOf(env: Envelope): TransitionOp | null {
  switch (env.event_type) {
    case EventType.EssayContentProvisionedV1: {
      const d = env.data as Envelope<typeof EventType.EssayContentProvisionedV1>['data'];
      return {
        op: 'content',
        file_upload_id: d.file_upload_id,
        upload_id: d.upload_id,
        original_file_name: d.original_file_name,
        raw_storage_id: d.raw_storage_id,
        text_storage_id: d.text_storage_id,
      };
    }
    case EventType.EssayValidationFailedV1: {
      const d = env.data as Envelope<typeof EventType.EssayValidationFailedV1>['data'];
      return {
        op: 'failure',
        file_upload_id: d.file_upload_id,
        upload_id: d.upload_id,
        original_file_name: d.original_file_name,
        raw_storage_id: d.raw_storage_id,
        error_code: d.error_code,
        message: d.message,
      };
    }
    case EventType.EssayUploadFinishedV1: {
      const d = env.data as Envelope<typeof EventType.EssayUploadFinishedV1>['data'];
      return { op: 'upload_finished', upload_id: d.upload_id, expected_count: d.expected_count };
    }
    default:
      return null;
  }
}
