// Spellcheck throughput: words/s of the spellcheck worker (BullMQ job -> blob -> checker ->
// corrected blob -> event) against calling the checker directly, in the same run.
//   npm run bench:spellcheck [-- --quick]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createContext } from '../src/queues/context.js';
import { QueueName } from '../src/queues/names.js';
import { sendSpellcheckInitiate } from '../src/queues/commands.js';
import { loadConfig } from '../src/shared/config.js';
import { silentLogger } from '../src/shared/logger.js';
import { startRedisServer } from '../src/shared/redis-server.js';
import { SpellChecker } from '../src/workers/spellcheck/checker.js';
import { runWorkers } from '../src/workers/run.js';
import { markdownTable, writeReport } from './lib/report.js';

const quick = process.argv.includes('--quick');
const essays = quick ? 150 : 600;
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

// baseline: the checker called directly, one essay after another, cold cache like the worker's
const direct = await SpellChecker.load();
let started = performance.now();
for (let i = 0; i < essays; i++) direct.check(texts[i % texts.length]!, 'en');
const directSeconds = (performance.now() - started) / 1000;

// the worker, through a real Redis and BullMQ, with its default concurrency (one process)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-spell-'));
const redis = await startRedisServer({ dir: path.join(dir, 'redis'), appendOnly: false });
const config = loadConfig({ REDIS_URL: redis.url, DATA_DIR: dir, REDIS_KEY_PREFIX: 'bench' });
const ctx = await createContext(config, {
  role: 'worker',
  logger: silentLogger(),
  source: 'bench',
});
const ids = await Promise.all(texts.map((t) => ctx.blobs.put(t)));
const batchId = randomUUID();
const queue = ctx.queue(QueueName.spellcheck);
await queue.pause();
for (let i = 0; i < essays; i++) {
  await sendSpellcheckInitiate(ctx.queue, {
    batch_id: batchId,
    essay_id: randomUUID(),
    text_storage_id: ids[i % ids.length]!,
    language: 'en',
    correlation_id: 'bench',
  });
}
const running = await runWorkers(ctx, [QueueName.spellcheck]);
started = performance.now();
await queue.resume();
for (;;) {
  const { completed, failed } = await queue.getJobCounts('completed', 'failed');
  if ((completed ?? 0) + (failed ?? 0) >= Math.min(essays, config.KEEP_COMPLETED_JOBS)) break;
  await new Promise((r) => setTimeout(r, 5));
}
const workerSeconds = (performance.now() - started) / 1000;
await running.close(5000);
await ctx.close();
await redis.stop();
fs.rmSync(dir, { recursive: true, force: true });

const counted = Math.min(essays, config.KEEP_COMPLETED_JOBS);
const directRate = (essays * wordsPerEssay) / directSeconds;
const workerRate = (counted * wordsPerEssay) / workerSeconds;
writeReport(
  'spellcheck',
  'Spellcheck: the worker against the checker called directly',
  markdownTable(
    ['path', 'essays', 'words/s', 'ms per 500-word essay', 'ratio'],
    [
      [
        'checker called directly (baseline)',
        essays,
        directRate.toFixed(0),
        ((directSeconds * 1000) / essays).toFixed(2),
        '1.00',
      ],
      [
        'spellcheck worker (BullMQ, blobs, event)',
        counted,
        workerRate.toFixed(0),
        ((workerSeconds * 1000) / counted).toFixed(2),
        (workerRate / directRate).toFixed(2),
      ],
    ],
  ) +
    `\n\n500-word English essays with a few misspellings each, 50 different texts; both paths start with a cold suggestion cache. Target: ratio ≥ 0.8.`,
  { essays, directRate, workerRate, ratio: workerRate / directRate },
);
