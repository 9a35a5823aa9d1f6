import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { Config } from '../../src/shared/config.js';
import { bullPrefix } from '../../src/shared/keys.js';
import { waitFor } from './wait.js';

/**
 * Takes the job `match` picks from `queue` and fails it for good, exactly as a worker leaves it
 * when it dies right after BullMQ marked the job failed: the job is in the failed set (its flow
 * parent sees the failure), and no listener of any worker ever heard of it. Other jobs it meets
 * go back to the queue untouched.
 */
export async function failForGood(
  config: Config,
  queue: string,
  match: (job: Job) => boolean,
  reason = 'test: the worker died with the job',
  timeoutMs = 20_000,
): Promise<Job> {
  const connection = new Redis(config.REDIS_URL!, { maxRetriesPerRequest: null });
  const worker = new Worker(queue, null, {
    connection,
    prefix: bullPrefix(config.REDIS_KEY_PREFIX),
    autorun: false,
  });
  const token = randomUUID();
  try {
    const job = await waitFor<Job>(
      `a job of ${queue} to fail for good`,
      async () => {
        const next = (await worker.getNextJob(token, { block: false })) as Job | undefined;
        if (!next) return undefined;
        if (match(next)) return next;
        await next.moveToDelayed(Date.now() + 1, token);
        return undefined;
      },
      timeoutMs,
    );
    await job.moveToFailed(new UnrecoverableError(reason), token, false);
    return job;
  } finally {
    await worker.close();
    await connection.quit();
  }
}

/**
 * Takes a stored file's bytes away (from an fs blob store), so every attempt to extract it fails
 * for infrastructure reasons and its job dies; answers the function that puts them back.
 */
export function takeBlobAway(blobs: unknown, rawStorageId: string): () => void {
  const file = (blobs as { pathOf(id: string): string }).pathOf(rawStorageId);
  fs.renameSync(file, `${file}.away`);
  return () => fs.renameSync(`${file}.away`, file);
}
