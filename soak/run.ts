// `npm run soak [-- --quick] [-- --seed N]`: the Procfile fleet as separate OS processes on a
// private Redis, real-behaving clients, a seeded killer and two Redis restarts, then the
// invariant checker. Prints the seed first; exits 1 on any violation.
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { check, waitForBatches } from './lib/checker.js';
import { planBatches, runClients, soakMaxFileBytes, type SoakSizes } from './lib/clients.js';
import { SoakFleet } from './lib/fleet.js';
import { Killer, type Target } from './lib/killer.js';
import { Prng } from './lib/prng.js';

const { values: args } = parseArgs({
  options: {
    seed: { type: 'string' },
    quick: { type: 'boolean', default: false },
    files: { type: 'string' },
    kills: { type: 'string' },
  },
});
const seed = args.seed !== undefined ? Number(args.seed) : randomInt(1, 2 ** 31);
if (!Number.isInteger(seed) || seed < 0)
  throw new Error(`--seed takes a whole number, not ${args.seed}`);
console.log(
  `soak seed ${seed}${args.quick ? ' (quick)' : ''}: replay with npm run soak --${args.quick ? ' --quick' : ''} --seed ${seed}`,
);

const sizes: SoakSizes & { meanGapMs: number; settleMs: number } = args.quick
  ? {
      files: 300,
      kills: 10,
      inFlight: 4,
      underflowTimeoutSeconds: 15,
      meanGapMs: 4500,
      settleMs: 120_000,
    }
  : {
      files: 2000,
      kills: 50,
      inFlight: 6,
      underflowTimeoutSeconds: 20,
      meanGapMs: 5500,
      settleMs: 240_000,
    };
if (args.files) sizes.files = Number(args.files);
if (args.kills) sizes.kills = Number(args.kills);

const started = Date.now();
const log = (line: string) =>
  console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

const rng = new Prng(seed);
const plans = await planBatches(rng.fork('plans'), sizes);
log(
  `${plans.length} batches, ${plans.reduce((s, p) => s + p.requests.flat().length, 0)} files planned`,
);

const fleet = await SoakFleet.start({
  // a killed worker's jobs come back after the lock expires: short, so the run stays short
  JOB_LOCK_MS: '5000',
  JOB_BACKOFF_MS: '300',
  EXTRACT_CONCURRENCY: '2',
  SPELLCHECK_CONCURRENCY: '2',
  // clients meet 503 BACKLOG_FULL and back off, as real ones do
  EXTRACT_BACKLOG_HIGH_WATER: '60',
  UPLOAD_LEASE_SECONDS: '60',
  RATE_LIMIT_PER_MINUTE: '100000',
  MAX_FILE_BYTES: String(soakMaxFileBytes),
});
log(
  `fleet up: ${fleet.processes.map((p) => `${p.role}.${p.index}`).join(' ')}, redis ${fleet.redisUrl}`,
);

let exitCode = 1;
try {
  const loadStarted = Date.now();
  const killer = new Killer(rng.fork('killer'), fleet, sizes, log);
  const killing = killer.run(loadStarted);
  const records = await runClients(rng.fork('clients'), () => fleet.webUrls, plans, sizes.inFlight);
  log(`clients done: ${records.reduce((s, r) => s + r.attempts.length, 0)} upload attempts`);
  await killing;
  log(`killer done: ${killer.kills.length} kills`);
  await waitForBatches(() => fleet.webUrls, records, Date.now() + sizes.settleMs, log);
  const result = await check({
    urls: fleet.webUrls,
    redis: fleet.redis,
    prefix: fleet.prefix,
    records,
  });
  const violations = [...killer.problems, ...result.violations];
  for (const n of result.notes) console.log(`note: ${n}`);
  for (const v of violations) console.log(`VIOLATION: ${v}`);

  const byType = (t: Target) => killer.kills.filter((k) => k.target === t).length;
  const rows: [string, string][] = [
    ['seed', String(seed)],
    ['batches', String(result.stats.batches)],
    ['files sent (attempts included)', String(result.stats.files_sent)],
    ['files answered 202', String(result.stats.files_accepted_202)],
    ['files from lost answers', String(result.stats.files_from_lost_answers)],
    [
      'essays / failures / excess',
      `${result.stats.essays} / ${result.stats.validation_failures} / ${result.stats.excess}`,
    ],
    ['ready / timed out', `${result.stats.ready} / ${result.stats.timed_out}`],
    [
      'PROCESSING_FAILED / DLQ records',
      `${result.stats.processing_failed} / ${result.stats.dlq_records}`,
    ],
    [
      'kills',
      `${killer.kills.filter((k) => !k.target.startsWith('redis')).length} (web ${byType('web')}, extractor ${byType('extractor')}, lifecycle ${byType('lifecycle')}, spellcheck ${byType('spellcheck')}, ocr ${byType('ocr')}, sandbox ${byType('sandbox')})`,
    ],
    ['redis restarts', `${byType('redis-graceful')} graceful, ${byType('redis-kill')} kill -9`],
    ['unknown batches (register answer lost)', String(result.stats.unknown_batches)],
    ['violations', String(violations.length)],
    ['duration', `${((Date.now() - started) / 1000).toFixed(0)} s`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n| ${'what'.padEnd(w)} | value |\n|${'-'.repeat(w + 2)}|-------|`);
  for (const [k, v] of rows) console.log(`| ${k.padEnd(w)} | ${v} |`);
  exitCode = violations.length ? 1 : 0;
} catch (err) {
  console.error(err);
  for (const p of fleet.processes)
    console.error(`--- ${p.role}.${p.index}:\n${p.tail().slice(-2000)}`);
} finally {
  await fleet.stop().catch(() => undefined);
}
process.exit(exitCode);
