// Scans and photos made in the test: text drawn into a PDF with pdf-lib (Helvetica: WinAnsi has
// å, ä and ö), rasterised with pdftoppm as a scanner would, then embedded as the only content of
// a new PDF (an image-only scan), or turned into a phone photo: skewed, noisy, JPEG, stored on
// its side with an EXIF orientation that says how to turn it upright.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';

export const swedishEssay = [
  'Min sommar vid sjön',
  '',
  'I somras åkte jag och min familj till vår stuga vid en sjö i Småland.',
  'Varje morgon gick jag ner till bryggan och badade i det kalla vattnet.',
  'På eftermiddagarna plockade vi blåbär i skogen och läste böcker i solen.',
  'En kväll såg vi en älg som stod alldeles stilla vid strandkanten.',
  'Jag kommer aldrig att glömma hur vacker sjön var när solen gick ner.',
  'Nästa år hoppas jag att vi får åka dit igen och stanna ännu längre.',
];

export const swedishEssay2 = [
  'Skolan i framtiden',
  '',
  'Många elever tycker att skoldagen är för lång och att läxorna är för många.',
  'Jag tror att skolan skulle bli bättre om vi fick välja fler ämnen själva.',
  'Lärarna gör ett fantastiskt jobb, även när klasserna är stora och stökiga.',
  'Datorer hjälper oss att söka fakta, men böcker är fortfarande värdefulla.',
  'Det är också viktigt att få röra på sig ute på rasterna varje förmiddag.',
  'Därför hoppas jag att framtidens skola blir både roligare och lugnare.',
];

export const englishEssay2 = [
  'A day at the seaside',
  '',
  'Last summer my grandmother took me to a small town by the sea in Wales.',
  'We walked along the beach and collected shells of many shapes and colours.',
  'In the afternoon we ate fish and chips while the seagulls watched us.',
  'The wind was strong, so we flew a red kite high above the sand dunes.',
  'At sunset the water turned golden and the boats came back to the harbour.',
  'It was one of the happiest days I can remember from my whole childhood.',
];

export const englishEssay = [
  'Why reading matters',
  '',
  'Reading books has always been an important part of my life at school.',
  'When I read a good story, I forget where I am and travel to new places.',
  'Books teach us about people who live very different lives from our own.',
  'My favourite author writes about friendship, courage and hard choices.',
  'I think every student should find time to read something every day.',
  'In the end, reading makes us better writers and more curious people.',
];

/** The words of a text with white space folded: what a CER is measured on. */
export const folded = (text: string) => text.replace(/\s+/gu, ' ').trim();

/** Character error rate: edit distance between the texts (white space folded) over the truth's length. */
export function characterErrorRate(truth: string, read: string): number {
  const a = [...folded(truth)];
  const b = [...folded(read)];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = row;
  }
  return prev[b.length]! / Math.max(a.length, 1);
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'scan-'));
}

/** An A4 page of `lines` (12 pt Helvetica) rendered to a greyscale PNG at `dpi`, as a scanner would. */
export async function renderTextPng(lines: string[], dpi = 300): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  lines.forEach((line, i) => page.drawText(line, { x: 60, y: 770 - i * 20, size: 12, font }));
  return rasterise(Buffer.from(await doc.save()), dpi);
}

/** The first page of a PDF as a greyscale PNG (pdftoppm). */
export function rasterise(pdf: Buffer, dpi = 300): Buffer {
  const dir = tmpDir();
  try {
    fs.writeFileSync(path.join(dir, 'in.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), '-gray', '-png', '-singlefile', 'in.pdf', 'out'], {
      cwd: dir,
    });
    return fs.readFileSync(path.join(dir, 'out.png'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An image-only PDF: each image fills an A4 page, no text layer at all. */
export async function makeImagePdf(pngs: Buffer[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (const png of pngs) {
    const image = await doc.embedPng(png);
    const page = doc.addPage([595, 842]);
    page.drawImage(image, { x: 0, y: 0, width: 595, height: 842 });
  }
  return Buffer.from(await doc.save());
}

/** A clean scan of these lines, as an image-only PDF. */
export async function makeTextScan(lines: string[]): Promise<Buffer> {
  return makeImagePdf([await renderTextPng(lines)]);
}

/** Deterministic noise (a seeded LCG), so a failing run can be repeated. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * A phone photo of a printed page: skewed by `skewDeg`, grey paper with speckle noise, slightly
 * soft, saved as JPEG turned on its side with EXIF orientation 6 (a viewer turns it upright).
 */
export async function makePhoto(
  png: Buffer,
  opts: { skewDeg?: number; noise?: number; seed?: number } = {},
): Promise<Buffer> {
  const { data, info } = await sharp(png)
    .rotate(opts.skewDeg ?? 1.5, { background: '#ffffff' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const rand = noise(opts.seed ?? 7);
  const amount = opts.noise ?? 40;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]! * 0.85 + 20 + (rand() - 0.5) * amount;
    data[i] = Math.max(0, Math.min(255, Math.round(v)));
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .blur(0.6)
    .rotate(-90)
    .jpeg({ quality: 80 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
}

/** A blank page and a page of random noise: neither holds an essay. */
export async function makeBlankAndNoise(): Promise<{ blank: Buffer; noise: Buffer }> {
  const width = 1240;
  const height = 1754;
  const blank = await sharp({ create: { width, height, channels: 3, background: '#ffffff' } })
    .greyscale()
    .png()
    .toBuffer();
  const rand = noise(11);
  const pixels = Buffer.alloc(width * height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(rand() * 256);
  const noisy = await sharp(pixels, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
  return { blank, noise: noisy };
}
