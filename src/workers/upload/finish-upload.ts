import type { FinishUploadJob } from '../../queues/jobs.js';
import type { Publisher } from '../../queues/publisher.js';
import { EventType, Phase } from '../../shared/events/vocabulary.js';

/**
 * Runs after every file of one upload request has finished (failed ones included) and tells the
 * lifecycle how many files that request carried.
 */
export async function finishUpload(job: FinishUploadJob, deps: { publisher: Publisher }) {
  await deps.publisher.emit(
    EventType.EssayUploadFinishedV1,
    {
      event: 'essay.upload.finished',
      batch_id: job.batch_id,
      upload_id: job.upload_id,
      expected_count: job.expected_count,
      upload_ts: job.upload_ts,
      correlation_id: job.correlation_id,
    },
    { batchId: job.batch_id, subjectId: job.upload_id, phase: Phase.upload, outcome: 'finished' },
    job.correlation_id,
  );
  return { status: 'finished', expected_count: job.expected_count };
}
