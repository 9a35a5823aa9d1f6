import { execFileSync, spawnSync } from 'node:child_process';
import { ensureDebianPackage, runs } from '../../src/shared/system-packages.js';

/**
 * GNU Aspell, the reference the accuracy benchmark compares with: installed from Debian
 * (`aspell`, `aspell-en`, `aspell-sv`) when missing and running as root, as redis-server is.
 */
export function ensureAspell(log: (msg: string) => void): void {
  const dicts = () => {
    try {
      return execFileSync('aspell', ['dicts'], { encoding: 'utf8' }).split('\n');
    } catch {
      return [];
    }
  };
  const missing = (pkg: string) => () =>
    new Error(
      `${pkg} is missing: install it (apt-get install ${pkg}) or run the benchmark as root`,
    );
  ensureDebianPackage({
    pkg: 'aspell',
    present: () => runs('aspell', ['--version']),
    missing: missing('aspell'),
    log,
  });
  for (const [pkg, dict] of [
    ['aspell-en', 'en_GB'],
    ['aspell-sv', 'sv'],
  ] as const)
    ensureDebianPackage({ pkg, present: () => dicts().includes(dict), missing: missing(pkg), log });
}

/** Aspell's verdict on each word: null when it accepts it, else its suggestions in order. */
export function aspellCheck(words: string[], lang: string): (string[] | null)[] {
  const out = spawnSync(
    'aspell',
    ['-a', `--lang=${lang}`, '--encoding=utf-8', '--sug-mode=normal'],
    {
      input: words.map((w) => `^${w}\n`).join(''),
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  if (out.status !== 0) throw new Error(`aspell failed: ${out.stderr}`);
  // after the banner, one block per input line, each ended by an empty line
  const blocks = out.stdout.split('\n').slice(1).join('\n').split('\n\n');
  return words.map((_, i) => {
    const line = blocks[i]?.trim() ?? '';
    if (line.startsWith('&')) return line.slice(line.indexOf(':') + 2).split(', ');
    if (line.startsWith('#')) return [];
    return null;
  });
}
