import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContentError, ErrorCode } from '../../shared/errors.js';
import { normalizeText } from '../extract/normalize.js';
import { runLimited, type ProcessLimits } from './run-limited.js';
import { parseTesseractTsv, type PageReading } from './tsv.js';

/** The formats OCR reads: a PDF without a usable text layer, and photos or scans. */
export const ocrFormats = ['pdf', 'jpeg', 'png', 'tiff'] as const;
export type OcrFormat = (typeof ocrFormats)[number];

export interface OcrOptions extends ProcessLimits {
  /** A PDF with more pages is `CONTENT_TOO_LONG`. */
  maxPages: number;
  /** A larger photo (or rendered page) is scaled down to this many megapixels. */
  maxMegapixels: number;
  /** A page whose mean word confidence is lower gives `OCR_LOW_CONFIDENCE`. */
  minConfidence: number;
}

export interface OcrReading {
  text: string;
  /** Mean word confidence over every page (0-100, one decimal); null when no word was read. */
  confidence: number | null;
  pages: PageReading[];
}

/** A page was read, but too unsurely to hand its text to a teacher as the essay. */
export class OcrLowConfidenceError extends ContentError {
  constructor(
    readonly confidence: number,
    page: number,
    floor: number,
  ) {
    super(
      ErrorCode.OCR_LOW_CONFIDENCE,
      `Page ${page} was read with a mean confidence of ${confidence.toFixed(1)} (below ${floor}): ` +
        'handwriting or a blurred photo? Please check it or type it in.',
    );
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
const prepareScript = path.join(
  here,
  `prepare-image${path.extname(fileURLToPath(import.meta.url))}`,
);
const PDF_DPI = 300;
const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * Reads the text of a scan or photo with tesseract. Every step runs as a process of its own with
 * the time and memory limits per page (runLimited); tesseract gets one thread, so an `ocr`
 * process uses as many cores as its concurrency. `languages` is tesseract's: `swe`, `eng`, `swe+eng`.
 */
export async function ocrDocument(
  bytes: Uint8Array,
  format: OcrFormat,
  languages: string,
  opts: OcrOptions,
): Promise<OcrReading> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'essay-ocr-'));
  try {
    const input = path.join(dir, `input.${format}`);
    await writeFile(input, bytes);
    const pages: PageReading[] = [];
    if (format === 'pdf') {
      const { count, dpi } = await pdfLayout(input, opts);
      for (let page = 1; page <= count; page++) {
        const image = await renderPdfPage(input, page, dpi, dir, opts);
        pages.push(await readPage(image, languages, opts, dpi));
      }
    } else {
      const image = path.join(dir, 'page.tif');
      await runLimited(
        process.execPath,
        [...childExecArgv(), prepareScript, input, image, String(opts.maxMegapixels)],
        opts,
        'the image',
      );
      pages.push(await readPage(image, languages, opts));
    }
    pages.forEach((p, i) => {
      if (p.confidence !== null && p.confidence < opts.minConfidence)
        throw new OcrLowConfidenceError(round1(p.confidence), i + 1, opts.minConfidence);
    });
    const words = pages.reduce((n, p) => n + p.words, 0);
    const sum = pages.reduce((n, p) => n + (p.confidence ?? 0) * p.words, 0);
    return {
      text: normalizeText(pages.map((p) => p.text).join('\n\n')),
      confidence: words > 0 ? round1(sum / words) : null,
      pages,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Node's flags for the preparation process: none for the built code (a loader such as tsx would
 * cost each photo a second of start-up), the loader flags when it runs from TypeScript; never a
 * heap cap meant for the worker.
 */
function childExecArgv(): string[] {
  if (prepareScript.endsWith('.js')) return [];
  return process.execArgv.filter((a) => !a.startsWith('--max-old-space-size'));
}

/** Page count (capped) and the resolution that keeps the first page within the pixel cap. */
async function pdfLayout(input: string, opts: OcrOptions): Promise<{ count: number; dpi: number }> {
  const info = (await runLimited('pdfinfo', [input], opts, 'the PDF')).toString('latin1');
  const count = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1] ?? 0);
  if (count === 0) throw new ContentError(ErrorCode.CORRUPTED_FILE, 'The PDF has no pages.');
  if (count > opts.maxPages)
    throw new ContentError(
      ErrorCode.CONTENT_TOO_LONG,
      `The scanned PDF has ${count} pages; at most ${opts.maxPages} are read.`,
    );
  const size = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(info);
  const inches = size ? (Number(size[1]) / 72) * (Number(size[2]) / 72) : 8.27 * 11.69;
  const dpi = Math.min(PDF_DPI, Math.floor(Math.sqrt((opts.maxMegapixels * 1e6) / inches)));
  return { count, dpi: Math.max(dpi, 36) };
}

async function renderPdfPage(
  input: string,
  page: number,
  dpi: number,
  dir: string,
  opts: OcrOptions,
): Promise<string> {
  const out = path.join(dir, `page-${page}`);
  // uncompressed greyscale (PGM): nothing to encode here or decode in tesseract
  const args = ['-r', String(dpi), '-gray', '-singlefile', '-f', String(page)];
  await runLimited('pdftoppm', [...args, '-l', String(page), input, out], opts, `page ${page}`);
  return `${out}.pgm`;
}

async function readPage(
  image: string,
  languages: string,
  opts: OcrOptions,
  dpi?: number,
): Promise<PageReading> {
  const args = [
    image,
    'stdout',
    '-l',
    languages,
    '--psm',
    '3',
    ...(dpi ? ['--dpi', String(dpi)] : []),
  ];
  const tsv = await runLimited('tesseract', [...args, 'tsv'], opts, 'the page', {
    ...process.env,
    // one core per tesseract: an `ocr` process scales by its concurrency, not by threads
    OMP_THREAD_LIMIT: '1',
  });
  return parseTesseractTsv(tsv.toString('utf8'));
}
