import mammoth from 'mammoth';
import { ContentError, ErrorCode } from '../../../shared/errors.js';
import { checkZip, type ZipLimits } from './zip-guard.js';

/** Text of a DOCX, after the archive passed the zip guard; paragraphs are kept. */
export async function docxText(bytes: Buffer, limits: ZipLimits): Promise<string> {
  const entries = await checkZip(bytes, limits);
  if (!entries.includes('word/document.xml')) {
    if (entries.some((e) => e.startsWith('xl/') || e.startsWith('ppt/')))
      throw new ContentError(
        ErrorCode.UNSUPPORTED_FORMAT,
        'Spreadsheets and presentations are not supported.',
      );
    throw new ContentError(ErrorCode.CORRUPTED_FILE, 'The DOCX has no main document part.');
  }
  try {
    const { value } = await mammoth.extractRawText({ buffer: bytes });
    return value;
  } catch {
    throw new ContentError(ErrorCode.CORRUPTED_FILE, 'The DOCX is damaged and could not be read.');
  }
}
