import { expect } from 'chai';
import { QueueName } from '../../src/queues/names.js';
import { batchKeys } from '../../src/shared/keys.js';
import { runWorkers } from '../../src/workers/run.js';
import { ApiClient, essay } from '../helpers/api.js';
import { makePdf } from '../helpers/documents.js';
import { takeBlobAway } from '../helpers/dying-worker.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { exitOf, spawnBin, waitForOutput } from '../helpers/processes.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const chaosEnv = { JOB_LOCK_MS: '1000', JOB_BACKOFF_MS: '50' };

/** Every file of the batch has exactly one outcome, and the batch was declared ready once. */
async function expectAccountedFor(api: ApiClient, batchId: string, files: number) {
  const batch = await api.waitForBatch(batchId, 90_000);
  expect(batch.status).to.equal('ready');
  const ids = [
    ...batch.essays.map((e: any) => e.file_upload_id),
    ...batch.validation_failures.map((f: any) => f.file_upload_id),
    ...batch.excess.map((x: any) => x.file_upload_id),
  ];
  expect(ids).to.have.length(files);
  expect(new Set(ids).size).to.equal(files);
  expect(new Set(batch.essays.map((e: any) => e.essay_id)).size).to.equal(batch.essays.length);
  // a crash between the state change and its publish leaves the ready event in the outbox until
  // the job runs again: the status may say ready a moment before the event is in the log
  const events = await waitFor('the ready event to be published', async () => {
    const all = await api.events(batchId);
    return all.some((e) => e.event_type === 'BatchEssaysReadyV1') ? all : undefined;
  });
  expect(events.filter((e) => e.event_type === 'BatchEssaysReadyV1')).to.have.length(1);
  expect(new Set(events.map((e) => e.event_id)).size).to.equal(events.length);
  return batch;
}

function envOf(fleet: TestFleet, redisUrl: string, extra: Record<string, string> = {}) {
  return {
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: fleet.config.REDIS_KEY_PREFIX,
    DATA_DIR: fleet.config.DATA_DIR,
    ...chaosEnv,
    ...extra,
  };
}

describe('chaos: processes killed, Redis restarted, jobs dead', function () {
  this.timeout(180_000);
  const redis = useRedis({ appendOnly: true });

  it('kill -9 of an extractor in the middle of extraction: after restart every file has one outcome', async () => {
    const fleet = redis.track(await startFleet(redis.url, chaosEnv, [QueueName.lifecycle]));
    const api = new ApiClient(fleet.url);
    const env = envOf(fleet, redis.url, {
      EXTRACT_TIMEOUT_MS: '60000',
      EXTRACT_MAX_PDF_PAGES: '5000',
      EXTRACT_CONCURRENCY: '1',
    });
    // slow to read (1,500 pages), short enough to be valid (~15,000 characters)
    const slow = await makePdf(Array.from({ length: 1500 }, (_, i) => [`Sida ${i} av 1500.`]));
    let extractor = spawnBin('worker', ['--queues', 'extractor'], env);
    try {
      await waitForOutput(extractor, /consuming essay\.extract/);
      const reg = await api.register({ expected_essay_count: 3, course_code: 'ENG5' });
      await api.upload(reg.batch_id, [
        { name: 'a.txt', content: essay('a') },
        { name: 'slow.pdf', content: slow },
        { name: 'b.txt', content: essay('b') },
      ]);
      const extract = fleet.web.queue(QueueName.extract);
      await waitFor('the slow PDF to be in extraction', async () => {
        const active = await extract.getActive();
        return active.some((j) => j.data.original_file_name === 'slow.pdf');
      });
      extractor.kill('SIGKILL');
      await exitOf(extractor);
      extractor = spawnBin('worker', ['--queues', 'extractor'], env);
      const batch = await expectAccountedFor(api, reg.batch_id, 3);
      expect(batch.validation_failures).to.deep.equal([]);
      expect(batch.ready_count).to.equal(3);
    } finally {
      extractor.kill('SIGTERM');
      await exitOf(extractor);
    }
  });

  // each point with what it names, checked before the process restarts: the crash really
  // happened between the two steps it stands between
  // (after-enqueue: the orchestrator has the ready job, and drains the outbox into the log
  // itself before it acts, so whether the log has the event yet is up to it)
  const points: Record<string, { status: string; logged?: boolean; enqueued: boolean }> = {
    'before-apply': { status: 'awaiting_content', logged: false, enqueued: false },
    'after-apply@BatchEssaysReadyV1': { status: 'ready', logged: false, enqueued: false },
    'after-enqueue@BatchEssaysReadyV1': { status: 'ready', enqueued: true },
    'after-publish@BatchEssaysReadyV1': { status: 'ready', logged: true, enqueued: true },
  };
  for (const [point, state] of Object.entries(points)) {
    it(`kill -9 of the process applying an upload at ${point}: after restart the batch is ready once, nothing twice`, async () => {
      const fleet = redis.track(
        await startFleet(redis.url, chaosEnv, [
          QueueName.extract,
          QueueName.lifecycle,
          QueueName.orchestrate,
        ]),
      );
      const api = new ApiClient(fleet.url);
      let parent = spawnBin(
        'worker',
        ['--queues', QueueName.upload],
        envOf(fleet, redis.url, { TEST_CRASH_POINT: point }),
      );
      try {
        await waitForOutput(parent, /consuming essay\.upload/);
        const reg = await api.register({ expected_essay_count: 3, course_code: 'ENG5' });
        await api.upload(reg.batch_id, [
          { name: 'a.txt', content: essay('a') },
          { name: 'b.txt', content: essay('b') },
          { name: 'empty.txt', content: '' },
        ]);
        const crashed = await exitOf(parent, 60_000);
        expect(crashed.signal).to.equal('SIGKILL');
        const k = batchKeys(fleet.config.REDIS_KEY_PREFIX, reg.batch_id);
        const probe = fleet.web.redis;
        expect(await probe.hget(k.meta, 'status')).to.equal(state.status);
        if (state.logged !== undefined) {
          const log = await probe.lrange(k.events, 0, -1);
          expect(log.some((e) => e.includes('"BatchEssaysReadyV1"'))).to.equal(state.logged);
          const outbox = await probe.lrange(k.outbox, 0, -1);
          expect(outbox.some((e) => e.includes('"BatchEssaysReadyV1"'))).to.equal(
            state.status === 'ready' && !state.logged,
          );
        }
        const orchestrated = await fleet.web
          .queue(QueueName.orchestrate)
          .getJobs(['waiting', 'active', 'completed']);
        expect(orchestrated.some((j) => j.name === 'BatchEssaysReadyV1')).to.equal(state.enqueued);

        parent = spawnBin('worker', ['--queues', QueueName.upload], envOf(fleet, redis.url));
        const batch = await expectAccountedFor(api, reg.batch_id, 3);
        expect(batch).to.include({ ready_count: 2, failed_count: 1 });
        expect(await probe.llen(k.outbox)).to.equal(0);
      } finally {
        parent.kill('SIGTERM');
        await exitOf(parent);
      }
    });
  }

  it('Redis restarted (AOF on) in the middle of a 200-file batch: no file lost, no essay twice', async () => {
    const fleet = redis.track(
      await startFleet(redis.url, { ...chaosEnv, MAX_FILES_PER_REQUEST: '250' }),
    );
    const api = new ApiClient(fleet.url);
    const reg = await api.register({ expected_essay_count: 200, course_code: 'ENG5' });
    const up = await api.upload(
      reg.batch_id,
      Array.from({ length: 200 }, (_, i) => ({ name: `e${i}.txt`, content: essay(`n${i}`) })),
    );
    expect(up.status).to.equal(202);
    // the upload is applied when its last file is done: restart while some are
    await waitFor('some files to be done', async () => {
      const done = await fleet.web.queue(QueueName.extract).getCompletedCount();
      return done >= 10 && done < 150;
    });
    await redis.restart();
    const batch = await expectAccountedFor(api, reg.batch_id, 200);
    expect(batch.ready_count).to.equal(200);
  });

  it('a job that always fails for infrastructure reasons: DLQ, PROCESSING_FAILED, then a board retry makes it ready', async () => {
    const fleet = redis.track(
      await startFleet(
        redis.url,
        {
          ...chaosEnv,
          EXTRACT_ATTEMPTS: '3',
          BOARD_USERNAME: 'operator',
          BOARD_PASSWORD: 'correct horse battery',
        },
        [QueueName.upload, QueueName.lifecycle],
      ),
    );
    const api = new ApiClient(fleet.url);
    const reg = await api.register({ expected_essay_count: 2, course_code: 'ENG5' });
    const up = await api.upload(reg.batch_id, [
      { name: 'fine.txt', content: essay('fine') },
      { name: 'doomed.txt', content: essay('doomed') },
    ]);
    // the fault: the stored bytes of one file vanish before any extractor runs
    const doomed = up.body.files[1];
    const putBack = takeBlobAway(fleet.web.blobs, doomed.raw_storage_id);
    const extractor = await runWorkers(fleet.workers, [QueueName.extract]);
    try {
      const batch = await api.waitForBatch(reg.batch_id, 20_000).catch(async (e) => {
        console.log(
          JSON.stringify(await api.batch(reg.batch_id)),
          await fleet.web.queue(QueueName.extract).getJobCounts(),
          await fleet.web.queue(QueueName.dlq).getJobCounts(),
        );
        throw e;
      });
      expect(batch).to.include({ status: 'ready', ready_count: 1, failed_count: 1 });
      expect(batch.validation_failures[0]).to.include({
        file_upload_id: doomed.file_upload_id,
        error_code: 'PROCESSING_FAILED',
      });

      // the parent records the death just after the step that made the batch ready: wait for it
      const dlq = fleet.web.queue(QueueName.dlq);
      const [letter] = await waitFor('the dead letter', async () => {
        const letters = await dlq.getJobs(['waiting']);
        return letters.length > 0 ? letters : undefined;
      });
      expect(letter!.data).to.include({
        source_queue: 'essay.extract',
        job_id: doomed.file_upload_id,
        attempts: 3,
        correlation_id: reg.correlation_id,
      });
      expect(letter!.data.reason).to.include('not found');
      // the record is written before the death is marked and counted: wait for the count
      const counted = async () =>
        (await fleet.workers.metrics.dlqMessages.get()).values.find(
          (v) => v.labels.queue === 'essay.extract',
        )?.value;
      expect(await waitFor('the death to be counted', counted)).to.equal(1);
      const job = await fleet.web.queue(QueueName.extract).getJob(doomed.file_upload_id);
      expect(await job!.getState()).to.equal('failed');

      // the board: its login is required, then Retry re-runs the dead job
      putBack();
      const retryUrl = `${fleet.url}/admin/queues/api/queues/essay.extract/${doomed.file_upload_id}/retry`;
      expect((await fetch(retryUrl, { method: 'PUT' })).status).to.equal(401);
      const auth = `Basic ${Buffer.from('operator:correct horse battery').toString('base64')}`;
      const retried = await fetch(retryUrl, { method: 'PUT', headers: { authorization: auth } });
      expect(retried.status).to.equal(204);
      const revived = await waitFor('the retried essay to be ready', async () => {
        const b = await api.batch(reg.batch_id);
        return b.ready_count === 2 ? b : undefined;
      });
      expect(revived).to.include({ status: 'ready', failed_count: 0 });
      const events = await api.events(reg.batch_id);
      const forDoomed = events
        .filter((e) => e.data.file_upload_id === doomed.file_upload_id)
        .map((e) => e.event_type);
      expect(forDoomed).to.deep.equal(['EssayValidationFailedV1', 'EssayContentProvisionedV1']);
    } finally {
      await extractor.close(5000);
    }
  });
});
