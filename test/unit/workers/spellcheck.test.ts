import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import {
  HUNSPELL_CALLS_PER_ESSAY,
  MAX_LOOKUPS_PER_ESSAY,
  SpellChecker,
} from '../../../src/workers/spellcheck/checker.js';
import type { Lexicon } from '../../../src/workers/spellcheck/lexicon.js';
import { rankCandidates } from '../../../src/workers/spellcheck/rank.js';
import { tokenize } from '../../../src/workers/spellcheck/tokenize.js';
import { repRules, typoModel } from '../../../src/workers/spellcheck/typo-model.js';
import { expandDictionary } from '../../../src/workers/spellcheck/word-list.js';
import { typoCost } from '../../../src/workers/spellcheck/word-trie.js';

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

describe('spellcheck: typo costs and ranking', () => {
  const sv = typoModel('sv', [['j', 'g']]);
  const en = typoModel('en', repRules('REP 2\nREP f ph\nREP alot a_lot\n'));

  it('makes a dropped double letter and a missing ring or dots cheaper than a full edit', () => {
    expect(typoCost('esay', 'essay', en)).to.equal(0.5);
    expect(typoCost('esay', 'easy', en)).to.equal(1);
    expect(typoCost('sjukhusset', 'sjukhuset', sv)).to.equal(0.5);
    expect(typoCost('pa', 'på', sv)).to.be.below(0.5);
    expect(typoCost('maste', 'måste', sv)).to.be.below(0.5);
    expect(typoCost('pa', 'ps', sv)).to.equal(1);
    // the dictionary's REP table: a sound-alike spelling costs less than its two edits
    expect(typoCost('fotograf', 'photograf', en)).to.be.below(1);
    expect(typoCost('jenast', 'genast', sv)).to.be.below(1);
  });

  it('ranks by typo and commonness, and prefers the chosen English spelling', () => {
    const counts = new Map([
      ['color', 5000],
      ['colour', 300],
      ['easy', 13551],
      ['essay', 313],
    ]);
    const lexicon = (variant: 'gb' | 'us') =>
      ({
        frequency: (w: string) => counts.get(w) ?? 0,
        preferred: (w: string) => (variant === 'gb' ? w !== 'color' : w !== 'colour'),
        soundsAlike: true,
      }) as unknown as Lexicon;
    const cands = (pairs: [string, number][]) => pairs.map(([word, cost]) => ({ word, cost }));
    const esay = rankCandidates(
      'esay',
      cands([
        ['easy', 1],
        ['essay', 0.5],
      ]),
      lexicon('gb'),
    );
    expect(esay.map((r) => r.word)).to.deep.equal(['essay', 'easy']);
    const colour = cands([
      ['color', 1],
      ['colour', 1],
    ]);
    expect(rankCandidates('colur', colour, lexicon('gb'))[0]!.word).to.equal('colour');
    expect(rankCandidates('colur', colour, lexicon('us'))[0]!.word).to.equal('color');
  });

  it('spells out a Hunspell dictionary: prefixes, suffixes, cross products, no names or NOSUGGEST', () => {
    const aff = [
      'NOSUGGEST !',
      'PFX U Y 1',
      'PFX U 0 un .',
      'SFX S Y 2',
      'SFX S y ies [^aeiou]y',
      'SFX S 0 s [^y]',
    ].join('\n');
    const words = expandDictionary(aff, '4\nfly/S\nhappy/U\nkind/US\nLondon/S\nbad/!\n').words;
    expect(words.sort()).to.deep.equal(
      ['flies', 'fly', 'happy', 'kind', 'kinds', 'unhappy', 'unkind', 'unkinds'].sort(),
    );
  });
});

describe('spellcheck: the checker (Hunspell dictionaries, hunspell-asm)', function () {
  this.timeout(60_000);
  let checker: SpellChecker;
  before(async () => (checker = await SpellChecker.load()));

  it('corrects English: "esay" becomes "essay", "speling" becomes "spelling", keeping the capital', () => {
    const r = checker.check('Esay writing is fun. This esay is about speling.', 'en');
    expect(r.correctedText).to.equal('Essay writing is fun. This essay is about spelling.');
    expect(r.corrections).to.deep.equal([
      { word: 'Esay', offset: 0, replacement: 'Essay' },
      { word: 'esay', offset: 26, replacement: 'essay' },
      { word: 'speling', offset: 40, replacement: 'spelling' },
    ]);
    expect(r.correctionsMade).to.equal(3);
    expect(r.languageChecked).to.equal('en');
  });

  it('corrects Swedish slips, å/ä/ö ones too, and rejects what nspell would accept', () => {
    const rest =
      ' Det är roligt att se en film tillsammans med sina vänner, särskilt en lång och mörk kväll i november.';
    const r = checker.check(
      'Det var flikor på sjukhusset. Jag vill ga pa bio, vi maste ta tva bussar.' + rest,
      'sv',
    );
    expect(r.correctedText).to.equal(
      'Det var flickor på sjukhuset. Jag vill gå på bio, vi måste ta två bussar.' + rest,
    );
    expect(checker.isCorrect('qwxz', 'sv')).to.equal(false);
    expect(checker.isCorrect('räksmörgås', 'sv')).to.equal(true);
  });

  it('leaves a word as written when no suggestion is clearly best, and says what it might be', () => {
    const r = checker.check('Jag skrev en uppsatts om skolan och om hur den kan bli bättre.', 'sv');
    expect(r.correctionsMade).to.equal(0);
    expect(r.correctedText).to.include('uppsatts');
    expect(r.unknownWords).to.have.length(1);
    expect(r.unknownWords[0]!.suggestions).to.include('uppsats');
  });

  it('knows both Englishes, never suggests a name for a lower-case word, never touches names, acronyms, digits or addresses', () => {
    const text =
      'My favourite colour is grey, my favorite color is gray. We travelled to Järna and Grey Street with the EU in 2024, see www.exampel.com or mail tset@exampel.com.';
    const r = checker.check(text, 'en');
    expect(r.misspellings).to.deep.equal([]);
    expect(r.correctedText).to.equal(text);
    for (const [word, language] of [
      ['järna', 'sv'],
      ['grey', 'en'],
      ['eco', 'en'],
    ] as const)
      for (const s of checker.suggest(word, language))
        expect(s.word, word).to.equal(s.word.toLowerCase());
  });

  it('changes at most 1 word in 1,000 of clean British, American and Swedish prose', () => {
    for (const [file, lang] of [
      ['clean-en-gb.txt', 'en'],
      ['clean-en-us.txt', 'en'],
      ['clean-en.txt', 'en'],
      ['clean-sv-prose.txt', 'sv'],
      ['clean-sv.txt', 'sv'],
    ] as const) {
      const r = checker.check(fixture(file), lang);
      expect(r.words, file).to.be.at.least(500);
      const changed = r.corrections.map((c) => `${c.word} → ${c.replacement}`);
      expect(r.correctionsMade / (r.words / 1000), `${file}: ${changed}`).to.be.at.most(1);
    }
  });

  it('checks an essay in the language it is written in, whatever its course says', () => {
    for (const [file, course, written] of [
      ['clean-en-gb.txt', 'sv', 'en'],
      ['clean-en-us.txt', 'sv', 'en'],
      ['clean-sv-prose.txt', 'en', 'sv'],
    ] as const) {
      const r = checker.check(fixture(file), course);
      expect(r, file).to.include({
        languageDetected: written,
        languageChecked: written,
        correctionsMade: 0,
      });
    }
  });

  it('corrects nothing in an essay in another language, or one its dictionary mostly does not know', () => {
    const german =
      'Jedes Schuljahr beginnt mit einem Versprechen. Die Schüler kehren mit neuen Büchern, neuen Lehrern und neuen Hoffnungen in ihre Klassenzimmer zurück.';
    const de = checker.check(german, 'en');
    expect(de).to.include({ correctedText: german, correctionsMade: 0, languageChecked: null });
    expect(de.skipped!.reason).to.equal('unsupported_language');
    const garbled =
      'The studnets wrot thier esays abuot the histroy of there contry and the peple who livd there long ago.';
    const g = checker.check(garbled, 'en');
    expect(g).to.include({ correctedText: garbled, correctionsMade: 0 });
    expect(g.skipped!.reason).to.equal('too_many_unknown_words');
    const short = checker.check('I like my school a lot.', 'sv');
    expect(short.skipped!.reason).to.equal('language_unclear');
  });

  it('bounds the work one essay costs: suggestion searches and Hunspell calls are capped', () => {
    // 1,000 words, 180 of them different non-words none of which is near a dictionary word
    const words = fixture('clean-en-gb.txt').split(/\s+/).slice(0, 820);
    const letters = (i: number) => String.fromCharCode(97 + (i % 26), 97 + Math.floor(i / 26));
    for (let i = 0; i < 180; i++) words.splice(i * 4 + 1, 0, `zq${letters(i)}xv`);
    const r = checker.check(words.join(' '), 'en');
    expect(r.languageChecked).to.equal('en');
    expect(r.misspellings.length).to.be.at.least(180);
    expect(r.suggestionLookups).to.equal(MAX_LOOKUPS_PER_ESSAY);
    expect(r.hunspellCalls).to.equal(HUNSPELL_CALLS_PER_ESSAY);
  });

  it('keeps a Swedish learner list whose every target dictionary-sv accepts and no misspelling', () => {
    const pairs = fixture('sv-learner-misspellings.tsv')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split('\t'));
    expect(pairs.length).to.be.at.least(100);
    for (const [wrong, right, kind] of pairs) {
      expect(['consonant', 'aao', 'sound'], wrong).to.include(kind);
      expect(checker.isCorrect(right!, 'sv'), right).to.equal(true);
      expect(checker.isCorrect(wrong!, 'sv'), wrong).to.equal(false);
    }
  });
});
