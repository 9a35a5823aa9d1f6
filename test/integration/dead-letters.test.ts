import { expect } from 'chai';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createContext, type FleetContext } from '../../src/queues/context.js';
import { DeadLetterSweep } from '../../src/queues/dead-letters.js';
import { QueueName } from '../../src/queues/names.js';
import { bullPrefix } from '../../src/shared/keys.js';
import { silentLogger } from '../../src/shared/logger.js';
import { failForGood } from '../helpers/dying-worker.js';
import { testConfig } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/** Dead letters without a listener: recorded once per death, by whoever comes first. */
describe('dead letters (real Redis)', () => {
  const redis = useRedis();
  let ctx: FleetContext;
  const queue = () => ctx.queue(QueueName.lifecycle);
  const letters = async () =>
    (await ctx.queue(QueueName.dlq).getJobs(['waiting'])).filter(
      (j) => j.data.source_queue === QueueName.lifecycle,
    );
  const add = (n: string) =>
    queue().add('readiness timeout', { kind: 'readiness_timeout', batch_id: n, correlation_id: n });

  beforeEach(async () => {
    ctx = await createContext(testConfig(redis.url), {
      role: 'worker',
      logger: silentLogger(),
      source: 'test',
    });
  });
  afterEach(async () => ctx.close());

  it('records a death once, however many times it is asked to, and counts it once', async () => {
    await add('b1');
    const dead = await failForGood(ctx.config, QueueName.lifecycle, () => true);
    const job = (await queue().getJob(dead.id!))!;
    expect(await ctx.deadLetters.record(queue(), job)).to.equal(true);
    expect(await ctx.deadLetters.record(queue(), job)).to.equal(false);
    expect(await letters()).to.have.length(1);
    const counted = (await ctx.metrics.dlqMessages.get()).values;
    expect(counted.find((v) => v.labels.queue === QueueName.lifecycle)?.value).to.equal(1);
  });

  it('leaves alone a job retried from the board and completed since the sweep read it', async () => {
    await add('b2');
    const dead = await failForGood(ctx.config, QueueName.lifecycle, () => true);
    // what the sweep read, and the board's own copy, with which it retries the job
    const stale = (await queue().getJob(dead.id!))!;
    await (await queue().getJob(dead.id!))!.retry('failed');
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const worker = new Worker(QueueName.lifecycle, async () => 'fine', {
      connection,
      prefix: bullPrefix(ctx.config.REDIS_KEY_PREFIX),
    });
    try {
      await waitFor(
        'the retried job to complete',
        async () => (await stale.getState()) === 'completed',
      );
    } finally {
      await worker.close();
      await connection.quit();
    }
    let told = false;
    const recorded = await ctx.deadLetters.record(queue(), stale, async () => void (told = true));
    expect([recorded, told]).to.deep.equal([false, false]);
    expect(await letters()).to.have.length(0);
  });

  it('a sweep records every death, one that cannot be handled now not holding up the rest; skip and later are honoured', async () => {
    for (const n of ['b3', 'b4', 'b5', 'b6']) await add(n);
    for (let i = 0; i < 4; i++) await failForGood(ctx.config, QueueName.lifecycle, () => true);
    const calls: string[] = [];
    const sweep = new DeadLetterSweep(
      ctx.redis,
      [
        {
          queue: queue(),
          onDead: async (job) => {
            const batch = job.data.batch_id as string;
            calls.push(batch);
            if (batch === 'b3') throw new Error('not now');
            if (batch === 'b4') return 'skip';
            if (batch === 'b5') return 'later';
          },
        },
      ],
      ctx.deadLetters,
      60_000,
      silentLogger(),
    );
    await sweep.sweepOnce();
    expect(calls.sort()).to.deep.equal(['b3', 'b4', 'b5', 'b6']);
    expect((await letters()).map((l) => l.data.payload.batch_id)).to.deep.equal(['b6']);
    // the next sweep asks again only those that could not be settled: b3 (failed) and b5 (later)
    calls.length = 0;
    await sweep.sweepOnce();
    expect(calls.sort()).to.deep.equal(['b3', 'b5']);
  });
});
