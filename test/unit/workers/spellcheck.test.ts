import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { SpellChecker } from '../../../src/workers/spellcheck/checker.js';
import { rankSuggestions, typoCost } from '../../../src/workers/spellcheck/rank.js';
import { tokenize } from '../../../src/workers/spellcheck/tokenize.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

describe('spellcheck: tokenize', () => {
  it('skips numbers, URLs, e-mail addresses, acronyms and names inside sentences (not at their start)', () => {
    const words = tokenize(
      'Anna read 3rd-rate books at https://x.se/a?b=c and mailed me@school.se about NATO. Then she left.',
    ).map((t) => t.word);
    expect(words).to.deep.equal([
      'Anna',
      'read',
      'rate',
      'books',
      'at',
      'and',
      'mailed',
      'about',
      'Then',
      'she',
      'left',
    ]);
  });
  it('keeps case and offsets, and inner apostrophes', () => {
    const text = "Don’t stop. It isn't over";
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.word)).to.deep.equal(['Don’t', 'stop', 'It', "isn't", 'over']);
    for (const t of tokens) expect(text.slice(t.offset, t.offset + t.word.length)).to.equal(t.word);
  });
});

describe('spellcheck: ranking', () => {
  it('makes a dropped double letter the likeliest slip', () => {
    expect(typoCost('esay', 'essay')).to.equal(0.5);
    expect(typoCost('esay', 'easy')).to.equal(1);
    const freq = new Map([
      ['easy', 13551],
      ['say', 83629],
      ['essay', 313],
    ]);
    expect(rankSuggestions('esay', ['easy', 'say', 'essay'], (w) => freq.get(w) ?? 0)[0]).to.equal(
      'essay',
    );
  });
});

describe('spellcheck: Hunspell dictionaries (hunspell-asm)', function () {
  this.timeout(30_000);
  let checker: SpellChecker;
  before(async () => (checker = await SpellChecker.load()));

  it('corrects English: "esay" becomes "essay", "speling" becomes "spelling"', () => {
    const r = checker.check('This esay is about speling.', 'en');
    expect(r.correctedText).to.equal('This essay is about spelling.');
    expect(r.correctionsMade).to.equal(2);
    expect(r.misspellings.map((m) => [m.word, m.offset])).to.deep.equal([
      ['esay', 5],
      ['speling', 19],
    ]);
  });

  it('corrects Swedish and rejects what nspell would accept', () => {
    const r = checker.check('Det var flikor på sjukhusset som skrev en uppsatts.', 'sv');
    expect(r.correctedText).to.equal('Det var flickor på sjukhuset som skrev en uppsats.');
    expect(checker.isCorrect('qwxz', 'sv')).to.equal(false);
    expect(checker.isCorrect('räksmörgås', 'sv')).to.equal(true);
  });

  it('makes at most 2 corrections per 500 words of clean text', () => {
    for (const [file, lang] of [
      ['clean-en.txt', 'en'],
      ['clean-sv.txt', 'sv'],
    ] as const) {
      const r = checker.check(fixture(file), lang);
      expect(r.words, file).to.be.at.least(500);
      expect(
        r.correctionsMade / (r.words / 500),
        `${file}: ${r.misspellings.map((m) => m.word)}`,
      ).to.be.at.most(2);
    }
  });
});
