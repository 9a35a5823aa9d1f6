// `npm run bench [-- --quick] [-- --record]`: every benchmark, one after another (never two at
// once: they would measure each other), each writing its table and JSON under bench/out/
// (git-ignored), or with --record under bench/results/, the tracked numbers.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const flags = process.argv.slice(2);
const started = Date.now();
for (const name of ['extract', 'spellcheck', 'ocr', 'e2e', 'upload']) {
  const script = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const began = Date.now();
  const run = spawnSync(process.execPath, [...process.execArgv, script, ...flags], {
    stdio: 'inherit',
  });
  if (run.status !== 0) {
    console.error(`bench ${name} failed (${run.status ?? run.signal})`);
    process.exit(1);
  }
  console.error(`bench ${name}: ${((Date.now() - began) / 1000).toFixed(0)} s`);
}
console.error(`all benchmarks in ${((Date.now() - started) / 1000).toFixed(0)} s`);
