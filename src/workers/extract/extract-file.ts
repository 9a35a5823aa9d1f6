import type { ExtractFileJob } from '../../queues/jobs.js';
import type { Publisher } from '../../queues/publisher.js';
import type { BlobStore } from '../../shared/blob-store.js';
import { ContentError, ErrorCode, errorMessages } from '../../shared/errors.js';
import { EventType, Phase } from '../../shared/events/vocabulary.js';
import type { Metrics } from '../../shared/metrics.js';
import { validateContent, type ContentLimits } from './validate.js';

export interface ExtractDeps {
  blobs: BlobStore;
  publisher: Publisher;
  metrics: Metrics;
  limits: ContentLimits;
  /** Bytes to normalised text, in the sandbox; throws ContentError for a file without text. */
  extract(bytes: Uint8Array, fileName: string): Promise<{ text: string }>;
}

export type ExtractOutcome =
  { status: 'provisioned'; text_storage_id: string } | { status: 'failed'; error_code: ErrorCode };

/**
 * Turns one stored file into validated text and says so with exactly one event: content
 * provisioned, or validation failed. Content errors are that outcome; anything else throws so
 * the job retries.
 */
export async function extractFile(job: ExtractFileJob, deps: ExtractDeps): Promise<ExtractOutcome> {
  const fail = async (err: ContentError): Promise<ExtractOutcome> => {
    await publishFailure(job, deps.publisher, err, 'failed');
    deps.metrics.validationFailed.inc({ error_code: err.code });
    return { status: 'failed', error_code: err.code };
  };

  if (job.rejected_code || job.raw_storage_id === null) {
    return fail(new ContentError(job.rejected_code ?? 'PROCESSING_FAILED'));
  }
  const bytes = await deps.blobs.get(job.raw_storage_id);
  let text: string;
  try {
    ({ text } = await deps.extract(bytes, job.original_file_name));
    validateContent(text, deps.limits);
  } catch (err) {
    if (err instanceof ContentError) return fail(err);
    throw err;
  }
  const textStorageId = await deps.blobs.put(text);
  await deps.publisher.emit(
    EventType.EssayContentProvisionedV1,
    {
      batch_id: job.batch_id,
      upload_id: job.upload_id,
      file_upload_id: job.file_upload_id,
      original_file_name: job.original_file_name,
      raw_storage_id: job.raw_storage_id,
      text_storage_id: textStorageId,
      text_length: text.length,
    },
    {
      batchId: job.batch_id,
      subjectId: job.file_upload_id,
      phase: Phase.extraction,
      outcome: 'provisioned',
    },
    job.correlation_id,
  );
  return { status: 'provisioned', text_storage_id: textStorageId };
}

/**
 * A file whose extraction job died (out of attempts): it still gets its one outcome,
 * PROCESSING_FAILED, so its batch can complete. A later successful retry replaces it.
 */
export async function reportDeadFile(
  job: ExtractFileJob,
  publisher: Publisher,
  reason: string,
): Promise<void> {
  await publishFailure(
    job,
    publisher,
    new ContentError(ErrorCode.PROCESSING_FAILED, `${errorMessages.PROCESSING_FAILED} (${reason})`),
    'dead_lettered',
  );
}

function publishFailure(
  job: ExtractFileJob,
  publisher: Publisher,
  err: ContentError,
  outcome: string,
) {
  return publisher.emit(
    EventType.EssayValidationFailedV1,
    {
      batch_id: job.batch_id,
      upload_id: job.upload_id,
      file_upload_id: job.file_upload_id,
      original_file_name: job.original_file_name,
      raw_storage_id: job.raw_storage_id,
      error_code: err.code,
      message: err.message,
    },
    { batchId: job.batch_id, subjectId: job.file_upload_id, phase: Phase.extraction, outcome },
    job.correlation_id,
  );
}
