import type { TypoModel } from './typo-model.js';

export interface Candidate {
  word: string;
  cost: number;
}

/**
 * A dictionary's words in a trie (typed arrays: a Swedish dictionary spells out ~800,000 forms),
 * searched for the words within a typo cost of a misspelling. The cost is the weighted
 * edit distance of `TypoModel` computed row by row down the trie, so a branch is left as soon
 * as every alignment is too dear: a search visits a few thousand nodes, not the dictionary.
 */
export class WordTrie {
  private readonly chars: Uint16Array;
  private readonly child: Int32Array;
  private readonly next: Int32Array;
  private readonly wordAt: Int32Array;
  private readonly longest: number;

  constructor(private readonly words: readonly string[]) {
    // typed arrays grown by doubling: plain arrays of millions of nodes cost seconds to build
    let cap = 1024;
    let chars = new Uint16Array(cap);
    let child = new Int32Array(cap).fill(-1);
    let next = new Int32Array(cap).fill(-1);
    let wordAt = new Int32Array(cap).fill(-1);
    let size = 1;
    const grow = () => {
      cap *= 2;
      const widen = <T extends Uint16Array | Int32Array>(a: T, fresh: T, fill: number) => {
        fresh.fill(fill).set(a);
        return fresh;
      };
      chars = widen(chars, new Uint16Array(cap), 0);
      child = widen(child, new Int32Array(cap), -1);
      next = widen(next, new Int32Array(cap), -1);
      wordAt = widen(wordAt, new Int32Array(cap), -1);
    };
    let longest = 0;
    words.forEach((w, index) => {
      if (w.length > longest) longest = w.length;
      let node = 0;
      for (let k = 0; k < w.length; k++) {
        const c = w.charCodeAt(k);
        let n = child[node]!;
        while (n >= 0 && chars[n] !== c) n = next[n]!;
        if (n < 0) {
          if (size === cap) grow();
          n = size++;
          chars[n] = c;
          next[n] = child[node]!;
          child[node] = n;
        }
        node = n;
      }
      wordAt[node] = index;
    });
    this.longest = longest;
    this.chars = chars.slice(0, size);
    this.child = child.slice(0, size);
    this.next = next.slice(0, size);
    this.wordAt = wordAt.slice(0, size);
  }

  get size(): number {
    return this.words.length;
  }

  /** Words whose typo cost from `query` is at most `maxCost`, cheapest first, at most `limit`. */
  search(query: string, model: TypoModel, maxCost: number, limit: number): Candidate[] {
    const A = query;
    const n = A.length;
    const depthMax = Math.min(n + Math.ceil(maxCost / model.cheapest), this.longest);
    const rows = Array.from({ length: depthMax + 1 }, () => new Float64Array(n + 1));
    const path = new Uint16Array(depthMax + 1);
    const del = Float64Array.from({ length: n }, (_, i) => model.del(A, i));
    for (let i = 1; i <= n; i++) rows[0]![i] = rows[0]![i - 1]! + del[i - 1]!;
    // what writing each letter of the query costs when the word has `b` there, per letter b
    const subs = new Map<number, Float64Array>();
    const subRow = (b: number) => {
      let row = subs.get(b);
      if (!row) {
        const bs = String.fromCharCode(b);
        row = Float64Array.from({ length: n }, (_, i) => (A[i] === bs ? 0 : model.sub(A[i]!, bs)));
        subs.set(b, row);
      }
      return row;
    };
    // multi-letter rules whose misspelt side ends at each position of the query
    const rulesEndingAt: number[][] = Array.from({ length: n + 1 }, () => []);
    model.rules.forEach((r, k) => {
      for (let i = r.from.length; i <= n; i++)
        if (A.startsWith(r.from, i - r.from.length)) rulesEndingAt[i]!.push(k);
    });
    const codes = Uint16Array.from({ length: n }, (_, i) => A.charCodeAt(i));
    const found: Candidate[] = [];
    const visit = (node: number, depth: number) => {
      const j = depth + 1;
      if (j > depthMax) return;
      const prev = rows[depth]!;
      const row = rows[j]!;
      for (let c = this.child[node]!; c >= 0; c = this.next[c]!) {
        const b = this.chars[c]!;
        path[j] = b;
        const sub = subRow(b);
        const ins = b === path[j - 1] && j > 1 ? model.double : 1;
        row[0] = prev[0]! + ins;
        let best = row[0]!;
        for (let i = 1; i <= n; i++) {
          let d = prev[i - 1]! + sub[i - 1]!;
          const deletion = row[i - 1]! + del[i - 1]!;
          if (deletion < d) d = deletion;
          const insertion = prev[i]! + ins;
          if (insertion < d) d = insertion;
          if (i > 1 && j > 1 && codes[i - 2] === b && codes[i - 1] === path[j - 1]) {
            const swap = rows[j - 2]![i - 2]! + model.swap;
            if (swap < d) d = swap;
          }
          for (const k of rulesEndingAt[i]!) {
            const r = model.rules[k]!;
            const m = r.to.length;
            if (m > j) continue;
            let matches = true;
            for (let x = 0; x < m && matches; x++)
              matches = r.to.charCodeAt(x) === path[j - m + 1 + x];
            if (matches) {
              const via = rows[j - m]![i - r.from.length]! + r.cost;
              if (via < d) d = via;
            }
          }
          row[i] = d;
          if (d < best) best = d;
        }
        if (best > maxCost) continue;
        const w = this.wordAt[c]!;
        if (w >= 0 && row[n]! <= maxCost) found.push({ word: this.words[w]!, cost: row[n]! });
        visit(c, j);
      }
    };
    visit(0, 0);
    found.sort((x, y) => x.cost - y.cost);
    return found.slice(0, limit);
  }
}

/** The typo cost of writing `written` for `meant`. */
export function typoCost(written: string, meant: string, model: TypoModel): number {
  return new WordTrie([meant]).search(written, model, 100, 1)[0]?.cost ?? Infinity;
}
