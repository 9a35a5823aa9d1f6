import { ContentError, ErrorCode } from '../../shared/errors.js';

export interface ContentLimits {
  minChars: number;
  maxChars: number;
}

/** Checks extracted text against the content rules; counts characters of the trimmed text. */
export function validateContent(text: string, limits: ContentLimits): void {
  const length = [...text.trim()].length;
  if (length === 0) throw new ContentError(ErrorCode.EMPTY_CONTENT);
  if (length < limits.minChars)
    throw new ContentError(
      ErrorCode.CONTENT_TOO_SHORT,
      `The text has ${length} characters; at least ${limits.minChars} are needed.`,
    );
  if (length > limits.maxChars)
    throw new ContentError(
      ErrorCode.CONTENT_TOO_LONG,
      `The text has ${length} characters; at most ${limits.maxChars} are allowed.`,
    );
}
