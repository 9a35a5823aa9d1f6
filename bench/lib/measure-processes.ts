import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../test/helpers/processes.js';

/**
 * Starts `count` measuring processes of bench/extract.ts (`--role direct`: the libraries called
 * directly; `--role extractor`: a one-child sandbox) that begin at the same moment, and answers
 * their summed files/s: what that many cores of this machine give for the work.
 */
export async function measureProcesses(
  count: number,
  role: 'direct' | 'extractor',
  format: string,
  quick: boolean,
): Promise<number> {
  // time for every process to load before they start together
  const startAt = Date.now() + (quick ? 1500 : 4000);
  const script = path.join(repoRoot, 'bench', 'extract.ts');
  const runs = Array.from(
    { length: count },
    () =>
      new Promise<{ perSecond: number }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            'tsx',
            script,
            '--role',
            role,
            '--format',
            format,
            '--start',
            String(startAt),
            ...(quick ? ['--quick'] : []),
          ],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.on('exit', (code) =>
          code === 0
            ? resolve(JSON.parse(out) as { perSecond: number })
            : reject(new Error(`measure exited ${code}`)),
        );
      }),
  );
  return (await Promise.all(runs)).reduce((sum, r) => sum + r.perSecond, 0);
}
