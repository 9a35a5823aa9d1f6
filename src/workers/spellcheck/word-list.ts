/**
 * The words a Hunspell dictionary spells out with its stems and affixes, for the checker's own
 * candidate search (Hunspell answers "is this a word", but its suggestions are slow and cannot
 * be bounded). Compounds are not generated (Swedish makes them without end): Hunspell still
 * accepts them, and the checker reaches them by single edits checked with Hunspell.
 *
 * Supports what dictionary-en, dictionary-en-gb and dictionary-sv use: one-character flags,
 * PFX/SFX with conditions, cross products, one level of continuation classes. Stems marked
 * NOSUGGEST, FORBIDDENWORD, ONLYINCOMPOUND or NEEDAFFIX (the bare stem) are left out, and so is
 * anything that is not letters with inner apostrophes.
 */
interface Affix {
  strip: string;
  add: string;
  cont: string;
  test: (word: string) => boolean;
  /** Whether the condition lets a word end in this letter (suffixes). */
  endsIn: (letter: string) => boolean;
}
interface AffixClass {
  cross: boolean;
  rules: Affix[];
}

const WORD = /^\p{L}+(?:'\p{L}+)*$/u;
const AFFIX = /^[\p{L}']+$/u;

export interface WordList {
  words: string[];
  /** The .dic stem each word is a form of: an index into `stems`. */
  stemOf: Int32Array;
  stems: string[];
}

/**
 * An affix condition (`[^aeiou]y`, `.`, `e`) as a test of the word's end (suffixes) or start:
 * a regular expression per test was most of the time spent spelling out a dictionary.
 */
function condition(cond: string, atEnd: boolean): (word: string) => boolean {
  if (cond === '.') return () => true;
  const sets: { chars: string; negated: boolean }[] = [];
  for (let k = 0; k < cond.length; k++) {
    if (cond[k] === '[') {
      const close = cond.indexOf(']', k);
      const negated = cond[k + 1] === '^';
      sets.push({ chars: cond.slice(k + (negated ? 2 : 1), close), negated });
      k = close;
    } else sets.push({ chars: cond[k] === '.' ? '' : cond[k]!, negated: cond[k] === '.' });
  }
  const n = sets.length;
  return (word) => {
    if (word.length < n) return false;
    const from = atEnd ? word.length - n : 0;
    for (let k = 0; k < n; k++) {
      const { chars, negated } = sets[k]!;
      if (chars.includes(word[from + k]!) === negated) return false;
    }
    return true;
  };
}

/** The last letter's part of a condition: `[^aeiou]y` → `y`, `[^ey]` → `[^ey]`. */
function lastOf(cond: string): string {
  return cond.endsWith(']') ? cond.slice(cond.lastIndexOf('[')) : cond.slice(-1);
}

export function expandDictionary(aff: string, dic: string): WordList {
  const sfx = new Map<string, AffixClass>();
  const pfx = new Map<string, AffixClass>();
  const special = { NOSUGGEST: '', FORBIDDENWORD: '', ONLYINCOMPOUND: '', NEEDAFFIX: '' };
  for (const line of aff.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0]! in special && f[1]) special[f[0] as keyof typeof special] = f[1];
    if (f[0] !== 'SFX' && f[0] !== 'PFX') continue;
    const table = f[0] === 'SFX' ? sfx : pfx;
    const flag = f[1]!;
    if (!table.has(flag)) {
      table.set(flag, { cross: f[2] === 'Y', rules: [] });
      continue;
    }
    const [add, cont = ''] = f[3]!.split('/');
    const cond = f[4] ?? '.';
    if (add !== '0' && !AFFIX.test(add!)) continue;
    table.get(flag)!.rules.push({
      strip: f[2] === '0' ? '' : f[2]!,
      add: add === '0' ? '' : add!,
      cont,
      test: condition(cond, f[0] === 'SFX'),
      endsIn: condition(lastOf(cond), true),
    });
  }
  const skipStem = [special.NOSUGGEST, special.FORBIDDENWORD, special.ONLYINCOMPOUND].filter(
    Boolean,
  );
  const skipForm = new Set([...skipStem, special.NEEDAFFIX].filter(Boolean));
  const index = new Map<string, number>();
  const stemOf: number[] = [];
  const stems: string[] = [];
  // stems and affixes were checked for letters once: a form of them needs no test of its own
  const keep = (w: string, flags: string) => {
    if (index.has(w)) return;
    for (const f of flags) if (skipForm.has(f)) return;
    index.set(w, stemOf.length);
    stemOf.push(stems.length - 1);
  };
  // the suffix rules of a class that can apply to a word ending in a letter, found once
  const byLast = new Map<string, Affix[]>();
  const rulesFor = (flag: string, cls: AffixClass, last: string) => {
    const key = flag + last;
    let rules = byLast.get(key);
    if (!rules) {
      rules = cls.rules.filter((r) => r.endsIn(last));
      byLast.set(key, rules);
    }
    return rules;
  };
  const suffixed = (stem: string, flags: string) => {
    const forms: { word: string; cross: boolean; cont: string }[] = [];
    const last = stem[stem.length - 1]!;
    for (const flag of flags) {
      const cls = sfx.get(flag);
      if (!cls) continue;
      for (const r of rulesFor(flag, cls, last)) {
        if (!r.test(stem) || !stem.endsWith(r.strip)) continue;
        forms.push({
          word: stem.slice(0, stem.length - r.strip.length) + r.add,
          cross: cls.cross,
          cont: r.cont,
        });
      }
    }
    return forms;
  };
  const prefixed = (word: string, flags: string, crossOnly: boolean) => {
    const forms: string[] = [];
    for (const flag of flags) {
      const cls = pfx.get(flag);
      if (!cls || (crossOnly && !cls.cross)) continue;
      for (const r of cls.rules)
        if (r.test(word) && word.startsWith(r.strip))
          forms.push(r.add + word.slice(r.strip.length));
    }
    return forms;
  };
  const lines = dic.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const entry = lines[i]!.split(/\s/, 1)[0]!;
    if (!entry) continue;
    const slash = entry.indexOf('/', 1);
    const stem = slash < 0 ? entry : entry.slice(0, slash);
    // names are never suggested for a lower-case word, and capitalised words are not corrected
    if (stem[0] !== stem[0]!.toLowerCase()) continue;
    const flags = slash < 0 ? '' : entry.slice(slash + 1);
    if (skipStem.some((s) => flags.includes(s)) || !WORD.test(stem)) continue;
    stems.push(stem);
    keep(stem, flags);
    for (const p of prefixed(stem, flags, false)) keep(p, '');
    for (const s of suffixed(stem, flags)) {
      keep(s.word, s.cont);
      if (s.cross) for (const p of prefixed(s.word, flags, true)) keep(p, s.cont);
      // a continuation class: a second suffix on top of the first
      if (s.cont) for (const s2 of suffixed(s.word, s.cont)) keep(s2.word, s2.cont);
    }
  }
  return { words: [...index.keys()], stemOf: Int32Array.from(stemOf), stems };
}

/**
 * How many other stems of the dictionary contain each stem as the first or last part of a
 * compound: its morphological family. Common words head large families (`hus`: hundreds,
 * `uppsats`: several, `uppsätta`: few), so without a frequency list of a language this stands in
 * for one (the family size effect of psycholinguistics: family size tracks frequency).
 */
export function familySizes(stems: readonly string[]): Int32Array {
  const lower = stems.map((s) => s.toLowerCase());
  const forward = [...new Set(lower)].sort();
  const reverse = (s: string) => {
    let r = '';
    for (let k = s.length - 1; k >= 0; k--) r += s[k];
    return r;
  };
  const backward = forward.map(reverse).sort();
  const count = (sorted: string[], prefix: string) => {
    const lo = lowerBound(sorted, prefix);
    const hi = lowerBound(sorted, prefix + '\uffff');
    return hi - lo - 1;
  };
  return Int32Array.from(lower, (s) =>
    s.length < 3 ? 0 : count(forward, s) + count(backward, reverse(s)),
  );
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
