// The bare-flow baselines' worker process: no-op workers, one process, concurrency 8.
//   node --import tsx bench/lib/bare-flow-worker.ts <redis-url> [bare|design]
// bare:   a flow's children and its parent; a batch is done when its parent is.
// design: the queue work the fleet's design asks per file, with no work of its own: each child
//         (extract) and the parent (finish upload) publish one event job to a lifecycle queue;
//         the lifecycle worker counts them, and at a batch's last one adds a spellcheck job per
//         file (addBulk, not consumed, as in the fleet benchmark); the batch is done then.
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';

const [redisUrl, mode = 'bare'] = process.argv.slice(2);
const connection = new Redis(redisUrl!, { maxRetriesPerRequest: null });
const opts = { connection, prefix: '{bare}', concurrency: 8 };
const keep = { removeOnComplete: { count: 1000 } };
const design = mode === 'design';
const lifecycle = new Queue('bare-lifecycle', { connection, prefix: '{bare}' });
const spellcheck = new Queue('bare-spellcheck', { connection, prefix: '{bare}' });

type FileJob = { batch: string; file: number; files: number };
/** design: an extract child or a finished upload publishes its event to the lifecycle. */
const publish = (subject: (job: Job<FileJob>) => string) => async (job: Job<FileJob>) => {
  if (!design) return;
  const { batch, files } = job.data;
  await lifecycle.add('event', { batch, files }, { jobId: `${batch}-${subject(job)}`, ...keep });
};

/** design: a batch's last event starts its phase (one command per file), and the batch is done. */
const seen = new Map<string, number>();
async function applyEvent(job: Job<{ batch: string; files: number }>) {
  const { batch, files } = job.data;
  const n = (seen.get(batch) ?? 0) + 1;
  seen.set(batch, n);
  if (n < files + 1) return;
  seen.delete(batch);
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
    publish((job) => `f${job.data.file}`),
    opts,
  ),
  new Worker<FileJob>(
    'bare-parent',
    publish(() => 'upload'),
    opts,
  ),
  ...(design ? [new Worker('bare-lifecycle', applyEvent, opts)] : []),
];
// bare: a batch is done when its parent is
if (!design) workers[1]!.on('completed', (job) => process.send!(job.id));
await Promise.all(workers.map((w) => w.waitUntilReady()));
console.log('consuming');
process.on('SIGTERM', () => {
  void Promise.all([...workers.map((w) => w.close()), lifecycle.close(), spellcheck.close()]).then(
    () => process.exit(0),
  );
});
