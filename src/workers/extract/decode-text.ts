import iconv from 'iconv-lite';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a plain-text file: BOM first (UTF-8, UTF-16LE/BE), then strict UTF-8, then UTF-16
 * without a BOM (recognised by its zero bytes), then Windows-1252, which never fails. Text
 * with the zero bytes of UTF-16 is taken for UTF-16 before UTF-8: ASCII-only UTF-16 is valid
 * UTF-8 too (a NUL after each letter), and no one writes an essay with NULs in it.
 */
export function decodeText(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return iconv.decode(b.subarray(3), 'utf8');
  if (b[0] === 0xff && b[1] === 0xfe) return iconv.decode(b.subarray(2), 'utf16le');
  if (b[0] === 0xfe && b[1] === 0xff) return iconv.decode(b.subarray(2), 'utf16be');
  const utf16 = guessUtf16(b);
  if (utf16) return iconv.decode(b, utf16);
  try {
    return utf8.decode(b);
  } catch {
    // not UTF-8: fall through
  }
  return iconv.decode(b, 'windows-1252');
}

/** Text in UTF-16 without a BOM has a zero byte in most even (BE) or odd (LE) positions. */
function guessUtf16(b: Buffer): 'utf16le' | 'utf16be' | null {
  if (b.length < 4 || b.length % 2 !== 0) return null;
  const n = Math.min(b.length, 4096);
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (b[i] === 0) evenZeros++;
    if (b[i + 1] === 0) oddZeros++;
  }
  const pairs = n / 2;
  if (oddZeros / pairs > 0.3 && evenZeros / pairs < 0.05) return 'utf16le';
  if (evenZeros / pairs > 0.3 && oddZeros / pairs < 0.05) return 'utf16be';
  return null;
}
