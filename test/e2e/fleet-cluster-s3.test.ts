import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/shared/redis-server.js';
import { loadConfig } from '../../src/shared/config.js';
import { createBlobStore } from '../../src/shared/blob-store-factory.js';
import { ApiClient, essay } from '../helpers/api.js';
import { exitOf, spawnBin, waitForOutput } from '../helpers/processes.js';
import { useRedisCluster } from '../helpers/redis.js';
import { useS3 } from '../helpers/s3.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The Procfile entries as separate OS processes, sharing nothing but a Redis Cluster and an
 * S3-compatible store (each process gets a DATA_DIR of its own, so no code path can lean on a
 * shared disk): web, 2 extractors, 2 lifecycle, spellcheck.
 */
describe('e2e: a Procfile fleet on a Redis Cluster and S3', function () {
  this.timeout(300_000);
  const cluster = useRedisCluster();
  const s3 = useS3();
  const procs: ReturnType<typeof spawnBin>[] = [];
  const dirs: string[] = [];

  after(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => exitOf(p).catch(() => undefined)));
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('takes 500 files in 20 batches with an extractor killed mid-run: every file accounted for', async () => {
    const port = await freePort();
    const env = (role: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fleet-${role}-`));
      dirs.push(dir);
      return {
        ...cluster.env,
        ...s3.env,
        REDIS_KEY_PREFIX: 'fleet',
        DATA_DIR: dir,
        PORT: String(port),
        EXTRACT_CONCURRENCY: '2',
        JOB_BACKOFF_MS: '100',
        JOB_LOCK_MS: '5000',
      };
    };
    const start = (role: 'web' | 'extractor' | 'lifecycle' | 'spellcheck') => {
      const p =
        role === 'web'
          ? spawnBin('api', [], env(role))
          : spawnBin('worker', ['--queues', role], env(role));
      procs.push(p);
      return waitForOutput(p, role === 'web' ? /web listening/ : /consuming/).then(() => p);
    };
    await start('web');
    const extractors = await Promise.all([start('extractor'), start('extractor')]);
    await Promise.all([start('lifecycle'), start('lifecycle'), start('spellcheck')]);

    const api = new ApiClient(`http://127.0.0.1:${port}`);
    const batches = await Promise.all(
      Array.from({ length: 20 }, () =>
        api.register({ expected_essay_count: 25, course_code: 'ENG5' }),
      ),
    );
    const upload = (from: number, to: number) =>
      Promise.all(
        batches.slice(from, to).map(async (b, i) => {
          const n = from + i;
          const up = await api.upload(
            b.batch_id,
            Array.from({ length: 25 }, (_, i) => ({
              name: `b${n}-f${i}.txt`,
              content: i === 0 ? '' : essay(`batch ${n} file ${i}`),
            })),
          );
          // on a refusal, what the web answered and logged says why
          if (up.status !== 202)
            console.log(JSON.stringify(up.body), procs[0]!.output().slice(-3000));
          expect(up.status).to.equal(202);
        }),
      );
    // half the batches; once extraction is under way, kill -9 one extractor, send the other
    // half while it is gone (so work certainly continues past the kill), then start another
    await upload(0, 10);
    await waitFor('some essays to be ready', async () => {
      const views = await Promise.all(batches.slice(0, 5).map((b) => api.batch(b.batch_id)));
      return views.reduce((n, v) => n + v.ready_count, 0) >= 20;
    });
    extractors[0]!.kill('SIGKILL');
    await exitOf(extractors[0]!);
    await upload(10, 20);
    await start('extractor');

    const views = await Promise.all(batches.map((b) => api.waitForBatch(b.batch_id, 180_000)));
    const store = await createBlobStore(loadConfig({ ...s3.env, DATA_DIR: dirs[0]! }));
    const essayIds = new Set<string>();
    for (const view of views) {
      expect(view.status).to.equal('ready');
      // 24 essays and the empty file's EMPTY_CONTENT: every file has one outcome
      expect([view.ready_count, view.failed_count]).to.deep.equal([24, 1]);
      expect(view.validation_failures.map((f: any) => f.error_code)).to.deep.equal([
        'EMPTY_CONTENT',
      ]);
      for (const e of view.essays) {
        expect(essayIds.has(e.essay_id)).to.equal(false);
        essayIds.add(e.essay_id);
        expect(await store.exists(e.raw_storage_id)).to.equal(true);
        expect(await store.exists(e.text_storage_id)).to.equal(true);
      }
      const events = await api.events(view.batch_id);
      expect(events.filter((e) => e.event_type === 'BatchEssaysReadyV1')).to.have.length(1);
    }
    expect(essayIds.size).to.equal(480);
    // and the first phase ran on them: every batch's spellcheck completes once
    for (const b of batches)
      await waitFor(
        `spellcheck of ${b.batch_id}`,
        async () => (await api.batch(b.batch_id)).phases.spellcheck.status === 'completed',
        120_000,
      );
    // nothing was written to any process's own disk: the blobs are in S3
    for (const d of dirs) expect(fs.existsSync(path.join(d, 'blobs'))).to.equal(false);
  });
});
