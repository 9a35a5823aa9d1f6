import { z } from 'zod';
import { errorCodes } from '../errors.js';
import { EventType } from './vocabulary.js';

const id = z.string().min(1).max(128);
const storageId = z.string().regex(/^[0-9a-f]{64}$/);

export const readyEssaySchema = z.object({
  essay_id: id,
  file_upload_id: id,
  text_storage_id: storageId,
  original_file_name: z.string(),
});

export const validationFailureSchema = z.object({
  file_upload_id: id,
  original_file_name: z.string(),
  error_code: z.enum(errorCodes),
  message: z.string(),
});

export const phaseOutcomes = [
  'COMPLETED_SUCCESSFULLY',
  'COMPLETED_WITH_FAILURES',
  'FAILED_CRITICALLY',
] as const;

export const excessReasons = [
  'NO_AVAILABLE_SLOT',
  'BATCH_NOT_REGISTERED',
  'BATCH_ALREADY_COMPLETED',
  'DUPLICATE_CONTENT',
] as const;

/** A file of a batch, as a teacher knows it. */
export const fileRefSchema = z.object({ file_upload_id: id, original_file_name: z.string() });

/** The `data` of every event type, one schema each. */
export const eventDataSchemas = {
  [EventType.EssayContentProvisionedV1]: z.object({
    batch_id: id,
    upload_id: id,
    file_upload_id: id,
    original_file_name: z.string(),
    raw_storage_id: storageId,
    text_storage_id: storageId,
    text_length: z.number().int().min(0),
    /** `ocr` when the text was read from a scan or photo by OCR; absent for a text layer, DOCX or TXT. */
    text_source: z.literal('ocr').optional(),
    /** With OCR: the mean word confidence (0-100) of the text. */
    ocr_confidence: z.number().min(0).max(100).optional(),
  }),
  [EventType.EssayValidationFailedV1]: validationFailureSchema.extend({
    batch_id: id,
    upload_id: id,
    raw_storage_id: storageId.nullable(),
    /** With OCR_LOW_CONFIDENCE: the mean word confidence (0-100) of the page read too unsurely. */
    ocr_confidence: z.number().min(0).max(100).optional(),
  }),
  [EventType.EssayUploadFinishedV1]: z.object({
    event: z.literal('essay.upload.finished'),
    batch_id: id,
    upload_id: id,
    expected_count: z.number().int().min(0),
    upload_ts: z.string(),
    correlation_id: z.string(),
  }),
  [EventType.EssayUploadAbandonedV1]: z.object({
    batch_id: id,
    upload_id: id,
    expected_count: z.number().int().min(0),
    reason: z.string(),
  }),
  [EventType.ExcessContentProvisionedV1]: z.object({
    batch_id: id,
    file_upload_id: id,
    original_file_name: z.string(),
    text_storage_id: storageId,
    reason: z.enum(excessReasons),
    /** With DUPLICATE_CONTENT: the earlier file whose essay holds the same bytes or text. */
    duplicate_of: fileRefSchema.optional(),
  }),
  [EventType.BatchEssaysReadyV1]: z.object({
    batch_id: id,
    ready_essays: z.array(readyEssaySchema),
    validation_failures: z.array(validationFailureSchema),
    total_files_processed: z.number().int().min(0),
  }),
  [EventType.BatchReadinessTimedOutV1]: z.object({
    batch_id: id,
    missing_n: z.number().int().min(0),
    expected_count: z.number().int().min(0),
    actual_count: z.number().int().min(0),
    ready_essays: z.array(readyEssaySchema),
    validation_failures: z.array(validationFailureSchema),
  }),
  [EventType.BatchEssayRevivedV1]: z.object({
    batch_id: id,
    essay: readyEssaySchema,
  }),
  [EventType.SpellCheckCompletedV1]: z.object({
    batch_id: id,
    essay_id: id,
    status: z.enum(['completed', 'failed']),
    language: z.enum(['en', 'sv']),
    corrections_made: z.number().int().min(0),
    misspellings: z.array(
      z.object({
        word: z.string(),
        offset: z.number().int().min(0),
        suggestions: z.array(z.string()),
      }),
    ),
    corrected_text_storage_id: storageId.nullable(),
    message: z.string().optional(),
    // optional: results published before these fields existed still parse
    /** What the essay is written in (`und`: the detector and the dictionaries do not agree). */
    language_detected: z.enum(['en', 'sv', 'und']).optional(),
    /** The language it was checked in; null when it was not checked (`skipped` says why). */
    language_checked: z.enum(['en', 'sv']).nullable().optional(),
    skipped: z
      .object({
        reason: z.enum(['language_unclear', 'unsupported_language', 'too_many_unknown_words']),
        message: z.string(),
      })
      .nullable()
      .optional(),
    /** The replacements made in the corrected text; offsets point into the original text. */
    corrections: z
      .array(
        z.object({ word: z.string(), offset: z.number().int().min(0), replacement: z.string() }),
      )
      .optional(),
    /** Flagged words left as written, with what they might be. */
    unknown_words: z
      .array(
        z.object({
          word: z.string(),
          offset: z.number().int().min(0),
          suggestions: z.array(z.string()),
        }),
      )
      .optional(),
  }),
  [EventType.BatchPhaseCompletedV1]: z.object({
    batch_id: id,
    phase: z.literal('spellcheck'),
    outcome: z.enum(phaseOutcomes),
    essays_total: z.number().int().min(0),
    essays_succeeded: z.number().int().min(0),
    essays_failed: z.number().int().min(0),
  }),
} satisfies Record<EventType, z.ZodType>;

export type EventData<T extends EventType> = z.infer<(typeof eventDataSchemas)[T]>;
