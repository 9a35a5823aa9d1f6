import { expect } from 'chai';
import type { ExtractFileJob } from '../../../src/queues/jobs.js';
import { createMetrics } from '../../../src/shared/metrics.js';
import { extractFile, type ExtractDeps } from '../../../src/workers/extract/extract-file.js';
import { parseTesseractTsv } from '../../../src/workers/ocr/tsv.js';

const header =
  'level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext';
const word = (block: number, par: number, line: number, n: number, conf: number, text: string) =>
  `5\t1\t${block}\t${par}\t${line}\t${n}\t0\t0\t10\t10\t${conf}\t${text}`;

describe('ocr: reading tesseract TSV', () => {
  it('joins words into lines and paragraphs and averages the word confidences', () => {
    const tsv = [
      header,
      '1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t',
      word(1, 1, 1, 1, 90, 'Min'),
      word(1, 1, 1, 2, 80, 'sommar'),
      word(1, 1, 2, 1, 70, 'vid'),
      word(1, 1, 2, 2, 95, '   '),
      word(2, 1, 1, 1, 60, 'sjön.'),
      '',
    ].join('\n');
    expect(parseTesseractTsv(tsv)).to.deep.equal({
      text: 'Min sommar\nvid\n\nsjön.',
      words: 4,
      confidence: 75,
    });
  });

  it('a page without words has no confidence', () => {
    expect(parseTesseractTsv(`${header}\n`)).to.deep.equal({
      text: '',
      words: 0,
      confidence: null,
    });
  });
});

describe('ocr: the extractor hands photos and scans over', () => {
  const job: ExtractFileJob = {
    batch_id: 'b',
    upload_id: 'u',
    file_upload_id: 'f',
    original_file_name: 'scan.pdf',
    raw_storage_id: '0'.repeat(64),
    size_bytes: 10,
    correlation_id: 'c',
  };
  function deps(read: { format: string; text: string }) {
    const handed: string[] = [];
    const reported: string[] = [];
    const d: ExtractDeps = {
      blobs: { get: async () => Buffer.from('x'), put: async () => '1'.repeat(64) } as never,
      metrics: createMetrics(),
      limits: { minChars: 50, maxChars: 50_000 },
      extract: async () => read,
      report: async (_j, o) => void reported.push(o.kind),
      handToOcr: async (_j, format) => void handed.push(format),
    };
    return { d, handed, reported };
  }

  it('a PDF without a usable text layer, or a photo, goes to OCR and says so', async () => {
    for (const [format, text] of [
      ['pdf', ''],
      ['pdf', '  3  \n 4 '],
      ['jpeg', ''],
      ['png', ''],
      ['tiff', ''],
    ]) {
      const { d, handed, reported } = deps({ format: format!, text: text! });
      expect(await extractFile(job, d)).to.deep.equal({ file_upload_id: 'f', handed_to_ocr: true });
      expect(handed).to.deep.equal([format]);
      expect(reported, 'the OCR job reports the outcome').to.deep.equal([]);
    }
  });

  it('a PDF with its text is read here', async () => {
    const { d, handed, reported } = deps({ format: 'pdf', text: 'ord '.repeat(30) });
    const result = await extractFile(job, d);
    expect(result).to.have.nested.property('outcome.kind', 'content');
    expect(handed).to.deep.equal([]);
    expect(reported).to.deep.equal(['content']);
  });
});
