import { expect } from 'chai';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { ContentError } from '../../src/shared/errors.js';
import { ocrDocument, type OcrOptions } from '../../src/workers/ocr/ocr-document.js';
import { characterErrorRate, makePhoto, renderTextPng, swedishEssay } from '../helpers/scans.js';

const limits: OcrOptions = {
  timeoutMs: 60_000,
  maxRssMb: 512,
  maxPages: 30,
  maxMegapixels: 12,
  minConfidence: 60,
};

async function codeOf(work: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ContentError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a content error');
}

/** A PNG whose header claims `w` x `h` pixels over a few bytes of data: a "pixel bomb". */
async function pixelBomb(w: number, h: number): Promise<Buffer> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
    .png()
    .toBuffer();
  const ihdr = png.subarray(12, 12 + 4 + 13);
  ihdr.writeUInt32BE(w, 4);
  ihdr.writeUInt32BE(h, 8);
  png.writeUInt32BE(crc32(ihdr) >>> 0, 12 + 4 + 13);
  return png;
}

/** OCR's processes (image preparation, pdftoppm, tesseract) under their limits, on real files. */
describe('integration: OCR sandbox limits', function () {
  this.timeout(120_000);
  let bigPhoto: Buffer;

  before(async () => {
    // A4 at 650 dpi: a 5373 x 7601 (40.8 megapixel) phone photo
    bigPhoto = await makePhoto(await renderTextPng(swedishEssay, 650));
    const meta = await sharp(bigPhoto).metadata();
    expect(meta.width! * meta.height!).to.be.above(40e6);
  });

  it('scales a 40-megapixel photo instead of refusing it, and turns it upright by its EXIF orientation', async () => {
    const reading = await ocrDocument(bigPhoto, 'jpeg', 'swe', limits);
    expect(characterErrorRate(swedishEssay.join('\n'), reading.text)).to.be.below(0.05);
  });

  it('kills a step that needs more memory than allowed: CORRUPTED_FILE, the worker untouched', async () => {
    const before = process.memoryUsage().rss;
    const res = await codeOf(ocrDocument(bigPhoto, 'jpeg', 'swe', { ...limits, maxRssMb: 64 }));
    expect(res).to.deep.equal({
      code: 'CORRUPTED_FILE',
      message: 'Reading the image needed more memory than allowed.',
    });
    expect(process.memoryUsage().rss - before).to.be.below(64 << 20);
  });

  it('kills a step that takes longer than allowed: TIMEOUT', async () => {
    const started = Date.now();
    const res = await codeOf(ocrDocument(bigPhoto, 'jpeg', 'swe', { ...limits, timeoutMs: 300 }));
    expect(res.code).to.equal('TIMEOUT');
    expect(Date.now() - started).to.be.below(5000);
  });

  it('refuses a pixel bomb before allocating it', async () => {
    const res = await codeOf(ocrDocument(await pixelBomb(60_000, 60_000), 'png', 'eng', limits));
    expect(res.code).to.equal('CORRUPTED_FILE');
  });

  it('a blurred photo, read less surely than the floor, is OCR_LOW_CONFIDENCE with its confidence', async () => {
    // so blurred that tesseract still sees words but reads most of them wrong (CER ~0.8)
    const blurred = await sharp(await renderTextPng(swedishEssay, 150))
      .blur(3.5)
      .png()
      .toBuffer();
    const res = await codeOf(ocrDocument(blurred, 'png', 'swe', limits));
    expect(res.code).to.equal('OCR_LOW_CONFIDENCE');
    expect(res.message).to.match(/mean confidence of \d+(\.\d)? \(below 60\)/);
  });
});
