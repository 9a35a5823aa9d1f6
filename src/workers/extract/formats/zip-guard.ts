import yauzl from 'yauzl';
import { ContentError, ErrorCode } from '../../../shared/errors.js';

export interface ZipLimits {
  /** Most entries one archive may hold. */
  maxEntries: number;
  /** Most bytes all entries together may inflate to, declared or actual. */
  maxInflatedBytes: number;
  /** Highest uncompressed/compressed ratio of an entry larger than 1 MiB. */
  maxRatio: number;
}

const corrupted = (why: string) =>
  new ContentError(ErrorCode.CORRUPTED_FILE, `The document is damaged or unsafe: ${why}.`);

function open(bytes: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.fromBuffer(
      bytes,
      { lazyEntries: true, validateEntrySizes: true, strictFileNames: false },
      (err, zip) => (err ? reject(corrupted('not a valid zip archive')) : resolve(zip)),
    ),
  );
}

/**
 * Checks a DOCX archive before any library inflates it: entry count, declared sizes and ratios,
 * then inflates every entry once, counting the bytes, so an archive whose headers lie (or whose
 * entries overlap) is stopped at the cap instead of after a gigabyte. mammoth (JSZip) has no
 * such limit of its own. Returns the entry names.
 */
export async function checkZip(bytes: Buffer, limits: ZipLimits): Promise<string[]> {
  const zip = await open(bytes);
  const names: string[] = [];
  let declared = 0;
  let inflated = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', (err: Error) =>
        reject(err instanceof ContentError ? err : corrupted(err.message)),
      );
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        try {
          if (names.length >= limits.maxEntries)
            throw corrupted(`more than ${limits.maxEntries} entries`);
          if (entry.isEncrypted()) throw new ContentError(ErrorCode.ENCRYPTED_FILE);
          if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
            throw corrupted(`unsupported compression method ${entry.compressionMethod}`);
          declared += entry.uncompressedSize;
          if (declared > limits.maxInflatedBytes)
            throw corrupted('it would inflate past the size limit');
          if (
            entry.uncompressedSize > 1 << 20 &&
            entry.uncompressedSize / Math.max(entry.compressedSize, 1) > limits.maxRatio
          )
            throw corrupted('an entry is compressed suspiciously well (zip bomb)');
          names.push(entry.fileName);
        } catch (err) {
          return reject(err);
        }
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (err, stream) => {
          if (err || !stream) return reject(corrupted(err?.message ?? 'unreadable entry'));
          stream.on('data', (chunk: Buffer) => {
            inflated += chunk.length;
            if (inflated > limits.maxInflatedBytes) {
              stream.destroy();
              reject(corrupted('it inflates past the size limit'));
            }
          });
          stream.on('error', (e: Error) => reject(corrupted(e.message)));
          stream.on('end', () => zip.readEntry());
        });
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
  return names;
}
