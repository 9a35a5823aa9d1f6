import { fileTypeFromBuffer } from 'file-type';
import { ContentError, ErrorCode } from '../../../shared/errors.js';
import { decodeText } from '../decode-text.js';

export type DocumentFormat = 'pdf' | 'docx' | 'txt' | ImageFormat;
/** Photos and scans: their text is read by OCR (the `ocr` process), not here. */
export type ImageFormat = 'jpeg' | 'png' | 'tiff';

const PDF = Buffer.from('%PDF-');
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const CFB = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const IMAGES: [Buffer, ImageFormat][] = [
  [Buffer.from([0xff, 0xd8, 0xff]), 'jpeg'],
  [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'png'],
  [Buffer.from('II*\0', 'latin1'), 'tiff'],
  [Buffer.from('MM\0*', 'latin1'), 'tiff'],
];
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

/**
 * The real format, from the bytes: magic numbers first, containers before anything they may
 * hold, file-type as a hint for other binary formats (it is wrong about some texts, e.g. UTF-16
 * with a BOM), then a check that the bytes read as text. A zip is read as the DOCX its entries
 * make (a DOCX may store a PDF as its first entry: Word shows the document, so must we); a PDF
 * is a file that starts with `%PDF-` (some readers look further, which lets one file show two
 * texts). A JPEG, PNG or TIFF is a photo or scan for OCR. The file name only decides between two failures for bytes nobody recognises: a file
 * that claims to be a PDF or DOCX is `CORRUPTED_FILE`, anything else `UNSUPPORTED_FORMAT`.
 */
export async function sniffFormat(bytes: Buffer, fileName: string): Promise<DocumentFormat> {
  if (bytes.subarray(0, 4).equals(ZIP)) return 'docx';
  if (bytes.subarray(0, PDF.length).equals(PDF)) return 'pdf';
  for (const [magic, format] of IMAGES)
    if (bytes.subarray(0, magic.length).equals(magic)) return format;
  if (bytes.subarray(0, 8).equals(CFB)) {
    // password-protected OOXML is an OLE container holding an "EncryptedPackage" stream
    if (bytes.includes(ENCRYPTED_PACKAGE)) throw new ContentError(ErrorCode.ENCRYPTED_FILE);
    throw new ContentError(
      ErrorCode.UNSUPPORTED_FORMAT,
      'Old binary Word (.doc) and other OLE files are not supported.',
    );
  }
  if (bytes.length === 0 || hasTextBom(bytes)) return 'txt';
  const hint = await fileTypeFromBuffer(bytes).catch(() => undefined);
  if (!hint && looksLikeText(bytes)) return 'txt';
  if (!hint && /\.(pdf|docx)$/i.test(fileName))
    throw new ContentError(
      ErrorCode.CORRUPTED_FILE,
      'The file is not a readable PDF or DOCX document.',
    );
  throw new ContentError(
    ErrorCode.UNSUPPORTED_FORMAT,
    hint ? `The file is ${hint.mime}, not a PDF, DOCX or plain-text document.` : undefined,
  );
}

function hasTextBom(b: Buffer): boolean {
  return (
    (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) ||
    (b[0] === 0xff && b[1] === 0xfe) ||
    (b[0] === 0xfe && b[1] === 0xff)
  );
}

/** Decoded, the first 64 KiB hold almost no control characters other than white space. */
function looksLikeText(b: Buffer): boolean {
  const sample = decodeText(b.subarray(0, 65536));
  let control = 0;
  for (const ch of sample) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0xfffd)
      control++;
  }
  return control <= sample.length * 0.01;
}
