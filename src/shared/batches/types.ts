import type { ErrorCode } from '../errors.js';

export type BatchStatus = 'awaiting_content' | 'ready' | 'timed_out';
export type Language = 'en' | 'sv';

export interface BatchRegistration {
  batch_id: string;
  expected_count: number;
  course_code: string;
  language: Language;
  essay_instructions?: string;
  class_designation?: string;
  teacher_name?: string;
  readiness_timeout_seconds: number;
  correlation_id: string;
}

export interface EssayRecord {
  essay_id: string;
  file_upload_id: string;
  original_file_name: string;
  raw_storage_id: string;
  text_storage_id: string;
  status: 'ready';
  /** `ocr` when the text was read from a scan or photo (absent otherwise). */
  text_source?: 'ocr';
  ocr_confidence?: number;
}

export type FileOutcomeRecord =
  | {
      kind: 'ready';
      file_upload_id: string;
      upload_id: string;
      original_file_name: string;
      essay_id: string;
    }
  | {
      kind: 'failed';
      file_upload_id: string;
      upload_id: string;
      original_file_name: string;
      raw_storage_id: string | null;
      error_code: ErrorCode;
      message: string;
    }
  | {
      kind: 'excess';
      file_upload_id: string;
      upload_id: string;
      original_file_name: string;
      raw_storage_id: string;
      text_storage_id: string;
      reason: string;
      /** For DUPLICATE_CONTENT: the file whose essay already holds these bytes or this text. */
      duplicate_of?: FileRef;
    };

/** A file of a batch, as a teacher knows it. */
export interface FileRef {
  file_upload_id: string;
  original_file_name: string;
}

/** What one file of an upload came to: its text, a content error, or a job that died. */
export type FileOutcome =
  | {
      kind: 'content';
      text_storage_id: string;
      text_length: number;
      /** Of the text with white space and case folded: the same essay from a DOCX and a PDF. */
      text_fingerprint?: string;
      /** `ocr` when the text was read from a scan or photo. */
      text_source?: 'ocr';
      /** With OCR: the mean word confidence (0-100). */
      ocr_confidence?: number;
    }
  | { kind: 'failure'; error_code: ErrorCode; message: string; ocr_confidence?: number }
  | { kind: 'dead'; message: string };

/** A file of an upload as its batch records it. */
export interface UploadedFile {
  file_upload_id: string;
  original_file_name: string;
  /** null when the part broke a limit and its bytes were not kept. */
  raw_storage_id: string | null;
}

export interface PhaseView {
  status: 'running' | 'completed';
  outcome: string | null;
  expected: number;
  succeeded: number;
  failed: number;
}

/** What `GET /v1/batches/{id}` answers. */
export interface BatchView {
  batch_id: string;
  status: BatchStatus;
  course_code: string;
  language: string;
  expected_count: number;
  received_count_from_uploads: number;
  ready_count: number;
  failed_count: number;
  excess_count: number;
  created_at: string;
  completed_at: string | null;
  correlation_id: string;
  essays: (EssayRecord & {
    spellcheck: {
      status: string;
      corrections_made: number;
      corrected_text_storage_id: string | null;
    } | null;
  })[];
  phases: { spellcheck: PhaseView | null };
  validation_failures: {
    file_upload_id: string;
    original_file_name: string;
    error_code: ErrorCode;
    message: string;
  }[];
  excess: {
    file_upload_id: string;
    original_file_name: string;
    reason: string;
    duplicate_of?: FileRef;
  }[];
}
