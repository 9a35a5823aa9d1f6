import type { BatchStatus, FileRef } from '../../shared/batches/types.js';
import type { ReceivedFile } from './receive-files.js';

/** One file of an upload's answer. */
export interface FileAnswer {
  file_upload_id: string;
  original_file_name: string;
  size_bytes: number;
  raw_storage_id: string | null;
  /** accepted: stored, and it will get its outcome; rejected: refused here, with its code. */
  status: 'accepted' | 'rejected';
  error_code?: string;
  /** Set when the file is accepted but will be excess, with why (as the batch will record it). */
  excess_reason?: 'BATCH_ALREADY_COMPLETED' | 'DUPLICATE_CONTENT';
  duplicate_of?: FileRef;
}

/**
 * What the client is told of each file, as far as it can be told before extraction: a file for
 * a batch that is ready or timed out will be excess; so will one whose bytes an essay of the
 * batch already holds, or an earlier file of this request. (The same text in another file
 * format is found only once both are read: the batch view and the event say so then.)
 */
export function answerFiles(
  files: ReceivedFile[],
  batch: { status: BatchStatus | null; holders: Record<string, FileRef> },
): FileAnswer[] {
  const seen = new Map<string, FileRef>(Object.entries(batch.holders));
  const completed = batch.status === 'ready' || batch.status === 'timed_out';
  return files.map((f) => {
    const answer: FileAnswer = {
      file_upload_id: f.file_upload_id,
      original_file_name: f.original_file_name,
      size_bytes: f.size_bytes,
      raw_storage_id: f.raw_storage_id,
      status: f.rejected_code ? 'rejected' : 'accepted',
    };
    if (f.rejected_code) return { ...answer, error_code: f.rejected_code };
    if (completed) return { ...answer, excess_reason: 'BATCH_ALREADY_COMPLETED' };
    const holder = f.raw_storage_id ? seen.get(f.raw_storage_id) : undefined;
    if (holder) return { ...answer, excess_reason: 'DUPLICATE_CONTENT', duplicate_of: holder };
    if (f.raw_storage_id)
      seen.set(f.raw_storage_id, {
        file_upload_id: f.file_upload_id,
        original_file_name: f.original_file_name,
      });
    return answer;
  });
}
