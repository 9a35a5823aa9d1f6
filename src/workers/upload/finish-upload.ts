import type { ChildrenOutcomes } from '../../queues/create-worker.js';
import {
  extractResultSchema,
  ocrJobId,
  type FinishUploadJob,
  type ManifestFile,
} from '../../queues/jobs.js';
import { QueueName } from '../../queues/names.js';
import type { BatchTransitions } from '../../shared/batches/transitions.js';
import type { FileOutcome } from '../../shared/batches/types.js';
import { errorMessages } from '../../shared/errors.js';
import { runBatchStep, type BatchStepDeps } from '../batch-step.js';

export interface DeadChild {
  queue: typeof QueueName.extract | typeof QueueName.ocr;
  id: string;
}

export interface FinishUploadDeps extends BatchStepDeps {
  transitions: BatchTransitions;
  /** Records the deaths of these children (extract or OCR jobs) in the dead-letter queue (once each). */
  recordDeadChildren(children: DeadChild[]): Promise<void>;
}

/**
 * The reconciler of an upload's flow: runs when every file of the request has finished (dead
 * ones included) and applies the whole upload to its batch in one step: each file's slot,
 * failure or excess, PROCESSING_FAILED for each child that died, then the upload's count and,
 * if that completes the batch, its readiness. Then each of those deaths gets its DLQ record.
 */
export async function finishUpload(
  job: FinishUploadJob,
  deps: FinishUploadDeps,
  readChildren: () => Promise<ChildrenOutcomes>,
): Promise<{ detail: string }> {
  let children = await readChildren();
  let result = await apply(job, deps, children);
  // a child seen dead may have been retried from the board while this ran: once it is done
  // (reading the children again waits for it) its value replaces PROCESSING_FAILED; one that
  // finishes after this read finds its upload applied and applies itself
  if (result.dead.length > 0) {
    children = await readChildren();
    if (result.dead.some((id) => childOutcome(id, children)))
      result = await apply(job, deps, children);
  }
  // the deaths behind the files that are PROCESSING_FAILED now; a retried parent records what
  // a crashed one left
  await deps.recordDeadChildren(result.dead.flatMap((id) => deathsOf(id, children)));
  return { detail: result.detail };
}

function apply(job: FinishUploadJob, deps: FinishUploadDeps, children: ChildrenOutcomes) {
  const files = job.files.map((f) => ({
    file_upload_id: f.file_upload_id,
    original_file_name: f.original_file_name,
    raw_storage_id: f.raw_storage_id,
    outcome: outcomeOf(f, children),
  }));
  return runBatchStep(job.batch_id, job.correlation_id, deps, () =>
    deps.transitions.applyUpload(
      job.batch_id,
      {
        upload_id: job.upload_id,
        expected_count: job.expected_count,
        upload_ts: job.upload_ts,
        correlation_id: job.correlation_id,
      },
      files,
    ),
  );
}

function outcomeOf(file: ManifestFile, children: ChildrenOutcomes): FileOutcome {
  if (file.rejected_code)
    return {
      kind: 'failure',
      error_code: file.rejected_code,
      message: errorMessages[file.rejected_code],
    };
  const outcome = childOutcome(file.file_upload_id, children);
  if (outcome) return outcome;
  // died for good; or, for a parent that died itself, not finished yet (it then reports late)
  const id = file.file_upload_id;
  const reason =
    children.failures[ocrJobId(id)] ??
    children.failures[id] ??
    'no outcome when its upload was applied';
  return { kind: 'dead', message: `${errorMessages.PROCESSING_FAILED} (${reason})` };
}

/**
 * A file's outcome from its children: its OCR child's when its extract child handed it over
 * (that one returned no outcome), else its extract child's; null while neither has one.
 */
function childOutcome(fileUploadId: string, children: ChildrenOutcomes): FileOutcome | null {
  for (const id of [ocrJobId(fileUploadId), fileUploadId]) {
    const value = extractResultSchema.safeParse(children.values[id]);
    if (value.success) return value.data.outcome;
  }
  return null;
}

function deathsOf(fileUploadId: string, children: ChildrenOutcomes): DeadChild[] {
  const ocr = ocrJobId(fileUploadId);
  return [
    ...(fileUploadId in children.failures ? [{ queue: QueueName.extract, id: fileUploadId }] : []),
    ...(ocr in children.failures ? [{ queue: QueueName.ocr, id: ocr }] : []),
  ];
}
