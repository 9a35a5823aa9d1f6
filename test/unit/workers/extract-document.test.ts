import { expect } from 'chai';
import iconv from 'iconv-lite';
import { ContentError } from '../../../src/shared/errors.js';
import { extractDocument } from '../../../src/workers/extract/extract-document.js';
import { checkZip } from '../../../src/workers/extract/formats/zip-guard.js';
import {
  buildZip,
  encryptedOfficeBytes,
  jpegBytes,
  makeDocx,
  makeEncryptedPdf,
  makePdf,
  makeScannedPdf,
  makeZipBomb,
  minimalDocxEntries,
  storedZipEntry,
  swedishSample,
  zipEntry,
} from '../../helpers/documents.js';

const limits = { maxPdfPages: 50, maxEntries: 500, maxInflatedBytes: 64 << 20, maxRatio: 200 };

async function codeOf(bytes: Buffer, name: string): Promise<string> {
  try {
    await extractDocument(bytes, name, limits);
    return 'ok';
  } catch (err) {
    if (err instanceof ContentError) return err.code;
    throw err;
  }
}

describe('extract: formats from content', function () {
  this.timeout(60_000);

  it('reads a multi-page PDF, page breaks as paragraph breaks, Swedish and typography intact', async () => {
    const pdf = await makePdf([[swedishSample.slice(0, 70), 'andra raden'], ['Sida två – “slut”']]);
    const { format, text } = await extractDocument(pdf, 'uppsats.pdf', limits);
    expect(format).to.equal('pdf');
    expect(text).to.equal(`${swedishSample.slice(0, 70)}\nandra raden\n\nSida två – “slut”`);
  });

  it('reads a DOCX with a heading, a list and a table, paragraphs kept', async () => {
    const { format, text } = await extractDocument(await makeDocx(), 'uppsats.docx', limits);
    expect(format).to.equal('docx');
    for (const part of [
      'Min uppsats om rättvisa',
      swedishSample,
      'Första punkten: skolan',
      'Västerås',
    ])
      expect(text).to.include(part);
    expect(text).to.match(/rättvisa\n\nÅsa/);
  });

  it('treats a .pdf that is really a DOCX as a DOCX, and a .docx that is a JPEG as a photo for OCR', async () => {
    expect((await extractDocument(await makeDocx(), 'essay.pdf', limits)).format).to.equal('docx');
    expect(await extractDocument(jpegBytes, 'essay.docx', limits)).to.deep.equal({
      format: 'jpeg',
      text: '',
    });
  });

  it('knows PNG and TIFF by their magic numbers, whatever the name', async () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64)]);
    expect((await extractDocument(png, 'essay.txt', limits)).format).to.equal('png');
    for (const magic of ['II*\0', 'MM\0*'])
      expect(
        (
          await extractDocument(
            Buffer.concat([Buffer.from(magic, 'latin1'), Buffer.alloc(64)]),
            'scan',
            limits,
          )
        ).format,
      ).to.equal('tiff');
  });

  it('reads ASCII-only UTF-16 without a BOM (valid UTF-8 too, but full of NULs)', async () => {
    const text = 'An essay written in plain ASCII, saved as UTF-16 by an old editor.';
    for (const enc of ['utf16le', 'utf16be'] as const) {
      const read = await extractDocument(iconv.encode(text, enc), 'old.txt', limits);
      expect(read, enc).to.deep.equal({ format: 'txt', text });
    }
  });

  it('reads a zip as the DOCX its entries make, even with a PDF stored as its first entry', async () => {
    const pdf = await makePdf([['The text a PDF reader would show instead.']]);
    const docx = buildZip([
      storedZipEntry('a.pdf', pdf),
      ...minimalDocxEntries(['The text Word shows.']),
    ]);
    expect(docx.subarray(0, 1024).includes('%PDF-')).to.equal(true);
    expect(await extractDocument(docx, 'essay.docx', limits)).to.deep.equal({
      format: 'docx',
      text: 'The text Word shows.',
    });
  });

  it('takes only a file that starts with %PDF- for a PDF', async () => {
    const pdf = await makePdf([['Hidden behind a text.']]);
    const disguised = Buffer.concat([Buffer.from('A few words first.\n'), pdf]);
    expect(await codeOf(disguised, 'x.pdf')).to.not.equal('ok');
    expect((await extractDocument(pdf, 'x.pdf', limits)).format).to.equal('pdf');
  });

  it('reads UTF-16 (with and without BOM) and Windows-1252 text', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(swedishSample, 'utf16le')]);
    expect((await extractDocument(le, 'a.txt', limits)).text).to.equal(swedishSample);
    expect(
      (await extractDocument(iconv.encode(swedishSample, 'utf16be'), 'a.txt', limits)).text,
    ).to.equal(swedishSample);
    expect(
      (await extractDocument(iconv.encode(swedishSample, 'windows-1252'), 'a.txt', limits)).text,
    ).to.equal(swedishSample);
  });

  it('gives byte-identical text for the same bytes', async () => {
    const pdf = await makePdf([['Samma text varje gång.']]);
    const a = await extractDocument(Buffer.from(pdf), 'a.pdf', limits);
    const b = await extractDocument(Buffer.from(pdf), 'b.pdf', limits);
    expect(a.text).to.equal(b.text);
  });

  it('maps broken and protected files to their codes', async () => {
    const pdf = await makePdf([['Hej']]);
    expect(await codeOf(pdf.subarray(0, Math.floor(pdf.length / 2)), 'cut.pdf')).to.equal(
      'CORRUPTED_FILE',
    );
    expect(await codeOf(await makeEncryptedPdf(), 'locked.pdf')).to.equal('ENCRYPTED_FILE');
    expect(await codeOf(encryptedOfficeBytes, 'locked.docx')).to.equal('ENCRYPTED_FILE');
    expect(await codeOf(buildZip([zipEntry('notes.txt', 'hello')]), 'x.docx')).to.equal(
      'CORRUPTED_FILE',
    );
    expect(await codeOf(Buffer.from('PK\u0003\u0004 not really a zip'), 'x.docx')).to.equal(
      'CORRUPTED_FILE',
    );
    expect(
      await codeOf(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 1, 2, 3]), 'x.docx'),
    ).to.equal('CORRUPTED_FILE');
    expect(
      await codeOf(Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 1, 2, 3]), 'x.bin'),
    ).to.equal('UNSUPPORTED_FORMAT');
  });

  it('finds no text in a scanned PDF', async () => {
    expect((await extractDocument(await makeScannedPdf(), 'scan.pdf', limits)).text).to.equal('');
  });

  it('caps PDF pages', async () => {
    const pdf = await makePdf(Array.from({ length: 51 }, () => ['sida']));
    expect(await codeOf(pdf, 'long.pdf')).to.equal('CONTENT_TOO_LONG');
  });
});

describe('extract: zip guard', function () {
  this.timeout(60_000);

  it('stops a 1 GB zip bomb under 1 MB on its declared sizes, before inflating', async () => {
    const bomb = await makeZipBomb();
    expect(bomb.length).to.be.below(1 << 20);
    const started = performance.now();
    expect(await codeOf(bomb, 'bomb.docx')).to.equal('CORRUPTED_FILE');
    expect(performance.now() - started).to.be.below(2000);
  });

  it('stops a bomb whose headers lie about its sizes at the inflate cap', async () => {
    const rssBefore = process.memoryUsage().rss;
    let thrown: unknown;
    await checkZip(await makeZipBomb(true), { ...limits, maxInflatedBytes: 32 << 20 }).catch(
      (e) => (thrown = e),
    );
    expect(thrown).to.be.instanceOf(ContentError);
    expect((thrown as ContentError).code).to.equal('CORRUPTED_FILE');
    expect(process.memoryUsage().rss - rssBefore).to.be.below(200 << 20);
  });

  it('passes an honest DOCX', async () => {
    const names = await checkZip(await makeDocx(), limits);
    expect(names).to.include('word/document.xml');
  });
});
