import { z } from 'zod';
import { errorCodes } from '../shared/errors.js';
import { envelopeSchema } from '../shared/events/envelope.js';

const id = z.string().min(1).max(128);
const storageId = z.string().regex(/^[0-9a-f]{64}$/);

/** One stored file of an upload, to extract and validate; its outcome is the job's return value. */
export const extractFileJobSchema = z.object({
  batch_id: id,
  upload_id: id,
  file_upload_id: id,
  original_file_name: z.string().max(1024),
  raw_storage_id: storageId,
  size_bytes: z.number().int().min(0),
  correlation_id: z.string(),
});
export type ExtractFileJob = z.infer<typeof extractFileJobSchema>;

/**
 * A photo, a scan, or a PDF without a usable text layer, handed by its extract child to OCR: a
 * child of the same upload parent, so the parent still applies the upload once, with this job's
 * outcome for the file. `languages` is tesseract's (`swe`, `eng`, `swe+eng`), from the course.
 */
export const ocrFileJobSchema = extractFileJobSchema.extend({
  format: z.enum(['pdf', 'jpeg', 'png', 'tiff']),
  languages: z.enum(['swe', 'eng', 'swe+eng']),
});
export type OcrFileJob = z.infer<typeof ocrFileJobSchema>;

/** An OCR child's job id: its file's id, marked (one file, one OCR job, however often handed). */
export const ocrJobId = (fileUploadId: string) => `${fileUploadId}-ocr`;

/** A file of an upload as its flow parent knows it: a part the API refused has its code. */
export const manifestFileSchema = z.object({
  file_upload_id: id,
  original_file_name: z.string().max(1024),
  raw_storage_id: storageId.nullable(),
  size_bytes: z.number().int().min(0),
  rejected_code: z.enum(errorCodes).optional(),
});
export type ManifestFile = z.infer<typeof manifestFileSchema>;

/**
 * The parent of an upload's flow: runs once every file of the request has finished (or died),
 * and applies the whole upload to its batch.
 */
export const finishUploadJobSchema = z.object({
  batch_id: id,
  upload_id: id,
  expected_count: z.number().int().min(0),
  upload_ts: z.string(),
  correlation_id: z.string(),
  files: z.array(manifestFileSchema),
});
export type FinishUploadJob = z.infer<typeof finishUploadJobSchema>;

/** What an extract child returns: the outcome its parent applies. */
export const fileOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('content'),
    text_storage_id: storageId,
    text_length: z.number().int().min(0),
    text_fingerprint: storageId.optional(),
    /** `ocr` when OCR read the text; absent for a text layer, DOCX or TXT. */
    text_source: z.literal('ocr').optional(),
    /** With OCR: the mean word confidence, 0-100. */
    ocr_confidence: z.number().min(0).max(100).optional(),
  }),
  z.object({
    kind: z.literal('failure'),
    error_code: z.enum(errorCodes),
    message: z.string(),
    /** With OCR_LOW_CONFIDENCE: the mean word confidence of the page that was too unsure. */
    ocr_confidence: z.number().min(0).max(100).optional(),
  }),
]);
export const extractResultSchema = z.object({ file_upload_id: id, outcome: fileOutcomeSchema });
export type ExtractResult = z.infer<typeof extractResultSchema>;

/** What an extract child returns when its file went to OCR: the OCR child brings the outcome. */
export const handedToOcrSchema = z.object({ file_upload_id: id, handed_to_ocr: z.literal(true) });
export type HandedToOcr = z.infer<typeof handedToOcrSchema>;

export const readinessTimeoutJobSchema = z.object({
  kind: z.literal('readiness_timeout'),
  batch_id: id,
  correlation_id: z.string(),
});
export type ReadinessTimeoutJob = z.infer<typeof readinessTimeoutJobSchema>;

/** Scheduled when the API announces an upload: if its flow never came, it stops holding the batch. */
export const uploadLeaseJobSchema = z.object({
  kind: z.literal('upload_lease'),
  batch_id: id,
  upload_id: id,
  correlation_id: z.string(),
  /** How many times the lease was renewed (its flow existed while the upload was open). */
  round: z.number().int().min(0).default(0),
});
export type UploadLeaseJob = z.infer<typeof uploadLeaseJobSchema>;

/** The lifecycle queue keeps a batch's clocks: its readiness deadline and its uploads' leases. */
export const lifecycleJobSchema = z.discriminatedUnion('kind', [
  readinessTimeoutJobSchema,
  uploadLeaseJobSchema,
]);
export type LifecycleJob = z.infer<typeof lifecycleJobSchema>;

/** The SpellcheckInitiate command: check one essay's text. */
export const spellcheckJobSchema = z.object({
  batch_id: id,
  essay_id: id,
  text_storage_id: storageId,
  language: z.enum(['en', 'sv']),
  correlation_id: z.string(),
});
export type SpellcheckJob = z.infer<typeof spellcheckJobSchema>;

/** The orchestrator reacts to readiness, revived essays and spellcheck results. */
export const orchestrateJobSchema = envelopeSchema;

/** The janitor's round: nothing to say, the schedule is the message. */
export const maintenanceJobSchema = z.object({});

/** One event for one webhook endpoint (by its key: the job never carries the secret). */
export const webhookJobSchema = z.object({
  endpoint: z.string().regex(/^[0-9a-f]{16}$/),
  /** The endpoint's URL without its query, so the board says where a dead delivery went. */
  endpoint_url: z.string(),
  event: envelopeSchema,
});
export type WebhookJob = z.infer<typeof webhookJobSchema>;
