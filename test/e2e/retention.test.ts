import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { runBatches } from '../../bench/lib/client.js';
import { words } from '../../bench/lib/corpus.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/**
 * A fleet that runs for a school year must stay flat: after a 10,000-file run, once retention
 * has passed, Redis holds about what it held before, and the blob store holds what it did.
 * (Short retention, grace and janitor interval here; `RETENTION_TEST_FILES` shortens the run.)
 */
describe('e2e: storage stays flat after retention', function () {
  this.timeout(1_200_000);
  const redis = useRedis();
  const files = Number(process.env.RETENTION_TEST_FILES ?? 10_000);
  const retention = {
    BATCH_RETENTION_SECONDS: '5',
    READINESS_TIMEOUT_SECONDS: '120',
    JOB_RETENTION_SECONDS: '5',
    BLOB_GRACE_SECONDS: '5',
    JANITOR_INTERVAL_SECONDS: '2',
  };
  let fleet: TestFleet;

  before(async () => {
    fleet = redis.track(await startFleet(redis.url, retention));
  });

  const txt = (batch: number, index: number) => ({
    name: `essay-${batch}-${index}.txt`,
    type: 'text/plain',
    content: Buffer.from(`Essay ${batch}.${index}. ${words(120, batch * 101 + index)}.`),
  });

  const usedMemory = async (client: Redis) =>
    Number(/^used_memory:(\d+)/m.exec(await client.info('memory'))![1]);

  const blobCount = async () => {
    let n = 0;
    for await (const blob of fleet.web.blobs.list()) if (blob.id) n++;
    return n;
  };

  /** Runs batches of 100 files, then waits until retention has let go of everything it may. */
  async function runAndSettle(n: number, round: number) {
    await runBatches({
      url: fleet.url,
      batches: Math.ceil(n / 100),
      filesPerBatch: 100,
      inFlight: 4,
      file: (b, i) => txt(round * 10_000 + b, i),
    });
    const prefix = fleet.config.REDIS_KEY_PREFIX;
    await waitFor(
      'batch keys to expire, and the janitor to collect blobs and old jobs',
      async () => {
        const batchKeys = await fleet.web.redis.keys(`${prefix}:batch:*`);
        const essayIndex = await fleet.web.redis.keys(`${prefix}:essay:*`);
        const jobs = await fleet.web.queue('essay.extract').getJobCountByTypes('completed');
        return (
          batchKeys.length === 0 &&
          essayIndex.length === 0 &&
          jobs === 0 &&
          (await blobCount()) === 0
        );
      },
      900_000,
    );
    return { memory: await usedMemory(fleet.web.redis), blobs: await blobCount() };
  }

  it('comes back within 10% of its baseline in Redis memory and blob count', async () => {
    // the baseline: a fleet that has run (connections, scripts, capped event streams full)
    const baseline = await runAndSettle(1_200, 0);
    const after = await runAndSettle(files, 1);
    console.log(
      `    retention: ${files} files; Redis used_memory ${baseline.memory} -> ${after.memory} bytes (${((after.memory / baseline.memory - 1) * 100).toFixed(1)}%), blobs ${baseline.blobs} -> ${after.blobs}`,
    );
    expect(after.memory).to.be.at.most(baseline.memory * 1.1);
    expect(after.blobs).to.be.at.most(Math.max(baseline.blobs * 1.1, baseline.blobs + 0));
  });
});
