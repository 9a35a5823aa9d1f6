import type { Lexicon } from './lexicon.js';
import { rankCandidates, type Ranked } from './rank.js';
import { typoCost, type Candidate } from './word-trie.js';

/** The dearest typo the checker's own search looks for: two and a half edits. */
const MAX_COST = 2.5;
/** Hunspell is asked only when nothing within one and a half edits was found. */
const HUNSPELL_WHEN_ABOVE = 1.5;
/** Hunspell's suggestions take ~25 ms a word, seconds for long foreign words. */
const HUNSPELL_MAX_LENGTH = 20;

/** What one essay may still spend on Hunspell's slow suggestions. */
export interface SuggestBudget {
  hunspellCalls: number;
}

/**
 * Candidates for a misspelt word, likeliest first. Three sources: the dictionary's words within
 * `MAX_COST` (a trie search, a few milliseconds), single cheap slips that Hunspell accepts
 * (Swedish compounds are not in the word list: `sjukhusset` → `sjukhuset`), and, for a word with
 * nothing close, Hunspell's own suggestions while the essay's budget lasts. Never a word with a
 * capital (a name is no correction of a lower-case word), never two words unless they are the
 * misspelling with a space put in.
 */
export function suggest(
  word: string,
  lex: Lexicon,
  budget: SuggestBudget,
): { ranked: Ranked[]; complete: boolean } {
  const written = word.toLowerCase().replaceAll('’', "'");
  const found = new Map<string, Candidate>();
  const add = (c: Candidate) => {
    const had = found.get(c.word);
    if (!had || had.cost > c.cost) found.set(c.word, c);
  };
  for (const c of lex.trie.search(written, lex.model, MAX_COST, 60))
    if (c.word === c.word.toLowerCase() && c.word !== written) add(c);
  if (lex.language === 'sv')
    for (const v of cheapSlips(written))
      if (!found.has(v) && lex.knows(v)) add({ word: v, cost: typoCost(written, v, lex.model) });
  const best = Math.min(...[...found.values()].map((c) => c.cost));
  const wanted = best > HUNSPELL_WHEN_ABOVE && written.length <= HUNSPELL_MAX_LENGTH;
  const asked = wanted && budget.hunspellCalls > 0;
  if (asked) {
    budget.hunspellCalls--;
    for (const s of lex.hunspell.suggest(written)) {
      if (found.has(s) || s !== s.toLowerCase()) continue;
      if (/[\s-]/.test(s)) {
        if (s.replace(/[\s-]/, '') === written) add({ word: s, cost: 1 });
        continue;
      }
      add({ word: s, cost: typoCost(written, s, lex.model) });
    }
  }
  // without Hunspell's say (the essay's budget was spent) the answer is not the whole one
  return {
    ranked: rankCandidates(written, [...found.values()], lex),
    complete: !wanted || asked,
  };
}

const RINGS: Record<string, string[]> = {
  a: ['å', 'ä'],
  o: ['ö', 'å'],
  e: ['ä'],
  å: ['a'],
  ä: ['a', 'e'],
  ö: ['o'],
};

/**
 * The slips Swedish writers make most, undone one at a time: a doubled or undoubled consonant,
 * a missing ring or dots, `k` for `ck`. A few dozen words, checked with Hunspell, which knows
 * the compounds a word list cannot hold.
 */
function cheapSlips(w: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) {
    const ch = w[i]!;
    if (ch === w[i + 1]) out.push(w.slice(0, i) + w.slice(i + 1));
    else if (!'aeiouyåäö'.includes(ch)) out.push(w.slice(0, i + 1) + ch + w.slice(i + 1));
    for (const r of RINGS[ch] ?? []) out.push(w.slice(0, i) + r + w.slice(i + 1));
    if (ch === 'k' && w[i - 1] !== 'c') out.push(`${w.slice(0, i)}ck${w.slice(i + 1)}`);
  }
  return out;
}
