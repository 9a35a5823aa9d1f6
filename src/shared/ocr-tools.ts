import { execFileSync } from 'node:child_process';
import { ensureDebianPackage, runs } from './system-packages.js';

/** The Debian packages OCR needs: tesseract with its Swedish and English data, and pdftoppm. */
export const ocrPackages = [
  'tesseract-ocr',
  'tesseract-ocr-eng',
  'tesseract-ocr-swe',
  'poppler-utils',
];

export class OcrToolsMissingError extends Error {
  constructor() {
    super(
      'OCR needs tesseract (with its swe and eng data) and pdftoppm. Install them (Debian/Ubuntu: ' +
        `\`sudo apt-get install -y ${ocrPackages.join(' ')}\`) or run no \`ocr\` process here.`,
    );
    this.name = 'OcrToolsMissingError';
  }
}

/** Tesseract's installed languages (`tesseract --list-langs`), empty when it is not there. */
export function tesseractLanguages(): string[] {
  try {
    const out = execFileSync('tesseract', ['--list-langs'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean);
  } catch {
    return [];
  }
}

function present(): boolean {
  const langs = tesseractLanguages();
  return langs.includes('swe') && langs.includes('eng') && runs('pdftoppm', ['-v']);
}

/**
 * Finds tesseract (swe, eng) and pdftoppm; as root on Debian/Ubuntu installs them with apt-get
 * the way the private redis-server is, otherwise says how.
 */
export function ensureOcrTools(log?: (msg: string) => void): void {
  ensureDebianPackage({
    pkg: ocrPackages,
    present,
    missing: () => new OcrToolsMissingError(),
    ...(log ? { log } : {}),
  });
}
