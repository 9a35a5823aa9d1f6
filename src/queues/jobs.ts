import { z } from 'zod';
import { errorCodes } from '../shared/errors.js';
import { envelopeSchema } from '../shared/events/envelope.js';

const id = z.string().min(1).max(128);

/** One file of an upload, to extract and validate. `rejected_code` marks a part the API refused. */
export const extractFileJobSchema = z.object({
  batch_id: id,
  upload_id: id,
  file_upload_id: id,
  original_file_name: z.string().max(1024),
  raw_storage_id: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  size_bytes: z.number().int().min(0),
  correlation_id: z.string(),
  rejected_code: z.enum(errorCodes).optional(),
});
export type ExtractFileJob = z.infer<typeof extractFileJobSchema>;

/** The parent of an upload's flow: runs once every file of the request has finished. */
export const finishUploadJobSchema = z.object({
  batch_id: id,
  upload_id: id,
  expected_count: z.number().int().min(0),
  upload_ts: z.string(),
  correlation_id: z.string(),
});
export type FinishUploadJob = z.infer<typeof finishUploadJobSchema>;

export const readinessTimeoutJobSchema = z.object({
  kind: z.literal('readiness_timeout'),
  batch_id: id,
  correlation_id: z.string(),
});
export type ReadinessTimeoutJob = z.infer<typeof readinessTimeoutJobSchema>;

/** The lifecycle queue carries events and the batch's delayed readiness timeout. */
export const lifecycleJobSchema = z.union([readinessTimeoutJobSchema, envelopeSchema]);
export type LifecycleJob = z.infer<typeof lifecycleJobSchema>;

/** The SpellcheckInitiate command: check one essay's text. */
export const spellcheckJobSchema = z.object({
  batch_id: id,
  essay_id: id,
  text_storage_id: z.string().regex(/^[0-9a-f]{64}$/),
  language: z.enum(['en', 'sv']),
  correlation_id: z.string(),
});
export type SpellcheckJob = z.infer<typeof spellcheckJobSchema>;

/** The orchestrator reacts to readiness and to spellcheck results. */
export const orchestrateJobSchema = envelopeSchema;
