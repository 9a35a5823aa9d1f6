import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { errorCodes } from '../../../src/shared/errors.js';
import { excessReasons, phaseOutcomes } from '../../../src/shared/events/schemas.js';
import { repoRoot } from '../../helpers/processes.js';

// the page's words are a browser module without types: read as data
const words: any = await import(path.join(repoRoot, 'src/api/public/i18n.js'));

/** Every error code the API answers with, as its source writes them (a new one is found too). */
function httpErrorCodes(): string[] {
  const codes = new Set<string>();
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of walk(path.join(repoRoot, 'src')).filter((f) => f.endsWith('.ts'))) {
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(/HttpError\(\s*[\w.]+,\s*'([A-Z_]+)'/g)) codes.add(m[1]!);
  }
  return [...codes];
}

const skipReasons = ['language_unclear', 'unsupported_language', 'too_many_unknown_words'];

describe('the upload page speaks Swedish and English about every code', () => {
  it('finds the API error codes in the source (the scan itself works)', () => {
    expect(httpErrorCodes()).to.include.members([
      'BATCH_NOT_FOUND',
      'UNAUTHORIZED',
      'BAD_REQUEST',
      'TOO_MANY_PARTS',
    ]);
  });

  for (const [group, codes] of [
    ['file outcomes (the error taxonomy)', errorCodes],
    ['excess reasons', excessReasons],
    ['spellcheck skip reasons', skipReasons],
    ['phase outcomes', phaseOutcomes],
    ['API error answers', httpErrorCodes()],
  ] as const)
    it(`has a sentence in both languages for every one of the ${group}`, () => {
      for (const lang of words.languages)
        for (const code of codes)
          expect(words.codeSentences[lang][code], `${lang} ${code}`)
            .to.be.a('string')
            .with.length.above(0);
    });

  it('says what to do about every file outcome and excess reason, in both languages', () => {
    for (const lang of words.languages)
      for (const code of [...errorCodes, ...excessReasons])
        expect(words.codeAdvice[lang][code], `${lang} ${code}`)
          .to.be.a('string')
          .with.length.above(0);
  });

  it('has every page text in both languages, plurals with both forms', () => {
    const en = words.pageTexts.en;
    const sv = words.pageTexts.sv;
    expect(Object.keys(sv).sort()).to.deep.equal(Object.keys(en).sort());
    for (const lang of words.languages)
      for (const [key, value] of Object.entries(words.pageTexts[lang]))
        if (typeof value === 'object' && key !== 'langName')
          expect(value, `${lang} ${key}`).to.have.all.keys('one', 'other');
  });

  it('has every text the page asks for (data-t in the HTML, t(…) in its scripts)', () => {
    const dir = path.join(repoRoot, 'src/api/public');
    const asked = new Set<string>();
    const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
    for (const m of html.matchAll(/data-t="(\w+)"/g)) asked.add(m[1]!);
    for (const file of ['app.js', 'results.js', 'corrected.js']) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      for (const m of source.matchAll(/\bt\('(\w+)'/g)) asked.add(m[1]!);
    }
    expect(asked.size).to.be.above(20);
    for (const lang of words.languages)
      for (const key of asked)
        expect(words.pageTexts[lang], `${lang} ${key}`).to.have.property(key);
  });

  it('gets plurals right in both languages', () => {
    const en = words.translator('en');
    const sv = words.translator('sv');
    expect(en('corrections', { n: 1 })).to.equal('1 correction');
    expect(en('corrections', { n: 2 })).to.equal('2 corrections');
    expect(en('corrections', { n: 0 })).to.equal('0 corrections');
    expect(sv('corrections', { n: 1 })).to.equal('1 rättelse');
    expect(sv('corrections', { n: 3 })).to.equal('3 rättelser');
    expect(en('essaysReady', { n: 24, total: 25 })).to.equal('24 of 25 essays ready');
    expect(sv('essaysReady', { n: 1, total: 1 })).to.equal('1 av 1 uppsats klar');
    expect(sv('filesUnreadable', { n: 1 })).to.equal('1 fil kunde inte läsas');
  });

  it("follows the browser's language, Swedish when it is neither", () => {
    expect(words.pickLanguage(['sv-SE', 'en'])).to.equal('sv');
    expect(words.pickLanguage(['en-GB', 'sv'])).to.equal('en');
    expect(words.pickLanguage(['de-DE'])).to.equal('sv');
    expect(words.translator('en').code('EMPTY_CONTENT')).to.equal('The file has no text.');
    expect(words.translator('sv').code('EMPTY_CONTENT')).to.match(/^Filen är tom/);
  });
});
