import type { Language } from '../../shared/batches/types.js';
import { chooseLanguage, type LanguageChoice } from './language.js';
import { loadLexicons, type EnglishVariant, type Lexicon } from './lexicon.js';
import type { Ranked } from './rank.js';
import { suggest, type SuggestBudget } from './suggest.js';
import { tokenize, type Token } from './tokenize.js';

export type { Language } from '../../shared/batches/types.js';

export interface Misspelling {
  word: string;
  offset: number;
  suggestions: string[];
}
/** A word the checker replaced in the corrected text. */
export interface Correction {
  word: string;
  offset: number;
  replacement: string;
}

export interface CheckResult {
  /** Every word the checker flagged, corrected or not, with its suggestions. */
  misspellings: Misspelling[];
  corrections: Correction[];
  /** Flagged words left as written: no suggestion clearly best, or a word of the other language. */
  unknownWords: Misspelling[];
  correctedText: string;
  correctionsMade: number;
  words: number;
  languageDetected: LanguageChoice['detected'];
  languageChecked: Language | null;
  skipped: LanguageChoice['skipped'];
  /** Distinct words the checker searched suggestions for, and its calls of Hunspell's suggest: bounded per essay. */
  suggestionLookups: number;
  hunspellCalls: number;
}

export interface CheckerOptions {
  /** Spelling of English suggestions; a word either variant spells is correct. */
  englishVariant: EnglishVariant;
  /** An essay with more unknown words than this (a fraction) is not corrected. */
  maxUnknownRatio: number;
}

export const DEFAULT_CHECKER_OPTIONS: CheckerOptions = {
  englishVariant: 'gb',
  maxUnknownRatio: 0.2,
};

/**
 * Work one essay may cost, whatever it holds: distinct words given suggestions (each a trie
 * search of a few milliseconds) and calls of Hunspell's slow suggest. Words past the first are
 * still reported, without suggestions.
 */
export const MAX_LOOKUPS_PER_ESSAY = 60;
export const HUNSPELL_CALLS_PER_ESSAY = 3;
/** A correction is made only when its best suggestion beats the next by this much of an edit. */
const CLEAR_MARGIN = 0.3;
/** ... and costs at most two edits, one per four letters: anything further is a guess. */
const MAX_APPLIED_COST = 2;
const LETTERS_PER_EDIT = 4;
const FOREIGN_MIN_LENGTH = 4;
const SUGGESTIONS = 5;
const WARM_UP: [string, Language][] = [
  ...'esay speling recieve definately seperate occured untill wich beleive goverment acheive tommorow'
    .split(' ')
    .map((w): [string, Language] => [w, 'en']),
  ...'flikor sjukhusset uppsatts maste tva nagon ocksa komer tyker jorde egentlien tilsammans'
    .split(' ')
    .map((w): [string, Language] => [w, 'sv']),
];
const CACHE_LIMIT = 50_000;

/**
 * Checks essays in the language they are written in (the course's language is the prior) and
 * corrects only what is clearly a misspelling with one clearly best correction: names, acronyms,
 * words with digits, URLs and e-mail addresses are never touched (`tokenize`), and a word the
 * other language knows is left alone. Loaded once per thread.
 */
export class SpellChecker {
  private readonly cache = new Map<string, Ranked[]>();

  private constructor(
    private readonly lexicons: Record<Language, Lexicon>,
    private readonly options: CheckerOptions,
  ) {}

  static async load(options: Partial<CheckerOptions> = {}): Promise<SpellChecker> {
    const o = { ...DEFAULT_CHECKER_OPTIONS, ...options };
    const checker = new SpellChecker(await loadLexicons(o.englishVariant), o);
    // the first essays would otherwise pay for compiling the search (a few hundred ms)
    for (const [word, language] of WARM_UP) checker.suggest(word, language, { hunspellCalls: 0 });
    checker.cache.clear();
    return checker;
  }

  isCorrect(word: string, language: Language, sentenceStart = false): boolean {
    const lex = this.lexicons[language];
    return lex.knows(word) || (sentenceStart && lex.knows(word.toLowerCase()));
  }

  /** Suggestions for a word, likeliest first, with their scores. */
  suggest(
    word: string,
    language: Language,
    budget: SuggestBudget = { hunspellCalls: 1 },
  ): Ranked[] {
    const key = `${language}:${word.toLowerCase()}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const { ranked, complete } = suggest(word, this.lexicons[language], budget);
    if (complete) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, ranked);
    }
    return ranked;
  }

  check(text: string, language: Language): CheckResult {
    const tokens = tokenize(text);
    const unknown: Partial<Record<Language, Token[]>> = {};
    const unknownIn = (l: Language) =>
      (unknown[l] ??= tokens.filter((t) => !this.isCorrect(t.word, l, t.sentenceStart)));
    const ratio = (l: Language) => (tokens.length ? unknownIn(l).length / tokens.length : 0);
    const choice = chooseLanguage(
      text,
      tokens.length,
      language,
      ratio,
      this.options.maxUnknownRatio,
    );
    const result: CheckResult = {
      misspellings: [],
      corrections: [],
      unknownWords: [],
      correctedText: text,
      correctionsMade: 0,
      words: tokens.length,
      languageDetected: choice.detected,
      languageChecked: choice.checked,
      skipped: choice.skipped,
      suggestionLookups: 0,
      hunspellCalls: 0,
    };
    if (!choice.checked) return result;
    const checked = choice.checked;
    const other = checked === 'en' ? 'sv' : 'en';
    const budget: SuggestBudget = { hunspellCalls: HUNSPELL_CALLS_PER_ESSAY };
    const looked = new Map<string, Ranked[]>();
    let corrected = '';
    let from = 0;
    for (const t of unknownIn(checked)) {
      const key = t.word.toLowerCase();
      let ranked = looked.get(key);
      if (!ranked) {
        // `fika` in English, `weekend` in Swedish: a word, not a slip (short words like `pa`
        // are common to both by chance, and slips)
        const foreign =
          t.word.length >= FOREIGN_MIN_LENGTH && this.isCorrect(t.word, other, t.sentenceStart);
        const search = !foreign && result.suggestionLookups < MAX_LOOKUPS_PER_ESSAY;
        if (search) result.suggestionLookups++;
        ranked = search ? this.suggest(t.word, checked, budget) : [];
        looked.set(key, ranked);
      }
      const suggestions = ranked.slice(0, SUGGESTIONS).map((r) => matchCase(r.word, t.word));
      const m = { word: t.word, offset: t.offset, suggestions };
      result.misspellings.push(m);
      if (!clearlyBest(t.word, ranked)) {
        result.unknownWords.push(m);
        continue;
      }
      const replacement = suggestions[0]!;
      result.corrections.push({ word: t.word, offset: t.offset, replacement });
      corrected += text.slice(from, t.offset) + replacement;
      from = t.offset + t.word.length;
    }
    result.correctedText = corrected + text.slice(from);
    result.hunspellCalls = HUNSPELL_CALLS_PER_ESSAY - budget.hunspellCalls;
    result.correctionsMade = result.corrections.length;
    return result;
  }
}

/** Whether the best suggestion for `word` is the one to write in its place. */
export function clearlyBest(word: string, ranked: Ranked[]): boolean {
  const [best, next] = ranked;
  if (!best || best.cost > Math.min(MAX_APPLIED_COST, word.length / LETTERS_PER_EDIT)) return false;
  return !next || next.score - best.score >= CLEAR_MARGIN;
}

/** The replacement written the way the student wrote the word: `Esay` → `Essay`. */
function matchCase(suggestion: string, original: string): string {
  if (/^\p{Lu}/u.test(original)) return suggestion[0]!.toUpperCase() + suggestion.slice(1);
  return suggestion;
}
