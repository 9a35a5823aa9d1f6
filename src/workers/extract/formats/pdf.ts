import { extractText, getDocumentProxy } from 'unpdf';
import { ContentError, ErrorCode } from '../../../shared/errors.js';

/**
 * Text of a PDF, page by page, with a page cap. unpdf parses on the calling thread and takes
 * over the array it is given, so this runs in the sandbox on a copy of the bytes.
 */
export async function pdfText(bytes: Uint8Array, maxPages: number): Promise<string> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, isEvalSupported: false });
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'PasswordException') throw new ContentError(ErrorCode.ENCRYPTED_FILE);
    throw new ContentError(ErrorCode.CORRUPTED_FILE, 'The PDF is damaged and could not be read.');
  }
  try {
    if (pdf.numPages > maxPages)
      throw new ContentError(
        ErrorCode.CONTENT_TOO_LONG,
        `The PDF has ${pdf.numPages} pages; at most ${maxPages} are read.`,
      );
    const { text } = await extractText(pdf, { mergePages: false });
    return text.join('\n\n');
  } catch (err) {
    if (err instanceof ContentError) throw err;
    throw new ContentError(ErrorCode.CORRUPTED_FILE, 'The PDF is damaged and could not be read.');
  } finally {
    await pdf.destroy().catch(() => undefined);
  }
}
