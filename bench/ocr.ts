// OCR throughput: pages/s and ms per page of one `ocr` process's work (ocrDocument: pdftoppm or
// the image preparation, then tesseract, each a limited process) against the tesseract command
// run directly on the same images (single-threaded, same languages and output), in the same run.
//   npm run bench:ocr [-- --quick]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { loadConfig } from '../src/shared/config.js';
import type { OcrFormat } from '../src/workers/ocr/ocr-document.js';
import { ocrOptions } from '../src/workers/registry.js';
import {
  englishEssay,
  englishEssay2,
  makeImagePdf,
  makePhoto,
  renderTextPng,
  swedishEssay,
  swedishEssay2,
} from '../test/helpers/scans.js';
import { markdownTable, writeReport } from './lib/report.js';

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
  },
});
// each cell alternates direct and ocr this many times over the pages (a page takes seconds)
const rounds = args.quick ? 1 : 2;
const opts = ocrOptions(loadConfig({}));
// the built code, as an `ocr` process runs it (`npm run build` first): from TypeScript every
// photo's preparation process would pay for the tsx loader
const built = '../dist/src/workers/ocr/ocr-document.js';
const { ocrDocument } = (await import(
  built
)) as typeof import('../src/workers/ocr/ocr-document.js');
const texts = [swedishEssay, swedishEssay2, englishEssay, englishEssay2];
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-ocr-'));

interface Page {
  /** What the fleet is handed: an image-only PDF or a phone photo. */
  file: Buffer;
  format: OcrFormat;
  /** The same page as tesseract alone can read it: the 300 dpi render, or the photo upright. */
  image: string;
  languages: string;
}

async function pages(kind: 'scan' | 'photo'): Promise<Page[]> {
  return Promise.all(
    texts.map(async (lines, i) => {
      const png = await renderTextPng(lines);
      const image = path.join(dir, `${kind}-${i}.png`);
      const languages = i < 2 ? 'swe' : 'eng';
      if (kind === 'scan') {
        writeFileSync(image, png);
        return { file: await makeImagePdf([png]), format: 'pdf' as const, image, languages };
      }
      const photo = await makePhoto(png, { seed: i + 1 });
      await sharp(photo).rotate().greyscale().png().toFile(image);
      return { file: photo, format: 'jpeg' as const, image, languages };
    }),
  );
}

interface Rate {
  pages: number;
  perSecond: number;
  msPerPage: number;
}

async function rate(list: Page[], work: (p: Page) => Promise<unknown>): Promise<Rate> {
  const started = performance.now();
  let n = 0;
  for (const p of list) {
    await work(p);
    n++;
  }
  const ms = performance.now() - started;
  return { pages: n, perSecond: (n * 1000) / ms, msPerPage: ms / n };
}

const direct = (p: Page) =>
  run('tesseract', [p.image, 'stdout', '-l', p.languages, '--psm', '3', 'tsv'], {
    env: { ...process.env, OMP_THREAD_LIMIT: '1' },
    maxBuffer: 64 << 20,
  });
const fleet = (p: Page) => ocrDocument(p.file, p.format, p.languages, opts);

const rows: (string | number)[][] = [];
const results: Record<string, unknown> = {};
try {
  for (const kind of ['scan', 'photo'] as const) {
    const list = await pages(kind);
    // alternate, so a neighbour's load on the shared cores falls on both alike
    const ds: Rate[] = [];
    const fs: Rate[] = [];
    await direct(list[0]!); // warm-up: tesseract's language data into the page cache
    for (let r = 0; r < rounds; r++) {
      ds.push(await rate(list, direct));
      fs.push(await rate(list, fleet));
    }
    const sum = (rs: Rate[]): Rate => {
      const n = rs.reduce((a, r) => a + r.pages, 0);
      const ms = rs.reduce((a, r) => a + r.msPerPage * r.pages, 0);
      return { pages: n, perSecond: (n * 1000) / ms, msPerPage: ms / n };
    };
    const d = sum(ds);
    const f = sum(fs);
    results[kind] = { direct: d, ocr_process: f, ocr_vs_direct: f.perSecond / d.perSecond };
    rows.push([
      kind === 'scan' ? 'scanned PDF page (300 dpi A4)' : 'phone photo (JPEG, EXIF 6)',
      d.perSecond.toFixed(3),
      d.msPerPage.toFixed(0),
      f.perSecond.toFixed(3),
      f.msPerPage.toFixed(0),
      (f.perSecond / d.perSecond).toFixed(2),
    ]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

writeReport(
  'ocr',
  'OCR: one ocr process against tesseract run directly',
  markdownTable(
    [
      'page',
      'tesseract direct pages/s (baseline, 1 thread)',
      'direct ms/page',
      'ocr process pages/s',
      'ocr ms/page',
      'ocr ÷ direct',
    ],
    rows,
  ) +
    `\n\n4 pages of 8 lines (2 Swedish, read with swe; 2 English, with eng), ${rounds} round(s) each, alternating direct and ocr. ` +
    'Direct: `tesseract <png> stdout -l <lang> --psm 3 tsv` with OMP_THREAD_LIMIT=1 on the 300 dpi render (scan) or the photo already upright and grey (photo). ' +
    'The ocr process adds pdfinfo and pdftoppm (scan) or the image preparation in its own process (photo), and the limits. Target: ocr ÷ direct ≥ 0.85.',
  results,
);
