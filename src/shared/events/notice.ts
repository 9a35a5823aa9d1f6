import { z } from 'zod';
import { errorCodes } from '../errors.js';

/**
 * A live notice on a batch's channel: a file finished extraction, before its upload is applied.
 * Not an event: not kept, not replayed, no id; the upload's events in the log are the record.
 * The event stream sends it as `event: notice`.
 */
export const fileProcessedNoticeSchema = z.object({
  notice: z.literal('file_processed'),
  batch_id: z.string(),
  upload_id: z.string(),
  file_upload_id: z.string(),
  original_file_name: z.string(),
  outcome: z.enum(['content', 'failure']),
  error_code: z.enum(errorCodes).optional(),
});
export type FileProcessedNotice = z.infer<typeof fileProcessedNoticeSchema>;
