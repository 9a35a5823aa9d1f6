// Extraction throughput: files/s and ms per file for each format, through the sandbox against
// calling the libraries directly, in the same run; and one extractor process against two.
//   npm run bench:extract [-- --quick]
import { parseArgs } from 'node:util';
import { extractDocument } from '../src/workers/extract/extract-document.js';
import { SandboxPool } from '../src/workers/extract/sandbox/pool.js';
import { sandboxOptions } from '../src/workers/registry.js';
import { loadConfig } from '../src/shared/config.js';
import { corpus, type Format } from './lib/corpus.js';
import { measureProcesses } from './lib/measure-processes.js';
import { markdownTable, writeReport } from './lib/report.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
    role: { type: 'string' },
    format: { type: 'string' },
    start: { type: 'string' },
  },
});
const seconds = args.quick ? 1 : 6;
// the fleet's defaults, with one sandbox child: what one extractor slot runs
const sandboxOpts = sandboxOptions(loadConfig({ EXTRACT_CONCURRENCY: '1' }));
const limits = sandboxOpts.limits;

interface Rate {
  files: number;
  perSecond: number;
  msPerFile: number;
}

/** Runs `work` as often as fits in the time after a warm-up, `parallel` at once. */
async function rate(
  work: (i: number) => Promise<unknown>,
  parallel = 1,
  startAt = 0,
): Promise<Rate> {
  for (let i = 0; i < 4; i++) await work(i);
  while (Date.now() < startAt) await new Promise((r) => setTimeout(r, 5));
  let files = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: parallel }, async (_, lane) => {
      for (let i = lane; performance.now() < end; i += parallel) {
        await work(i);
        files++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { files, perSecond: files / elapsed, msPerFile: (elapsed * 1000) / files };
}

/** One measuring process: `direct` calls the libraries, `extractor` owns a one-child sandbox. */
async function measureAsProcess(role: string, format: Format, startAt: number): Promise<Rate> {
  const files = await corpus(format);
  const pick = (i: number) => files[i % files.length]!;
  if (role === 'direct')
    return rate((i) => extractDocument(pick(i), `f.${format}`, limits), 1, startAt);
  const pool = new SandboxPool(sandboxOpts);
  await pool.warm();
  try {
    return await rate((i) => pool.extract(pick(i), `f.${format}`), 2, startAt);
  } finally {
    await pool.close();
  }
}

const processes = (count: number, role: 'direct' | 'extractor', format: Format) =>
  measureProcesses(count, role, format, args.quick);

if (args.role) {
  process.stdout.write(
    JSON.stringify(await measureAsProcess(args.role, args.format as Format, Number(args.start))),
  );
  process.exit(0);
}

const rows: (string | number)[][] = [];
const results: Record<string, unknown> = {};
for (const format of ['pdf', 'docx', 'txt'] as const) {
  const files = await corpus(format);
  const pick = (i: number) => files[i % files.length]!;
  const direct = await rate((i) => extractDocument(pick(i), `f.${format}`, limits));
  const pool = new SandboxPool(sandboxOpts);
  await pool.warm();
  // two requests in flight, as the extractor's job concurrency keeps it: the child never waits
  const sandbox = await rate((i) => pool.extract(pick(i), `f.${format}`), 2);
  await pool.close();
  // --quick leaves out how TXT scales over processes (it is never the bottleneck) and the
  // machine's ceiling (the libraries alone in one process and in two)
  const scaling = !(args.quick && format === 'txt');
  const oneExtractor = scaling ? await processes(1, 'extractor', format) : NaN;
  const twoExtractors = scaling ? await processes(2, 'extractor', format) : NaN;
  const twoDirect = scaling && !args.quick ? await processes(2, 'direct', format) : NaN;
  const oneDirect = scaling && !args.quick ? await processes(1, 'direct', format) : NaN;
  const entry = {
    direct,
    sandbox,
    sandbox_vs_direct: sandbox.perSecond / direct.perSecond,
    one_extractor_process: oneExtractor,
    two_extractor_processes: twoExtractors,
    two_vs_one: twoExtractors / oneExtractor,
    machine_ceiling_two_vs_one_direct: twoDirect / oneDirect,
  };
  results[format] = entry;
  rows.push([
    format,
    direct.perSecond.toFixed(1),
    direct.msPerFile.toFixed(2),
    sandbox.perSecond.toFixed(1),
    sandbox.msPerFile.toFixed(2),
    entry.sandbox_vs_direct.toFixed(2),
    oneExtractor.toFixed(1),
    twoExtractors.toFixed(1),
    entry.two_vs_one.toFixed(2),
    entry.machine_ceiling_two_vs_one_direct.toFixed(2),
  ]);
}

writeReport(
  'extract',
  'Extraction: the sandbox against the libraries called directly',
  markdownTable(
    [
      'format',
      'direct files/s (baseline, 1 core)',
      'direct ms/file',
      'sandbox files/s',
      'sandbox ms/file',
      'sandbox ÷ direct',
      '1 extractor process files/s',
      '2 extractor processes files/s',
      '2 ÷ 1',
      'ceiling: 2 ÷ 1 direct processes',
    ],
    rows,
  ) +
    '\n\nPDF: 3 pages of 40 lines; DOCX: ~1,500 words with a heading, a list and a table; TXT: 500 words; 8 different files each. ' +
    `${seconds} s per cell after a warm-up${args.quick ? ' (--quick: no TXT scaling, no ceiling; — where left out)' : ''}. An extractor process here is a one-child sandbox pool fed two files at a time; ` +
    'the ceiling column runs the libraries directly in one and then two processes, the most two cores of this machine give for the same work. ' +
    'Targets: sandbox ÷ direct ≥ 0.85; 2 ÷ 1 ≥ 1.8.',
  results,
);
