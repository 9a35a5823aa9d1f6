import type { Lexicon } from './lexicon.js';
import type { Candidate } from './word-trie.js';

export interface Ranked extends Candidate {
  /** Lower is likelier: the typo cost less the word's commonness and sound-alike bonuses. */
  score: number;
}

/** Each tenfold of a word's corpus count is worth a fifth of an edit... */
const FREQUENCY_WEIGHT = 0.2;
/**
 * ... up to a count that every common word reaches: among common words the typo decides, so
 * `esay` is `essay` (one dropped double letter), not the forty times commoner `easy` (a swap).
 */
const FREQUENCY_CAP = 2000;
/** Same consonants in the same order (`calculater`, `calculator`): a spelling of the same sounds. */
const SOUNDS_ALIKE = 0.3;
/** A spelling of the other English (`color` when suggesting British): still right, less wanted. */
const OTHER_VARIANT = 0.5;

/**
 * Orders candidates by how likely each is the word the student meant: the cost of the typo
 * (`TypoModel`: a doubled letter or a missing ring costs less than another edit) against how
 * common the word is, with a bonus for sounding alike (English) and a penalty for the other
 * variant's spelling. Ties keep the order they came in.
 */
export function rankCandidates(written: string, candidates: Candidate[], lex: Lexicon): Ranked[] {
  const sound = lex.soundsAlike ? skeleton(written) : undefined;
  return candidates
    .map((c, i) => ({
      ...c,
      i,
      score:
        c.cost -
        FREQUENCY_WEIGHT * Math.log10(Math.min(lex.frequency(c.word), FREQUENCY_CAP) + 1) -
        (sound !== undefined && skeleton(c.word) === sound ? SOUNDS_ALIKE : 0) +
        (lex.preferred(c.word) ? 0 : OTHER_VARIANT),
    }))
    .sort((a, b) => a.score - b.score || a.i - b.i)
    .map(({ i: _, ...r }) => r);
}

/** The first letter, then the consonants with doubles collapsed: how a word sounds, roughly. */
export function skeleton(word: string): string {
  const w = word.toLowerCase();
  let out = w[0] ?? '';
  let last = '';
  for (const ch of w.slice(1)) {
    if ('aeiouyåäöé'.includes(ch)) {
      last = '';
      continue;
    }
    if (ch !== last) out += ch;
    last = ch;
  }
  return out;
}
