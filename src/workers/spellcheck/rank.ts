/**
 * Orders a checker's suggestions by how likely each is the word the student meant: a weighted
 * edit distance (how plausible the typo is) against how common the word is. A dropped or
 * doubled letter (`esay` for `essay`, `uppsatts` for `uppsats`) is the commonest slip, so it
 * costs half an edit; every other insertion, deletion, substitution or swap of neighbours costs
 * one. Frequency breaks near-ties: each tenfold of corpus count is worth a tenth of an edit.
 * Without frequencies (Swedish) the checker's own order breaks ties.
 */
export function rankSuggestions(
  word: string,
  suggestions: string[],
  frequency: (w: string) => number,
): string[] {
  const scored = suggestions.map((s, i) => ({
    s,
    i,
    score: typoCost(word.toLowerCase(), s.toLowerCase()) - 0.1 * Math.log10(frequency(s) + 1),
  }));
  scored.sort((a, b) => a.score - b.score || a.i - b.i);
  return scored.map((x) => x.s);
}

/** Weighted optimal-string-alignment distance; doubling or undoubling a letter costs 0.5. */
export function typoCost(a: string, b: string): number {
  const A = [...a];
  const B = [...b];
  const d: number[][] = Array.from({ length: A.length + 1 }, () =>
    new Array<number>(B.length + 1).fill(0),
  );
  for (let i = 0; i <= A.length; i++) d[i]![0] = i;
  for (let j = 0; j <= B.length; j++) d[0]![j] = j;
  for (let i = 1; i <= A.length; i++) {
    for (let j = 1; j <= B.length; j++) {
      const same = A[i - 1] === B[j - 1];
      // deleting A[i-1] is a doubling slip when it repeats its neighbour
      const del = A[i - 1] === A[i - 2] || A[i - 1] === A[i] ? 0.5 : 1;
      const ins = B[j - 1] === B[j - 2] || B[j - 1] === B[j] ? 0.5 : 1;
      let best = Math.min(
        d[i - 1]![j]! + del,
        d[i]![j - 1]! + ins,
        d[i - 1]![j - 1]! + (same ? 0 : 1),
      );
      if (i > 1 && j > 1 && A[i - 1] === B[j - 2] && A[i - 2] === B[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[A.length]![B.length]!;
}
