import { decodeText } from './decode-text.js';
import { docxText } from './formats/docx.js';
import { pdfText } from './formats/pdf.js';
import { sniffFormat, type DocumentFormat } from './formats/sniff.js';
import type { ZipLimits } from './formats/zip-guard.js';
import { normalizeText } from './normalize.js';

export interface ExtractionLimits extends ZipLimits {
  maxPdfPages: number;
}

/**
 * Bytes in, normalised text out, for any format a student hands in. Throws ContentError for a
 * file that cannot give text. Runs inside the sandbox; also called directly by the benchmark.
 */
export async function extractDocument(
  bytes: Buffer,
  fileName: string,
  limits: ExtractionLimits,
): Promise<{ format: DocumentFormat; text: string }> {
  const format = await sniffFormat(bytes, fileName);
  // a photo or scan has no text to find here: the extractor hands it to OCR
  if (format === 'jpeg' || format === 'png' || format === 'tiff') return { format, text: '' };
  const raw =
    format === 'pdf'
      ? await pdfText(bytes, limits.maxPdfPages)
      : format === 'docx'
        ? await docxText(bytes, limits)
        : decodeText(bytes);
  return { format, text: normalizeText(raw) };
}
