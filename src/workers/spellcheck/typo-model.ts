import type { Language } from '../../shared/batches/types.js';

/** A multi-letter slip: `from` written where `to` was meant. */
export interface Rule {
  from: string;
  to: string;
  cost: number;
}

/**
 * What each slip costs, in edits: the weights of the checker's edit distance. One insertion,
 * deletion or substitution is 1; the slips writers make most often cost less, so the word they
 * meant comes first: a doubled or dropped double letter (`esay`, `sjukhusset`) and, in Swedish,
 * a letter written without its dots or ring (`pa`, `maste`). The dictionary's own REP table (the
 * sound-alike spellings its authors list: `ph`/`f`, `tj`/`kj`) costs less than the edits it
 * stands for.
 */
export interface TypoModel {
  /** `a` written where `b` was meant. */
  sub(a: string, b: string): number;
  /** Deleting `word[i]` from the misspelling. */
  del(word: string, i: number): number;
  /** Inserting a letter that repeats the one before it (any other insertion costs 1). */
  double: number;
  swap: number;
  rules: Rule[];
  /** The least an inserted letter costs, which bounds how much longer a candidate can be. */
  cheapest: number;
}

const DOUBLE = 0.5;
const REP = 0.6;
/** The dotless or ringless letter: what a keyboard without å, ä, ö gives. */
const DIACRITIC = 0.3;
/** ä and e, å and o sound alike. */
const SOUND_VOWEL = 0.5;

const diacritics = new Map<string, number>([
  ['aå', DIACRITIC],
  ['aä', DIACRITIC],
  ['oö', DIACRITIC],
  ['eä', SOUND_VOWEL],
  ['äe', SOUND_VOWEL],
  ['oå', SOUND_VOWEL],
  ['åo', SOUND_VOWEL],
  ['öo', SOUND_VOWEL],
  ['eé', DIACRITIC],
]);

/** Sound spellings of Swedish that the dictionary's REP table leaves out. */
const SWEDISH_SOUNDS: [string, string][] = [
  ['j', 'hj'],
  ['j', 'dj'],
  ['sch', 'sj'],
  ['sh', 'sj'],
  ['sch', 'skj'],
  ['sh', 'skj'],
  ['sj', 'stj'],
  ['sj', 'skj'],
  ['sch', 'ch'],
  ['sj', 'ch'],
  ['sh', 'ch'],
  ['sj', 'ti'],
  ['sh', 'ti'],
  ['sch', 'sk'],
  ['sh', 'sk'],
];

/** The REP lines of a Hunspell .aff file that replace letters inside a word. */
export function repRules(aff: string): [string, string][] {
  const rules: [string, string][] = [];
  for (const line of aff.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'REP' || f.length < 3) continue;
    const [from, to] = [f[1]!, f[2]!];
    // anchored rules and splits (`alot` → `a lot`) are for whole words, not slips inside one
    if (/[\^$_.]/.test(from + to) || from === to) continue;
    rules.push([from, to]);
  }
  return rules;
}

export function typoModel(language: Language, rep: [string, string][]): TypoModel {
  const pairs = language === 'sv' ? [...rep, ...SWEDISH_SOUNDS] : rep;
  const seen = new Set<string>();
  const rules: Rule[] = [];
  for (const [from, to] of pairs) {
    // single letters are substitutions, and doubling is already cheap
    if (from.length === 1 && to.length === 1) continue;
    if (isDoubling(from, to) || isDoubling(to, from)) continue;
    const key = `${from}>${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rules.push({ from, to, cost: REP });
  }
  if (language === 'sv')
    rules.push({ from: 'k', to: 'ck', cost: DOUBLE }, { from: 'ck', to: 'k', cost: DOUBLE });
  const repSubs = new Set(
    (language === 'sv' ? rep : [])
      .filter(([a, b]) => a.length === 1 && b.length === 1)
      .map(([a, b]) => a + b),
  );
  return {
    sub: (a, b) => diacritics.get(a + b) ?? (repSubs.has(a + b) ? REP : 1),
    del: (w, i) => (w[i] === w[i - 1] ? DOUBLE : 1),
    double: DOUBLE,
    swap: 1,
    rules,
    cheapest: DOUBLE,
  };
}

function isDoubling(short: string, long: string): boolean {
  return (
    long.length === short.length + 1 &&
    [...long].some(
      (_, k) => long.slice(0, k) + long.slice(k + 1) === short && long[k] === long[k - 1],
    )
  );
}
