import type { ExtractResult, OcrFileJob } from '../../queues/jobs.js';
import type { BlobStore } from '../../shared/blob-store.js';
import { ContentError } from '../../shared/errors.js';
import type { Metrics } from '../../shared/metrics.js';
import { storeText } from '../extract/extract-file.js';
import { validateContent, type ContentLimits } from '../extract/validate.js';
import { OcrLowConfidenceError, type OcrReading } from './ocr-document.js';

type Outcome = ExtractResult['outcome'];

export interface OcrDeps {
  blobs: BlobStore;
  metrics: Metrics;
  limits: ContentLimits;
  /** Reads a scan or photo (tesseract, with its limits); throws ContentError for an unreadable one. */
  ocr(bytes: Uint8Array, job: OcrFileJob): Promise<OcrReading>;
  /** Tells the batch as the file finishes: a live notice, or (a late child) its outcome applied. */
  report(job: OcrFileJob, outcome: Outcome): Promise<unknown>;
}

/**
 * Reads one photo or scan with OCR and returns the file's outcome for its upload's parent, as
 * an extract child does: the text (marked `ocr`, with its mean word confidence), or a content
 * error; `OCR_LOW_CONFIDENCE` with the confidence when a page was read too unsurely to pass for
 * the essay. Anything else throws so the job retries.
 */
export async function ocrFile(job: OcrFileJob, deps: OcrDeps): Promise<ExtractResult> {
  const outcome = await outcomeOf(job, deps);
  await deps.report(job, outcome);
  return { file_upload_id: job.file_upload_id, outcome };
}

async function outcomeOf(job: OcrFileJob, deps: OcrDeps): Promise<Outcome> {
  const bytes = await deps.blobs.get(job.raw_storage_id);
  let reading: OcrReading;
  try {
    reading = await deps.ocr(bytes, job);
    validateContent(reading.text, deps.limits);
  } catch (err) {
    if (!(err instanceof ContentError)) throw err;
    deps.metrics.validationFailed.inc({ error_code: err.code });
    return {
      kind: 'failure',
      error_code: err.code,
      message: err.message,
      ...(err instanceof OcrLowConfidenceError ? { ocr_confidence: err.confidence } : {}),
    };
  }
  return {
    ...(await storeText(reading.text, deps.blobs)),
    text_source: 'ocr',
    ...(reading.confidence === null ? {} : { ocr_confidence: reading.confidence }),
  };
}
