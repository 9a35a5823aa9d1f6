import { expect } from 'chai';
import iconv from 'iconv-lite';
import { ContentError } from '../../../src/shared/errors.js';
import { decodeText } from '../../../src/workers/extract/decode-text.js';
import { normalizeText } from '../../../src/workers/extract/normalize.js';
import { validateContent } from '../../../src/workers/extract/validate.js';

const swedish = 'Åsa och Öberg skrev “citat” – och ’apostrofer’ … på svenska: räksmörgås.';

describe('extract: decodeText', () => {
  it('decodes UTF-8 with and without BOM', () => {
    expect(decodeText(Buffer.from(swedish))).to.equal(swedish);
    expect(
      decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(swedish)])),
    ).to.equal(swedish);
  });
  it('decodes UTF-16 LE and BE, with BOM and without', () => {
    for (const enc of ['utf16le', 'utf16be'] as const) {
      const bom = enc === 'utf16le' ? [0xff, 0xfe] : [0xfe, 0xff];
      const body = iconv.encode(swedish, enc);
      expect(decodeText(Buffer.concat([Buffer.from(bom), body]))).to.equal(swedish);
      expect(decodeText(body)).to.equal(swedish);
    }
  });
  it('falls back to Windows-1252, including 0x80-0x9F', () => {
    expect(decodeText(iconv.encode(swedish, 'windows-1252'))).to.equal(swedish);
  });
});

describe('extract: normalizeText', () => {
  it('gives one canonical form', () => {
    const raw = 'Rubrik  \r\n\r\n\r\n\r\nA\u030asa skriver.\t\rSlut \n\n';
    expect(normalizeText(raw)).to.equal('Rubrik\n\nÅsa skriver.\nSlut');
    expect(normalizeText(normalizeText(raw))).to.equal(normalizeText(raw));
  });
});

describe('extract: validateContent', () => {
  const limits = { minChars: 50, maxChars: 100 };
  const codeOf = (text: string) => {
    try {
      validateContent(text, limits);
      return 'ok';
    } catch (err) {
      return (err as ContentError).code;
    }
  };
  it('maps length to the validator codes, counting trimmed characters', () => {
    expect(codeOf('   \n ')).to.equal('EMPTY_CONTENT');
    expect(codeOf('short')).to.equal('CONTENT_TOO_SHORT');
    expect(codeOf('x'.repeat(101))).to.equal('CONTENT_TOO_LONG');
    expect(codeOf(`  ${'å'.repeat(50)}  `)).to.equal('ok');
    expect(codeOf('å'.repeat(49))).to.equal('CONTENT_TOO_SHORT');
  });
});
