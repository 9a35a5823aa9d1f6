// Spellcheck throughput: words/s of the spellcheck worker (BullMQ job -> blob -> checker ->
// corrected blob -> event) against calling the checker directly, in the same run.
//   npm run bench:spellcheck [-- --quick]
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createContext } from '../src/queues/context.js';
import { QueueName } from '../src/queues/names.js';
import { sendSpellcheckInitiates } from '../src/queues/commands.js';
import { loadConfig } from '../src/shared/config.js';
import { silentLogger } from '../src/shared/logger.js';
import { startRedisServer } from '../src/shared/redis-server.js';
import { startThread } from '../src/shared/threads.js';
import { runWorkers } from '../src/workers/run.js';
import { markdownTable, writeReport } from './lib/report.js';

// the accuracy benchmark is a run of its own: lists, prose and one-essay times, no queue
if (process.argv.includes('--accuracy')) {
  await import('./spellcheck-accuracy.js');
  process.exit(0);
}

const quick = process.argv.includes('--quick');
const essays = quick ? 300 : 1000;
const rounds = quick ? 1 : 5;
const base = fs
  .readFileSync(new URL('../test/fixtures/clean-en.txt', import.meta.url), 'utf8')
  .split(/\s+/);
const typos: Record<string, string> = {
  essay: 'esay',
  school: 'scool',
  believe: 'beleive',
  because: 'becuase',
  friend: 'freind',
};

/** 500-word essays, each a different window of the sample, with a few typical misspellings. */
const texts = Array.from({ length: 50 }, (_, i) =>
  Array.from({ length: 500 }, (_, w) => {
    const word = base[(i * 37 + w) % base.length]!;
    return w % 97 === i % 97 ? (typos[word.toLowerCase()] ?? word) : word;
  }).join(' '),
);
const wordsPerEssay = 500;

/** Wall seconds and CPU milliseconds (all threads of this process) that `run` takes. */
async function measure(run: () => Promise<void> | void) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuMs: (used.user + used.system) / 1000 };
}
type Measured = Awaited<ReturnType<typeof measure>>;

/**
 * The baseline: one checker called directly, one essay after another, on a thread of its own
 * (as the worker's checker is): the loop's time, CPU the same as wall.
 */
const direct = startThread(new URL('./lib/check-loop', import.meta.url), import.meta.url);
await once(direct, 'message');
async function directRound(): Promise<Measured> {
  direct.postMessage({ texts, essays });
  const [{ seconds }] = (await once(direct, 'message')) as [{ seconds: number }];
  return { seconds, cpuMs: seconds * 1000 };
}

// the worker: a real Redis and BullMQ, one worker process with the default configuration
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-spell-'));
const redis = await startRedisServer({ dir: path.join(dir, 'redis'), appendOnly: false });
const config = loadConfig({
  REDIS_URL: redis.url,
  DATA_DIR: dir,
  REDIS_KEY_PREFIX: 'bench',
  ...(process.env.SPELLCHECK_CONCURRENCY
    ? { SPELLCHECK_CONCURRENCY: process.env.SPELLCHECK_CONCURRENCY }
    : {}),
});
const ctx = await createContext(config, {
  role: 'worker',
  logger: silentLogger(),
  source: 'bench',
});
const ids = await Promise.all(texts.map((t) => ctx.blobs.put(t)));
const queue = ctx.queue(QueueName.spellcheck);
const running = await runWorkers(ctx, [QueueName.spellcheck]);
// the worker's own events say when the last job is done: polling Redis would cost the worker CPU
let finished = 0;
let roundDone = () => {};
for (const w of running.workers)
  for (const event of ['completed', 'failed'] as const)
    w.on(event, () => {
      if (++finished === essays) roundDone();
    });

async function workerRound(): Promise<Measured> {
  await queue.pause();
  const batchId = randomUUID();
  await sendSpellcheckInitiates(
    ctx.queue,
    Array.from({ length: essays }, (_, i) => ({
      batch_id: batchId,
      essay_id: randomUUID(),
      text_storage_id: ids[i % ids.length]!,
      language: 'en',
      correlation_id: 'bench',
    })),
  );
  finished = 0;
  const done = new Promise<void>((resolve) => (roundDone = resolve));
  return measure(async () => {
    await queue.resume();
    await done;
  });
}

// rounds alternate between the two paths, and the median round's ratio counts: this machine's
// speed drifts by more than the difference being measured
// one round first that does not count: both paths reach their steady state (JIT, WebAssembly
// tiers, suggestion caches) before they are measured
await directRound();
await workerRound();
const results: { direct: Measured; worker: Measured; ratio: number }[] = [];
for (let r = 0; r < rounds; r++) {
  const direct = await directRound();
  const worker = await workerRound();
  results.push({ direct, worker, ratio: direct.seconds / worker.seconds });
}
await direct.terminate();
await running.close(5000);
await ctx.close();
await redis.stop();
fs.rmSync(dir, { recursive: true, force: true });

const median = [...results].sort((a, b) => a.ratio - b.ratio)[Math.floor(results.length / 2)]!;
const rate = (m: Measured) => (essays * wordsPerEssay) / m.seconds;
const row = (name: string, m: Measured, ratio: string) => [
  name,
  essays,
  rate(m).toFixed(0),
  ((m.seconds * 1000) / essays).toFixed(2),
  (m.cpuMs / essays).toFixed(2),
  ratio,
];
writeReport(
  'spellcheck',
  'Spellcheck: the worker against the checker called directly',
  markdownTable(
    ['path (median round)', 'essays', 'words/s', 'ms per essay', 'CPU ms per essay', 'ratio'],
    [
      row('checker called directly (baseline)', median.direct, '1.00'),
      row(
        'spellcheck worker (BullMQ, blobs, event; checker on its thread)',
        median.worker,
        median.ratio.toFixed(2),
      ),
    ],
  ) +
    `\n\nRatios of the ${rounds} rounds: ${results.map((r) => r.ratio.toFixed(2)).join(', ')}. ` +
    `500-word English essays with a few misspellings each, 50 different texts, ${essays} essays a round; after a warm-up round that does not count, each round runs the checker directly, then the worker. Target: ratio ≥ 0.8. ` +
    `The worker process checks on one thread and runs the queue on its main thread, so it uses more CPU per essay than the checker alone (the CPU column: the whole process for the worker, Redis not counted): the ratio is how much of one checker's throughput a worker process delivers.`,
  {
    essays,
    rounds: results.map((r) => ({
      directWordsPerSecond: rate(r.direct),
      workerWordsPerSecond: rate(r.worker),
      ratio: r.ratio,
      directCpuMsPerEssay: r.direct.cpuMs / essays,
      workerCpuMsPerEssay: r.worker.cpuMs / essays,
    })),
    ratio: median.ratio,
  },
);
