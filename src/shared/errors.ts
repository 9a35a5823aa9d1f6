/**
 * The one error taxonomy, shared by every layer. Content errors are outcomes (the job completes
 * and reports them); infrastructure errors throw, retry, and end in the dead-letter queue.
 */
export const ErrorCode = {
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  TOO_MANY_FILES: 'TOO_MANY_FILES',
  EMPTY_FILE: 'EMPTY_FILE',
  UNSUPPORTED_FORMAT: 'UNSUPPORTED_FORMAT',
  CORRUPTED_FILE: 'CORRUPTED_FILE',
  ENCRYPTED_FILE: 'ENCRYPTED_FILE',
  TIMEOUT: 'TIMEOUT',
  EMPTY_CONTENT: 'EMPTY_CONTENT',
  CONTENT_TOO_SHORT: 'CONTENT_TOO_SHORT',
  CONTENT_TOO_LONG: 'CONTENT_TOO_LONG',
  OCR_LOW_CONFIDENCE: 'OCR_LOW_CONFIDENCE',
  PROCESSING_FAILED: 'PROCESSING_FAILED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
export const errorCodes = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

/** Human messages, shown to teachers on the page and in the API. */
export const errorMessages: Record<ErrorCode, string> = {
  FILE_TOO_LARGE: 'The file is larger than the upload limit.',
  TOO_MANY_FILES: 'The request carried more files than one upload may hold.',
  EMPTY_FILE: 'The file is empty (0 bytes).',
  UNSUPPORTED_FORMAT:
    'The file is not a PDF, DOCX or plain-text document, nor a JPEG, PNG or TIFF photo or scan.',
  CORRUPTED_FILE: 'The file is damaged and could not be read.',
  ENCRYPTED_FILE: 'The file is password-protected.',
  TIMEOUT: 'Reading the file took longer than allowed.',
  EMPTY_CONTENT: 'The file contains no text.',
  CONTENT_TOO_SHORT: 'The text is shorter than the minimum length.',
  CONTENT_TOO_LONG: 'The text is longer than the maximum length.',
  OCR_LOW_CONFIDENCE:
    'The scan or photo could not be read reliably (handwriting, blur); please check it or type it in.',
  PROCESSING_FAILED: 'The file could not be processed after several attempts.',
};

/** A problem with the essay itself: an outcome to report, never retried. */
export class ContentError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: ErrorCode,
    message: string = errorMessages[code],
  ) {
    super(message);
    this.name = 'ContentError';
  }
}

/** A problem of the fleet (Redis, disk, a bug): thrown so the job retries and may dead-letter. */
export class InfrastructureError extends Error {
  readonly retryable = true;
  readonly code = ErrorCode.PROCESSING_FAILED;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InfrastructureError';
  }
}
