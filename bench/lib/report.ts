import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../results');

/** One line that says where the numbers come from. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Writes `<name>.md` and `<name>.json` under bench/results and prints the markdown. */
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
}
