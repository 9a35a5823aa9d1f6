// The bare-flow baseline's worker process: no-op workers for the children and the parents.
//   node --import tsx bench/lib/bare-flow-worker.ts <redis-url>
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const connection = new Redis(process.argv[2]!, { maxRetriesPerRequest: null });
const opts = { connection, prefix: '{bare}', concurrency: 8 };
const workers = [
  new Worker('bare-child', async () => 'ok', opts),
  new Worker('bare-parent', async () => 'ok', opts),
];
// a batch is done when its parent is: tell the benchmark over IPC
workers[1]!.on('completed', (job) => process.send!(job.id));
await Promise.all(workers.map((w) => w.waitUntilReady()));
console.log('consuming');
process.on('SIGTERM', () => {
  void Promise.all(workers.map((w) => w.close())).then(() => process.exit(0));
});
