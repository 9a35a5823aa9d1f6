import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The tracked results: written only when a run is asked to record them (`--record`). */
export const recordedDir = path.join(benchDir, 'results');
/** Any other run's results: git-ignored, so a benchmark leaves a clean checkout clean. */
export const scratchDir = path.join(benchDir, 'out');
/** Where this run writes: `npm run bench -- --record` replaces the tracked results. */
export const resultsDir = process.argv.includes('--record') ? recordedDir : scratchDir;

/** One line that says where the numbers come from. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** A cell a run left out (NaN, as --quick leaves some) reads as a dash, not as `NaN`. */
const cell = (c: string | number) =>
  (typeof c === 'number' && Number.isNaN(c)) || /\bNaN\b/.test(String(c)) ? '—' : c;

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Writes `<name>.md` and `<name>.json` under `resultsDir` and prints the markdown. */
export function writeReport(name: string, title: string, markdown: string, json: unknown): void {
  fs.mkdirSync(resultsDir, { recursive: true });
  const md = `# ${title}\n\n${machineLine()}, ${new Date().toISOString()}\n\n${markdown}\n`;
  fs.writeFileSync(path.join(resultsDir, `${name}.md`), md);
  fs.writeFileSync(
    path.join(resultsDir, `${name}.json`),
    JSON.stringify(
      { machine: machineLine(), at: new Date().toISOString(), ...(json as object) },
      null,
      2,
    ),
  );
  console.log(md);
  console.error(`bench ${name}: results in ${path.relative(process.cwd(), resultsDir) || '.'}`);
}
