import { createHash } from 'node:crypto';
import type { ExtractFileJob, ExtractResult, HandedToOcr } from '../../queues/jobs.js';
import type { BlobStore } from '../../shared/blob-store.js';
import { ContentError } from '../../shared/errors.js';
import type { Metrics } from '../../shared/metrics.js';
import { validateContent, type ContentLimits } from './validate.js';

type Outcome = ExtractResult['outcome'];

/** Formats whose text only OCR can read. */
export type OcrFormat = 'pdf' | 'jpeg' | 'png' | 'tiff';

export interface ExtractDeps {
  blobs: BlobStore;
  metrics: Metrics;
  limits: ContentLimits;
  /** Bytes to normalised text, in the sandbox; throws ContentError for a file without text. */
  extract(bytes: Uint8Array, fileName: string): Promise<{ format: string; text: string }>;
  /** Tells the batch as the file finishes: a live notice, or (a late child) its outcome applied. */
  report(job: ExtractFileJob, outcome: Outcome): Promise<unknown>;
  /** Hands a photo, scan or PDF without a text layer to OCR, a child of the same upload. */
  handToOcr(job: ExtractFileJob, format: OcrFormat): Promise<void>;
}

/**
 * Turns one stored file into validated text and returns its outcome, which the upload's flow
 * parent applies: content (the text stored), or a content error. Content errors are that outcome;
 * anything else throws so the job retries. A photo or a scan goes to OCR instead: the OCR job
 * brings the file's outcome to the same parent, and this one says so.
 */
export async function extractFile(
  job: ExtractFileJob,
  deps: ExtractDeps,
): Promise<ExtractResult | HandedToOcr> {
  const read = await readFile(job, deps);
  if ('ocr' in read) {
    await deps.handToOcr(job, read.ocr);
    return { file_upload_id: job.file_upload_id, handed_to_ocr: true };
  }
  await deps.report(job, read.outcome);
  return { file_upload_id: job.file_upload_id, outcome: read.outcome };
}

async function readFile(
  job: ExtractFileJob,
  deps: ExtractDeps,
): Promise<{ outcome: Outcome } | { ocr: OcrFormat }> {
  const bytes = await deps.blobs.get(job.raw_storage_id);
  let text: string;
  try {
    let format: string;
    ({ format, text } = await deps.extract(bytes, job.original_file_name));
    const ocr = ocrFormatOf(format, text, deps.limits);
    if (ocr) return { ocr };
    validateContent(text, deps.limits);
  } catch (err) {
    if (!(err instanceof ContentError)) throw err;
    deps.metrics.validationFailed.inc({ error_code: err.code });
    return { outcome: { kind: 'failure', error_code: err.code, message: err.message } };
  }
  return { outcome: await storeText(text, deps.blobs) };
}

/**
 * An image always needs OCR; a PDF when its text layer holds less than an essay's minimum of
 * visible characters (none, or a scanner's stamp or page numbers over the scanned pages).
 */
function ocrFormatOf(format: string, text: string, limits: ContentLimits): OcrFormat | null {
  if (format === 'jpeg' || format === 'png' || format === 'tiff') return format;
  if (format === 'pdf' && text.replace(/\s/gu, '').length < Math.max(limits.minChars, 1))
    return 'pdf';
  return null;
}

/** Stores validated text and answers the content outcome that names it. */
export async function storeText(
  text: string,
  blobs: BlobStore,
): Promise<Extract<Outcome, { kind: 'content' }>> {
  return {
    kind: 'content',
    text_storage_id: await blobs.put(text),
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
