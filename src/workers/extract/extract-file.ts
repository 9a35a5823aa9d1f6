import { createHash } from 'node:crypto';
import type { ExtractFileJob, ExtractResult } from '../../queues/jobs.js';
import type { BlobStore } from '../../shared/blob-store.js';
import { ContentError } from '../../shared/errors.js';
import type { Metrics } from '../../shared/metrics.js';
import { validateContent, type ContentLimits } from './validate.js';

type Outcome = ExtractResult['outcome'];

export interface ExtractDeps {
  blobs: BlobStore;
  metrics: Metrics;
  limits: ContentLimits;
  /** Bytes to normalised text, in the sandbox; throws ContentError for a file without text. */
  extract(bytes: Uint8Array, fileName: string): Promise<{ text: string }>;
  /** Tells the batch as the file finishes: a live notice, or (a late child) its outcome applied. */
  report(job: ExtractFileJob, outcome: Outcome): Promise<unknown>;
}

/**
 * Turns one stored file into validated text and returns its outcome, which the upload's flow
 * parent applies: content (the text stored), or a content error. Content errors are that outcome;
 * anything else throws so the job retries.
 */
export async function extractFile(job: ExtractFileJob, deps: ExtractDeps): Promise<ExtractResult> {
  const outcome = await outcomeOf(job, deps);
  await deps.report(job, outcome);
  return { file_upload_id: job.file_upload_id, outcome };
}

async function outcomeOf(job: ExtractFileJob, deps: ExtractDeps): Promise<Outcome> {
  const bytes = await deps.blobs.get(job.raw_storage_id);
  let text: string;
  try {
    ({ text } = await deps.extract(bytes, job.original_file_name));
    validateContent(text, deps.limits);
  } catch (err) {
    if (!(err instanceof ContentError)) throw err;
    deps.metrics.validationFailed.inc({ error_code: err.code });
    return { kind: 'failure', error_code: err.code, message: err.message };
  }
  const textStorageId = await deps.blobs.put(text);
  return {
    kind: 'content',
    text_storage_id: textStorageId,
    text_length: text.length,
    text_fingerprint: textFingerprint(text),
  };
}

/**
 * The same essay's text whatever file it came in: a PDF breaks its lines where the page did, a
 * DOCX where the paragraphs end, and either may differ in case in a heading. White space and
 * case are folded before hashing, so a batch can tell a resubmitted essay from a new one.
 */
export function textFingerprint(text: string): string {
  const folded = text.normalize('NFC').toLocaleLowerCase('sv').replace(/\s+/gu, ' ').trim();
  return createHash('sha256').update(folded).digest('hex');
}
