// The bare-flow baselines' worker process: no-op workers, one process, concurrency 8.
//   node --import tsx bench/lib/bare-flow-worker.ts <redis-url> [bare|design]
// bare:   a flow's children and its parent; a batch is done when its parent is.
// design: the queue work the fleet's design asks per file, with no work of its own: each child
//         (extract) returns a value; the parent (finish upload) reads its children's values and
//         failures and publishes the batch's readiness to an orchestrator queue; that job adds a
//         spellcheck job per file (addBulk, not consumed, as in the fleet benchmark); the batch
//         is done then.
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';

const [redisUrl, mode = 'bare'] = process.argv.slice(2);
const connection = new Redis(redisUrl!, { maxRetriesPerRequest: null });
const opts = { connection, prefix: '{bare}', concurrency: 8 };
const keep = { removeOnComplete: { count: 1000 } };
const design = mode === 'design';
const orchestrate = new Queue('bare-orchestrate', { connection, prefix: '{bare}' });
const spellcheck = new Queue('bare-spellcheck', { connection, prefix: '{bare}' });

type FileJob = { batch: string; file: number; files: number };

/** design: the parent reads what its children returned and announces the batch ready. */
async function finishUpload(job: Job<FileJob>) {
  if (!design) return;
  await Promise.all([job.getChildrenValues(), job.getIgnoredChildrenFailures()]);
  const { batch, files } = job.data;
  await orchestrate.add('ready', { batch, files }, { jobId: `${batch}-ready`, ...keep });
}

/** design: readiness starts the phase (one command per file), and the batch is done. */
async function startPhase(job: Job<{ batch: string; files: number }>) {
  const { batch, files } = job.data;
  await spellcheck.addBulk(
    Array.from({ length: files }, (_, i) => ({
      name: 'initiate',
      data: { batch, file: i },
      opts: { jobId: `${batch}-s${i}` },
    })),
  );
  process.send!(batch);
}

const workers = [
  new Worker<FileJob>(
    'bare-child',
    async (job) => (design ? { file: job.data.file } : undefined),
    opts,
  ),
  new Worker<FileJob>('bare-parent', finishUpload, opts),
  ...(design ? [new Worker('bare-orchestrate', startPhase, opts)] : []),
];
// bare: a batch is done when its parent is
if (!design) workers[1]!.on('completed', (job) => process.send!(job.id));
await Promise.all(workers.map((w) => w.waitUntilReady()));
console.log('consuming');
process.on('SIGTERM', () => {
  void Promise.all([
    ...workers.map((w) => w.close()),
    orchestrate.close(),
    spellcheck.close(),
  ]).then(() => process.exit(0));
});
