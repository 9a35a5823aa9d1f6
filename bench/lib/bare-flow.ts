// The floor of queue overhead: a bare BullMQ flow per batch (one parent, one no-op child per
// file) through a worker process of its own, with the same batches in flight as the fleet run;
// or (`mode: 'design'`) the same flow plus the readiness and command jobs the fleet's design adds per
// file, still with no work of its own (see bare-flow-worker.ts).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { FlowProducer } from 'bullmq';
import { Redis } from 'ioredis';
import { stopChild } from '../../src/shared/redis-server.js';
import { repoRoot, waitForOutput } from '../../test/helpers/processes.js';

export async function runBareFlow(
  redisUrl: string,
  opts: { batches: number; filesPerBatch: number; inFlight: number; mode?: 'bare' | 'design' },
): Promise<{ files: number; seconds: number }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(repoRoot, 'bench/lib/bare-flow-worker.ts'),
      redisUrl,
      opts.mode ?? 'bare',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  await waitForOutput(Object.assign(child, { output: () => out }), /consuming/);
  // BullMQ leaves a connection it was given open: closed below
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const flows = new FlowProducer({ connection, prefix: '{bare}' });
  const waiting = new Map<string, () => void>();
  child.on('message', (jobId: string) => waiting.get(jobId)?.());
  const run = randomUUID();
  const keep = { removeOnComplete: { count: 1000 } };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(opts.inFlight, opts.batches) }, async () => {
      while (next < opts.batches) {
        const n = next++;
        const done = new Promise<void>((r) => waiting.set(`${run}-${n}`, r));
        await flows.add({
          name: 'batch',
          queueName: 'bare-parent',
          data: { batch: `${run}-${n}`, files: opts.filesPerBatch },
          opts: { jobId: `${run}-${n}`, ...keep },
          children: Array.from({ length: opts.filesPerBatch }, (_, i) => ({
            name: 'file',
            queueName: 'bare-child',
            data: { batch: `${run}-${n}`, file: i, files: opts.filesPerBatch },
            opts: keep,
          })),
        });
        await done;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await flows.close();
  connection.disconnect();
  await stopChild(child, 10_000);
  return { files: opts.batches * opts.filesPerBatch, seconds };
}
