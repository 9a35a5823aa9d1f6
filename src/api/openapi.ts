import { z } from 'zod';
import { createDocument } from 'zod-openapi';
import { errorCodes } from '../shared/errors.js';
import { envelopeSchema } from '../shared/events/envelope.js';
import { deadLetterSchema } from '../queues/dead-letters.js';
import { excessReasons } from '../shared/events/schemas.js';
import { registerBodySchema } from './routes/batches.js';
import { deadLetterIdSchema } from './routes/dead-letters.js';

const uuid = z.string().uuid();
const storageId = z.string().regex(/^[0-9a-f]{64}$/);

const errorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .meta({ id: 'Error' });

const fileRef = z
  .object({ file_upload_id: uuid, original_file_name: z.string() })
  .meta({ id: 'FileRef' });

const registered = z
  .object({ batch_id: uuid, correlation_id: z.string(), status: z.literal('registered') })
  .meta({ id: 'BatchRegistered' });

const uploaded = z
  .object({
    batch_id: uuid,
    correlation_id: z.string(),
    upload_id: uuid,
    batch_status: z
      .enum(['awaiting_content', 'ready', 'timed_out'])
      .meta({ description: 'The batch when the upload came: ready or timed out means late' }),
    files: z.array(
      z.object({
        file_upload_id: uuid,
        original_file_name: z.string(),
        size_bytes: z.number().int(),
        raw_storage_id: storageId.nullable(),
        status: z.enum(['accepted', 'rejected']),
        error_code: z.enum(errorCodes).optional(),
        excess_reason: z.enum(['BATCH_ALREADY_COMPLETED', 'DUPLICATE_CONTENT']).optional().meta({
          description:
            'Accepted, but it will be excess: the batch is already ready or timed out (a late file), or an essay of the batch (or an earlier file of this request) has the same bytes. The same text in another format is found after extraction, in the batch view.',
        }),
        duplicate_of: fileRef.optional(),
      }),
    ),
  })
  .meta({ id: 'UploadAccepted' });

const spellcheckResult = z.object({
  status: z.enum(['completed', 'failed']),
  corrections_made: z.number().int(),
  corrected_text_storage_id: storageId.nullable(),
  language_detected: z.enum(['en', 'sv', 'und']).optional(),
  skipped: z.string().nullable().optional(),
});

const batchView = z
  .object({
    batch_id: uuid,
    status: z.enum(['awaiting_content', 'ready', 'timed_out']),
    course_code: z.string(),
    language: z.enum(['en', 'sv']),
    expected_count: z.number().int(),
    received_count_from_uploads: z.number().int(),
    ready_count: z.number().int(),
    failed_count: z.number().int(),
    excess_count: z.number().int(),
    created_at: z.string(),
    completed_at: z.string().nullable(),
    correlation_id: z.string(),
    essays: z.array(
      z.object({
        essay_id: uuid,
        file_upload_id: uuid,
        original_file_name: z.string(),
        raw_storage_id: storageId,
        text_storage_id: storageId,
        status: z.literal('ready'),
        text_source: z
          .literal('ocr')
          .optional()
          .describe('`ocr` when the text was read from a scan or photo; absent otherwise'),
        ocr_confidence: z.number().optional().describe('with OCR: mean word confidence, 0-100'),
        spellcheck: spellcheckResult.nullable(),
      }),
    ),
    phases: z.object({
      spellcheck: z
        .object({
          status: z.enum(['running', 'completed']),
          outcome: z.string().nullable(),
          expected: z.number(),
          succeeded: z.number(),
          failed: z.number(),
        })
        .nullable(),
    }),
    validation_failures: z.array(
      z.object({
        file_upload_id: uuid,
        original_file_name: z.string(),
        error_code: z.enum(errorCodes),
        message: z.string(),
      }),
    ),
    excess: z.array(
      z.object({
        file_upload_id: uuid,
        original_file_name: z.string(),
        reason: z.enum(excessReasons),
        duplicate_of: fileRef.optional(),
      }),
    ),
  })
  .meta({ id: 'Batch' });

const deadLetter = deadLetterSchema
  .extend({
    id: z.string(),
    job_state: z.string().meta({
      description: 'the job now: failed until redriven, then waiting, active, completed … or gone',
    }),
  })
  .meta({ id: 'DeadLetter' });

const json = (schema: z.ZodType, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const problem = (description: string) => json(errorSchema, description);
const batchIdParam = { path: z.object({ batch_id: uuid }) };

/** The OpenAPI 3.1 document, generated from the same zod schemas the API validates with. */
export function openApiDocument(maxExpected: number) {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Essay intake fleet',
      version: '1',
      description:
        'Register batches of student essays, upload PDF/DOCX/TXT files (or scans and photos, read by OCR), follow each batch to readiness and spellcheck.',
    },
    paths: {
      '/v1/batches/register': {
        post: {
          summary: 'Register a batch: expected essays, course, optional readiness timeout',
          requestBody: {
            content: {
              'application/json': {
                schema: registerBodySchema(maxExpected).meta({ id: 'BatchRegistration' }),
              },
            },
          },
          responses: {
            '202': json(registered, 'Registered'),
            '400': problem('Invalid body'),
            '415': problem('Not JSON'),
          },
        },
      },
      '/v1/files/batch': {
        post: {
          summary: 'Upload files to a batch (multipart: a batch_id field first, then files parts)',
          requestParams: { header: z.object({ 'x-correlation-id': z.string().optional() }) },
          requestBody: {
            content: {
              'multipart/form-data': {
                schema: z.object({
                  batch_id: uuid,
                  files: z.array(z.string().meta({ format: 'binary' })),
                }),
              },
            },
          },
          responses: {
            '202': json(uploaded, 'Stored; each file will get one outcome'),
            '400': problem(
              'Malformed, cut off, batch_id missing or given twice (DUPLICATE_BATCH_ID)',
            ),
            '404': problem('Unknown batch'),
            '413': problem('Too many parts'),
            '503': problem('Extraction backlog full: retry after Retry-After seconds'),
          },
        },
      },
      '/v1/batches/{batch_id}': {
        get: {
          summary: 'A batch and every file outcome',
          requestParams: batchIdParam,
          responses: { '200': json(batchView, 'The batch'), '404': problem('Unknown batch') },
        },
      },
      '/v1/batches/{batch_id}/events': {
        get: {
          summary:
            "The batch's event log, oldest first; Server-Sent Events with Accept: text/event-stream",
          requestParams: batchIdParam,
          responses: {
            '200': {
              description: 'The events',
              content: {
                'application/json': {
                  schema: z.object({
                    events: z.array(envelopeSchema.meta({ id: 'EventEnvelope' })),
                  }),
                },
                'text/event-stream': { schema: z.string() },
              },
            },
            '404': problem('Unknown batch'),
          },
        },
      },
      '/v1/essays/{essay_id}/text': {
        get: {
          summary: "An essay's extracted text, or with variant=corrected its spellchecked text",
          requestParams: {
            path: z.object({ essay_id: uuid }),
            query: z.object({ variant: z.enum(['original', 'corrected']).optional() }),
          },
          responses: {
            '200': { description: 'The text', content: { 'text/plain': { schema: z.string() } } },
            '404': problem('Unknown essay, or no such text yet'),
          },
        },
      },
      '/v1/dead-letters': {
        get: {
          summary:
            'Dead letters, newest first: jobs that ran out of attempts (extraction, uploads, spellcheck, webhook deliveries)',
          requestParams: {
            query: z.object({ limit: z.number().int().min(1).max(500).optional() }),
          },
          responses: {
            '200': json(z.object({ dead_letters: z.array(deadLetter) }), 'The dead letters'),
            '400': problem('Invalid limit'),
          },
        },
      },
      '/v1/dead-letters/{id}/redrive': {
        post: {
          summary:
            "Redrive a dead letter: its job runs again (the board's Retry). Send {} as application/json",
          requestParams: { path: z.object({ id: deadLetterIdSchema }) },
          requestBody: { content: { 'application/json': { schema: z.object({}) } } },
          responses: {
            '202': json(deadLetter, 'The job is back in its queue'),
            '404': problem('No such dead letter'),
            '409': problem('Its job is no longer failed (redriven already, or removed): NOT_DEAD'),
            '415': problem('Not JSON'),
          },
        },
      },
      '/healthz': {
        get: {
          summary: 'The process runs',
          responses: { '200': json(z.object({ status: z.literal('ok') }), 'OK') },
        },
      },
      '/readyz': {
        get: {
          summary: 'Redis answers',
          responses: {
            '200': json(z.object({ status: z.string() }), 'Ready'),
            '503': json(z.object({ status: z.string() }), 'Not ready'),
          },
        },
      },
    },
  });
}
