/** A word to check, with its place in the text. */
export interface Token {
  word: string;
  offset: number;
  /** First word of a sentence (a capital letter there says nothing about names). */
  sentenceStart: boolean;
}

// bounded local part and labels: an unbounded [\w.+-]+@ rescans a long run of letters per start
const URL_OR_EMAIL = /(?:https?:\/\/|www\.)\S+|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}/giu;
const WORD = /\p{L}+(?:['’]\p{L}+)*/gu;

/**
 * The words a spellchecker should look at. Rules:
 * - a word is a run of letters, with inner apostrophes (`don't`, `isn’t`); hyphenated words are
 *   checked part by part;
 * - URLs and e-mail addresses are skipped whole;
 * - anything touching a digit (`3rd`, `A4`, `covid19`) is skipped;
 * - single letters and ALL-CAPS words (acronyms: `EU`, `NATO`) are skipped;
 * - a capitalised word inside a sentence is taken for a name and skipped; at the start of a
 *   sentence it is checked (the checker accepts it in lower case too).
 * Case is kept: the offsets point into the original text.
 */
export function tokenize(text: string): Token[] {
  const masked = text.replace(URL_OR_EMAIL, (m) => ' '.repeat(m.length));
  const tokens: Token[] = [];
  for (const m of masked.matchAll(WORD)) {
    const word = m[0];
    const offset = m.index!;
    const before = masked[offset - 1] ?? '';
    const after = masked[offset + word.length] ?? '';
    if (/\d/.test(before) || /\d/.test(after)) continue;
    if ([...word].length < 2) continue;
    if (word === word.toUpperCase()) continue;
    const sentenceStart = isSentenceStart(masked, offset);
    if (!sentenceStart && /^\p{Lu}/u.test(word)) continue;
    tokens.push({ word, offset, sentenceStart });
  }
  return tokens;
}

/** Only the few characters before the word are looked at: tokenising stays linear in the text. */
function isSentenceStart(text: string, offset: number): boolean {
  const window = text.slice(Math.max(0, offset - 40), offset);
  const preceding = window.replace(/[\s"'“”‘’«»([-]+$/u, '');
  return (offset <= 40 && preceding === '') || /[.!?:]$/.test(preceding) || /\n\s*$/.test(window);
}
