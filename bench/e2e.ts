// End to end: register -> upload -> ready through the fleet's own processes (web, extractor,
// lifecycle; built code, a private Redis), against baselines measured in the same run:
// a bare BullMQ flow for TXT, direct extraction x cores for PDF and DOCX. Also Redis's cost per
// essay and file, and time per file as the fleet's state grows.
//   npm run bench:e2e [-- --quick] [-- --profile DIR]
import os from 'node:os';
import { parseArgs } from 'node:util';
import { runBareFlow } from './lib/bare-flow.js';
import { percentile, runBatches, type RunOptions, type RunResult } from './lib/client.js';
import { corpus, words, type Format } from './lib/corpus.js';
import { cpuMsOfTree, startBenchFleet, type BenchFleet } from './lib/fleet.js';
import { measureProcesses } from './lib/measure-processes.js';
import { markdownTable, writeReport } from './lib/report.js';
import { waitFor } from '../test/helpers/wait.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
    profile: { type: 'string' },
    only: { type: 'string' },
  },
});
const quick = args.quick;
/** `--only txt,redis,pdf,docx`: some of the sections. */
const runs = (section: string) => !args.only || args.only.split(',').includes(section);
const filesPerBatch = 30;
const inFlight = 8;
const cores = os.cpus().length;
const batchesFor = (files: number) => Math.ceil(files / filesPerBatch);

const txt = (batch: number, index: number) => ({
  name: `essay-${batch}-${index}.txt`,
  type: 'text/plain',
  content: Buffer.from(`Essay ${batch}.${index}. ${words(300, batch * 31 + index)}.`),
});

async function fleetRun(
  fleet: BenchFleet,
  files: number,
  file: RunOptions['file'] = txt,
): Promise<RunResult> {
  return runBatches({
    url: fleet.url,
    batches: batchesFor(files),
    filesPerBatch,
    inFlight,
    file,
  }).catch((err: Error) => {
    console.error(fleet.output('web'));
    throw err;
  });
}

async function redisInfo(fleet: BenchFleet) {
  const field = (text: string, name: string) =>
    Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(text)![1]);
  const stats = await fleet.redis.info('stats');
  const memory = await fleet.redis.info('memory');
  return {
    commands: field(stats, 'total_commands_processed'),
    usedMemory: field(memory, 'used_memory'),
  };
}

/** `designFloor` (TXT): files/s of the design's queue work alone (bare-flow-worker.ts `design`). */
function summary(
  name: string,
  r: RunResult,
  baseline: number,
  baselineName: string,
  designFloor?: number,
) {
  const perSecond = r.files / r.seconds;
  return {
    name,
    designFloor,
    files: r.files,
    perSecond,
    ratio: perSecond / baseline,
    baseline,
    baselineName,
    uploadP50: percentile(
      r.batches.map((b) => b.uploadMs),
      50,
    ),
    readyP50: percentile(
      r.batches.map((b) => b.readyMs),
      50,
    ),
    readyP99: percentile(
      r.batches.map((b) => b.readyMs),
      99,
    ),
  };
}
type Summary = ReturnType<typeof summary>;

/** Time per file in a window of `span` batches that starts at the batch holding file `at`. */
function windowMsPerFile(r: RunResult, at: number, span = 10): number {
  const readyAt = r.batches.map((b) => b.readyAt).sort((a, b) => a - b);
  const first = Math.max(1, Math.min(readyAt.length - span, Math.floor(at / filesPerBatch)));
  const last = Math.min(readyAt.length - 1, first + span - 1);
  return (readyAt[last]! - readyAt[first - 1]!) / ((last - first + 1) * filesPerBatch);
}

const results: Summary[] = [];
const cpuPerFile: Record<string, Record<string, number>> = {};

/** CPU ms of each fleet process (with its children: the sandbox), minus `since`. */
function cpuByProcess(
  fleet: BenchFleet,
  since: Record<string, number> = {},
): Record<string, number> {
  const now: Record<string, number> = {
    web: cpuMsOfTree(fleet.pid('web')),
    extractor: cpuMsOfTree(fleet.pid('extractor')),
    lifecycle: cpuMsOfTree(fleet.pid('lifecycle')),
    redis: cpuMsOfTree(fleet.redisPid),
  };
  return Object.fromEntries(Object.entries(now).map(([k, v]) => [k, v - (since[k] ?? 0)]));
}

/** Records each process's CPU ms per file since `before`, for the report's CPU table. */
function recordCpuPerFile(
  label: string,
  fleet: BenchFleet,
  before: Record<string, number>,
  files: number,
): void {
  cpuPerFile[label] = Object.fromEntries(
    Object.entries(cpuByProcess(fleet, before)).map(([k, v]) => [k, v / files]),
  );
}
const progress = (m: string) =>
  console.error(`[e2e ${new Date().toISOString().slice(11, 19)}] ${m}`);
const growth: { at: number; msPerFile: number }[] = [];
let redisCost: Record<string, number | string> = {};

// --- TXT: the fleet against a bare flow, on the same Redis ---------------------------------
if (runs('txt')) {
  const fleet = await startBenchFleet(
    ['web', 'extractor', 'lifecycle'],
    {},
    args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [],
  );
  try {
    // warm-up: JIT, sandbox children, connections
    await fleetRun(fleet, quick ? 60 : 120);
    const sizes = quick ? [600] : [1_000, 10_000];
    for (const files of sizes) {
      progress(`TXT ${files} files through the fleet`);
      const before = await redisInfo(fleet);
      const cpuBefore = cpuByProcess(fleet);
      const run = await fleetRun(fleet, files);
      recordCpuPerFile(`TXT ${run.files}`, fleet, cpuBefore, run.files);
      const after = await redisInfo(fleet);
      progress(`TXT ${files} files through a bare flow`);
      const bare = await runBareFlow(fleet.redisUrl, {
        batches: batchesFor(files),
        filesPerBatch,
        inFlight,
      });
      const afterBare = await redisInfo(fleet);
      progress(`TXT ${files} files through the design's queue work, no-op`);
      const floor = await runBareFlow(fleet.redisUrl, {
        batches: batchesFor(files),
        filesPerBatch,
        inFlight,
        mode: 'design',
      });
      const afterFloor = await redisInfo(fleet);
      results.push(
        summary(
          `TXT, ${run.files} files`,
          run,
          bare.files / bare.seconds,
          'bare BullMQ flow',
          floor.files / floor.seconds,
        ),
      );
      if (files === sizes[0]) {
        const perFile = (from: number, to: number, n: number) => ((to - from) / n).toFixed(1);
        redisCost.commandsPerFile = perFile(before.commands, after.commands, run.files);
        // the same count for the references (the idle fleet's polling included, a few a second)
        redisCost.commandsPerFileBareFlow = perFile(after.commands, afterBare.commands, bare.files);
        redisCost.commandsPerFileDesignQueueWorkAlone = perFile(
          afterBare.commands,
          afterFloor.commands,
          floor.files,
        );
      }
      if (files === sizes.at(-1))
        for (const at of files >= 10_000 ? [100, 1_000, 9_700] : [100, files - 300])
          growth.push({ at, msPerFile: windowMsPerFile(run, at) });
    }
  } finally {
    await fleet.stop();
  }
}

// --- Redis bytes per essay: in flight, after completion, after retention --------------------
if (runs('redis')) {
  const retention = 60; // the shortest BATCH_RETENTION_SECONDS allowed
  // batch keys live for retention + the readiness timeout: both short here
  const readinessTimeout = 30;
  const fleet = await startBenchFleet(['web'], {
    BATCH_RETENTION_SECONDS: String(retention),
    READINESS_TIMEOUT_SECONDS: String(readinessTimeout),
  });
  try {
    const files = quick ? 150 : 600;
    progress('Redis bytes per essay');
    const empty = (await redisInfo(fleet)).usedMemory;
    // no workers: the uploads are accepted and wait in Redis as jobs and batch state
    const pending = Array.from({ length: batchesFor(files) }, (_, n) =>
      runBatches({
        url: fleet.url,
        batches: 1,
        filesPerBatch,
        inFlight: 1,
        file: (_b, i) => txt(n, i),
      }).catch((err: Error) => {
        console.error(fleet.output('web'));
        throw err;
      }),
    );
    pending.forEach((p) => p.catch(() => undefined)); // awaited below
    // all uploads answered: wait until every extract job is queued
    await waitFor(
      'every batch registered',
      async () => (await fleet.redis.keys('*:batch:*:meta')).length >= batchesFor(files),
      60_000,
    );
    await waitFor(
      'every extract job queued',
      async () => (await queuedExtractJobs(fleet)) >= files,
      60_000,
    );
    const inFlightBytes = (await redisInfo(fleet)).usedMemory - empty;
    await fleet.start('extractor');
    await fleet.start('lifecycle');
    await Promise.all(pending);
    const doneBytes = (await redisInfo(fleet)).usedMemory - empty;
    redisCost = {
      ...redisCost,
      bytesPerEssayInFlight: Math.round(inFlightBytes / files),
      bytesPerEssayCompleted: Math.round(doneBytes / files),
    };
    if (!quick) {
      // batch keys expire after retention + the readiness timeout; BullMQ keeps the last
      // KEEP_COMPLETED_JOBS jobs of each queue regardless
      await waitFor(
        'the batch keys to expire',
        async () => (await fleet.redis.keys('*:batch:*:meta')).length === 0,
        (retention + readinessTimeout + 30) * 1000,
      );
      redisCost.bytesPerEssayAfterRetention = Math.round(
        ((await redisInfo(fleet)).usedMemory - empty) / files,
      );
    }
  } finally {
    await fleet.stop();
  }
}

async function queuedExtractJobs(fleet: BenchFleet): Promise<number> {
  const keys = await fleet.redis.keys('*essay.extract*:wait');
  let n = 0;
  for (const k of keys) n += await fleet.redis.llen(k);
  return n;
}

// --- PDF and DOCX: the fleet against direct extraction in as many processes as cores --------
const documentFormats = (['pdf', 'docx'] as Format[]).filter(runs);
if (documentFormats.length) {
  const fleet = await startBenchFleet(['web', 'extractor', 'lifecycle']);
  try {
    for (const format of documentFormats) {
      progress(`${format} direct and through the fleet`);
      // as many different documents as a batch has files: a batch counts a copy as a duplicate
      // (it takes no slot), so a batch of repeated documents would never be ready
      const docs = await corpus(format, filesPerBatch);
      // the ceiling: the libraries called directly in as many processes as the machine has cores,
      // all at once, measured now, on this machine as it is during this run
      const direct = await measureProcesses(cores, 'direct', format, quick);
      const file = (b: number, i: number) => ({
        name: `essay-${b}-${i}.${format}`,
        type:
          format === 'pdf'
            ? 'application/pdf'
            : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        content: docs[(b + i) % docs.length]!,
      });
      await fleetRun(fleet, quick ? 30 : 60, file);
      const cpuBefore = cpuByProcess(fleet);
      const run = await fleetRun(fleet, quick ? 90 : 600, file);
      recordCpuPerFile(`${format.toUpperCase()} ${run.files}`, fleet, cpuBefore, run.files);
      results.push(
        summary(
          `${format.toUpperCase()}, ${run.files} files`,
          run,
          direct,
          `${cores} direct-extraction processes`,
        ),
      );
    }
  } finally {
    await fleet.stop();
  }
}

const table = markdownTable(
  [
    'run',
    'files/s',
    'baseline files/s',
    'ratio',
    "design's queue work alone, files/s (÷ baseline)",
    'upload p50 ms',
    'ready p50 ms',
    'ready p99 ms',
  ],
  results.map((r) => [
    r.name,
    r.perSecond.toFixed(0),
    `${r.baseline.toFixed(0)} (${r.baselineName})`,
    r.ratio.toFixed(2),
    r.designFloor ? `${r.designFloor.toFixed(0)} (${(r.designFloor / r.baseline).toFixed(2)})` : '',
    r.uploadP50.toFixed(0),
    r.readyP50.toFixed(0),
    r.readyP99.toFixed(0),
  ]),
);
const growthTable = markdownTable(
  ['window starting at file', 'ms per file', '÷ first window'],
  growth.map((g) => [
    g.at,
    g.msPerFile.toFixed(3),
    (g.msPerFile / growth[0]!.msPerFile).toFixed(2),
  ]),
);
const cpuTable = markdownTable(
  ['run', ...Object.keys(Object.values(cpuPerFile)[0] ?? {}).map((k) => `${k} CPU ms/file`)],
  Object.entries(cpuPerFile).map(([run, byProcess]) => [
    run,
    ...Object.values(byProcess).map((v) => v.toFixed(2)),
  ]),
);
const costTable = markdownTable(
  ['Redis cost', 'value'],
  Object.entries(redisCost).map(([k, v]) => [k, String(v)]),
);
writeReport(
  'e2e',
  'End to end: register → upload → ready, against baselines from the same run',
  `${table}\n\n` +
    `Batches of ${filesPerBatch} files, ${inFlight} batches in flight; the fleet is web + extractor + lifecycle as separate processes (built code, default configuration, private Redis with AOF). ` +
    `Ready latency runs from the upload's response to BatchEssaysReadyV1 on the batch's event stream. Targets: TXT ≥ 0.3 of the bare flow (0.5 the aim), PDF/DOCX ≥ 0.7 of as many direct-extraction processes as cores, run at once. ` +
    `The design's queue work alone: the same flow, the parent reading its children's values and failures, one readiness job per batch and the spellcheck command per file it adds (addBulk), all no-op, in one process (bench/lib/bare-flow-worker.ts).\n\n` +
    `## Where the CPU goes\n\n${cpuTable}\n\nEach process with its children (the extractor's sandbox processes), from /proc; the bench client (HTTP, event streams) not counted.\n\n` +
    `## Growth\n\nTime per file over 10 consecutive batches, in one run of the largest size. Target: the last within 20% of the first.\n\n${growthTable}\n\n` +
    `## Redis\n\n${costTable}\n\nCommands per file: every Redis command of the first TXT run (web, workers, event streams) ÷ files; for the bare flow and the design's queue work alone, every command of their runs on the same Redis (the idle fleet's polling included) ÷ files. Bytes per essay: \`used_memory\` with ${quick ? 150 : 600} essays' uploads queued and no workers (in flight), after they are ready (completed), and once the batch keys have expired (after retention, not measured with --quick).`,
  { results, growth, redisCost, cpuPerFile },
);
