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
const lifecycle = new Queue('bare-lifecycle', { connection, prefix: '{bare}' });
const spellcheck = new Queue('bare-spellcheck', { connection, prefix: '{bare}' });

type FileJob = { batch: string; file: number; files: number };
const publish = async (batch: string, subject: string, files: number) => {
  await lifecycle.add('event', { batch, files }, { jobId: `${batch}-${subject}`, ...keep });
};

const seen = new Map<string, number>();
const workers =
  mode === 'design'
    ? [
        new Worker<FileJob>(
          'bare-child',
          (job) => publish(job.data.batch, `f${job.data.file}`, job.data.files),
          opts,
        ),
        new Worker<FileJob>(
          'bare-parent',
          (job) => publish(job.data.batch, 'upload', job.data.files),
          opts,
        ),
        new Worker<{ batch: string; files: number }>(
          'bare-lifecycle',
          async (job: Job<{ batch: string; files: number }>) => {
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
          },
          opts,
        ),
      ]
    : [
        new Worker('bare-child', async () => 'ok', opts),
        new Worker('bare-parent', async () => 'ok', opts),
      ];
// bare: a batch is done when its parent is
if (mode !== 'design') workers[1]!.on('completed', (job) => process.send!(job.id));
await Promise.all(workers.map((w) => w.waitUntilReady()));
console.log('consuming');
process.on('SIGTERM', () => {
  void Promise.all([...workers.map((w) => w.close()), lifecycle.close(), spellcheck.close()]).then(
    () => process.exit(0),
  );
});
