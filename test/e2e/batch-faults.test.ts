import { expect } from 'chai';
import { Redis } from 'ioredis';
import { QueueName } from '../../src/queues/names.js';
import { batchKeys } from '../../src/shared/keys.js';
import { freePort } from '../../src/shared/redis-server.js';
import { runWorkers } from '../../src/workers/run.js';
import { ApiClient, essay } from '../helpers/api.js';
import { withDeadlinesHeld } from '../helpers/deadlines.js';
import { failForGood, takeBlobAway } from '../helpers/dying-worker.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { exitOf, spawnBin, waitForOutput } from '../helpers/processes.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The four ways a batch used to end wrong or wait for its timeout (C1-C4 of the reconciling
 * parent's issue), each reached deterministically: the fault is a real process death at a named
 * point, or a job left exactly as a worker that died with it leaves it.
 */
describe('e2e: faults at the edges of an upload (C1-C4)', function () {
  this.timeout(120_000);
  const redis = useRedis();
  const withoutExtract = [
    QueueName.upload,
    QueueName.lifecycle,
    QueueName.orchestrate,
    QueueName.spellcheck,
  ];
  const board = { BOARD_USERNAME: 'operator', BOARD_PASSWORD: 'correct horse battery' };
  const boardAuth = `Basic ${Buffer.from('operator:correct horse battery').toString('base64')}`;

  /** No event says a batch timed out with nothing missing, and each terminal event is there once. */
  async function expectHonestLog(api: ApiClient, batchId: string) {
    const events = await api.events(batchId);
    for (const e of events.filter((e) => e.event_type === 'BatchReadinessTimedOutV1'))
      expect(e.data.missing_n, 'missing_n of a timeout').to.be.above(0);
    const terminal = events.filter((e) =>
      ['BatchEssaysReadyV1', 'BatchReadinessTimedOutV1'].includes(e.event_type),
    );
    expect(terminal).to.have.length(1);
    return events;
  }

  async function dlqRecords(fleet: TestFleet, sourceQueue: string) {
    const jobs = await fleet.web.queue(QueueName.dlq).getJobs(['waiting', 'completed', 'failed']);
    return jobs.filter((j) => j.data.source_queue === sourceQueue);
  }

  it('C1: the web process dies after announcing an upload; the client retries elsewhere; the batch is ready long before its timeout', async () => {
    const fleet = redis.track(await startFleet(redis.url, { UPLOAD_LEASE_SECONDS: '2' }));
    const api = new ApiClient(fleet.url);
    const port = await freePort();
    const dying = spawnBin('api', [], {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: fleet.config.REDIS_KEY_PREFIX,
      DATA_DIR: fleet.config.DATA_DIR,
      PORT: String(port),
      UPLOAD_LEASE_SECONDS: '2',
      TEST_CRASH_POINT: 'after-announce',
    });
    await waitForOutput(dying, /web listening/);
    const reg = await api.register({ expected_essay_count: 2, course_code: 'ENG5' });
    const files = [
      { name: 'a.txt', content: essay('a') },
      { name: 'b.txt', content: essay('b') },
    ];
    const lost = await new ApiClient(`http://127.0.0.1:${port}`).upload(reg.batch_id, files).then(
      (r) => r.status,
      () => 'connection lost',
    );
    expect(lost).to.equal('connection lost');
    expect((await exitOf(dying)).signal).to.equal('SIGKILL');
    // the crash hit what it names: the upload holds the batch, and no flow was added
    const probe = redis.track(new Redis(redis.url));
    const meta = batchKeys(fleet.config.REDIS_KEY_PREFIX, reg.batch_id).meta;
    expect(await probe.hget(meta, 'open_uploads')).to.equal('1');
    expect(await fleet.web.queue(QueueName.upload).count()).to.equal(0);

    const retried = await api.upload(reg.batch_id, files);
    expect(retried.status).to.equal(202);
    const batch = await api.waitForBatch(reg.batch_id, 30_000);
    expect(batch).to.include({ status: 'ready', ready_count: 2, failed_count: 0 });
    const events = await expectHonestLog(api, reg.batch_id);
    expect(events.map((e) => e.event_type)).to.include('EssayUploadAbandonedV1');
  });

  it('C2: an extract job dies and no listener hears of it: its parent gives the file PROCESSING_FAILED and one DLQ record', async () => {
    const fleet = redis.track(await startFleet(redis.url, {}, withoutExtract));
    const api = new ApiClient(fleet.url);
    const reg = await api.register({ expected_essay_count: 2, course_code: 'ENG5' });
    const up = await api.upload(reg.batch_id, [
      { name: 'fine.txt', content: essay('fine') },
      { name: 'doomed.txt', content: essay('doomed') },
    ]);
    const doomed = up.body.files[1];
    await failForGood(
      fleet.config,
      QueueName.extract,
      (j) => j.data.file_upload_id === doomed.file_upload_id,
    );
    const extractor = await runWorkers(fleet.workers, [QueueName.extract]);
    try {
      const batch = await api.waitForBatch(reg.batch_id);
      expect(batch).to.include({ status: 'ready', ready_count: 1, failed_count: 1 });
      expect(batch.validation_failures[0]).to.include({
        file_upload_id: doomed.file_upload_id,
        error_code: 'PROCESSING_FAILED',
      });
      await expectHonestLog(api, reg.batch_id);
      const letters = await dlqRecords(fleet, QueueName.extract);
      expect(letters.map((l) => l.data.job_id)).to.deep.equal([doomed.file_upload_id]);
      expect(letters[0]!.data.correlation_id).to.equal(reg.correlation_id);
      const counted = (await fleet.workers.metrics.dlqMessages.get()).values;
      expect(counted.find((v) => v.labels.queue === QueueName.extract)?.value).to.equal(1);
    } finally {
      await extractor.close(5000);
    }
  });

  it('C2: a spellcheck command dies and no listener hears of it: a sweep gives its essay a failed result and the phase completes', async () => {
    const fleet = redis.track(
      await startFleet(redis.url, { DEAD_LETTER_SWEEP_MS: '200' }, [
        QueueName.extract,
        QueueName.upload,
        QueueName.lifecycle,
        QueueName.orchestrate,
      ]),
    );
    const api = new ApiClient(fleet.url);
    const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    await api.upload(reg.batch_id, [{ name: 'a.txt', content: essay('a') }]);
    await api.waitForBatch(reg.batch_id);
    const dead = await failForGood(fleet.config, QueueName.spellcheck, () => true);
    // the queue's own processes sweep its failed set: one starts after the death
    const spellcheck = await runWorkers(fleet.workers, [QueueName.spellcheck]);
    try {
      const phase = await waitFor(
        'the spellcheck phase to complete',
        async () => {
          const p = (await api.batch(reg.batch_id)).phases.spellcheck;
          return p?.status === 'completed' ? p : undefined;
        },
        20_000,
      );
      expect(phase).to.include({ outcome: 'FAILED_CRITICALLY', expected: 1, failed: 1 });
      const letters = await dlqRecords(fleet, QueueName.spellcheck);
      expect(letters.map((l) => l.data.job_id)).to.deep.equal([dead.id]);
      const counted = (await fleet.workers.metrics.dlqMessages.get()).values;
      expect(counted.find((v) => v.labels.queue === QueueName.spellcheck)?.value).to.equal(1);
    } finally {
      await spellcheck.close(5000);
    }
  });

  it('C3: the readiness deadline passes while an upload is being extracted: the batch becomes ready, never timed out', async () => {
    const fleet = redis.track(await startFleet(redis.url, {}, withoutExtract));
    const api = new ApiClient(fleet.url);
    const reg = await withDeadlinesHeld(fleet, async () => {
      const reg = await api.register({
        expected_essay_count: 2,
        course_code: 'ENG5',
        readiness_timeout_seconds: 1,
      });
      await api.upload(reg.batch_id, [
        { name: 'a.txt', content: essay('a') },
        { name: 'b.txt', content: essay('b') },
      ]);
      return reg;
    });
    // the deadline has fired and been handled, with both files still waiting for extraction
    await waitFor(
      'the readiness deadline to be handled',
      async () =>
        (await fleet.web.queue(QueueName.lifecycle).getJobState(`timeout-${reg.batch_id}`)) ===
        'completed',
    );
    const extractor = await runWorkers(fleet.workers, [QueueName.extract]);
    try {
      const batch = await api.waitForBatch(reg.batch_id);
      expect(batch).to.include({ status: 'ready', ready_count: 2 });
      await expectHonestLog(api, reg.batch_id);
    } finally {
      await extractor.close(5000);
    }
  });

  it('C4: a dead file retried from the board after its batch is ready: its essay is published, spellchecked and counted', async () => {
    const fleet = redis.track(
      await startFleet(redis.url, { ...board, EXTRACT_ATTEMPTS: '2' }, withoutExtract),
    );
    const api = new ApiClient(fleet.url);
    const reg = await api.register({ expected_essay_count: 2, course_code: 'ENG5' });
    const up = await api.upload(reg.batch_id, [
      { name: 'fine.txt', content: essay('fine') },
      { name: 'doomed.txt', content: essay('doomed') },
    ]);
    // the fault: one file's stored bytes are away while its attempts run, so its job dies
    const doomed = up.body.files[1];
    const putBack = takeBlobAway(fleet.web.blobs, doomed.raw_storage_id);
    const extractor = await runWorkers(fleet.workers, [QueueName.extract]);
    try {
      const ready = await api.waitForBatch(reg.batch_id);
      expect(ready).to.include({ status: 'ready', ready_count: 1, failed_count: 1 });
      await waitFor(
        'the first spellcheck phase to complete',
        async () => (await api.batch(reg.batch_id)).phases.spellcheck?.status === 'completed',
      );
      putBack();
      const retry = await fetch(
        `${fleet.url}/admin/queues/api/queues/${QueueName.extract}/${doomed.file_upload_id}/retry`,
        { method: 'PUT', headers: { authorization: boardAuth } },
      );
      expect(retry.status).to.equal(204);
      const batch = await waitFor(
        'the revived essay to be spellchecked',
        async () => {
          const b = await api.batch(reg.batch_id);
          return b.essays.length === 2 && b.essays.every((e: any) => e.spellcheck) ? b : undefined;
        },
        30_000,
      );
      expect(batch).to.include({ status: 'ready', ready_count: 2, failed_count: 0 });
      expect(batch.phases.spellcheck).to.include({ expected: 2, succeeded: 2 });
      const events = await expectHonestLog(api, reg.batch_id);
      const revived = batch.essays.find((e: any) => e.file_upload_id === doomed.file_upload_id);
      expect(
        events
          .filter((e) => e.data.file_upload_id === doomed.file_upload_id)
          .map((e) => e.event_type),
      ).to.deep.equal(['EssayValidationFailedV1', 'EssayContentProvisionedV1']);
      expect(
        events.filter(
          (e) => e.event_type === 'SpellCheckCompletedV1' && e.data.essay_id === revived.essay_id,
        ),
      ).to.have.length(1);
      const phases = events.filter((e) => e.event_type === 'BatchPhaseCompletedV1');
      expect(phases.at(-1)!.data).to.include({ essays_total: 2, essays_succeeded: 2 });
    } finally {
      await extractor.close(5000);
    }
  });

  it('a lease is renewed while its flow is there, and ends the hold once the flow is removed on the board', async () => {
    const fleet = redis.track(
      await startFleet(redis.url, { UPLOAD_LEASE_SECONDS: '1' }, withoutExtract),
    );
    const api = new ApiClient(fleet.url);
    const { reg, up } = await withDeadlinesHeld(fleet, async () => {
      const reg = await api.register({
        expected_essay_count: 1,
        course_code: 'ENG5',
        readiness_timeout_seconds: 1,
      });
      const up = await api.upload(reg.batch_id, [{ name: 'a.txt', content: essay('a') }]);
      return { reg, up };
    });
    const lifecycle = fleet.web.queue(QueueName.lifecycle);
    // the deadline passed and waits for the upload; the lease was renewed twice: still held
    await waitFor(
      'the lease to be renewed',
      async () => (await lifecycle.getJobState(`lease-${up.body.upload_id}-2`)) !== 'unknown',
    );
    expect((await api.batch(reg.batch_id)).status).to.equal('awaiting_content');
    // an operator removes the upload's flow: the next lease ends its hold, the deadline decides
    await (await fleet.web.queue(QueueName.upload).getJob(up.body.upload_id))!.remove();
    const batch = await api.waitForBatch(reg.batch_id);
    expect(batch.status).to.equal('timed_out');
    const events = await expectHonestLog(api, reg.batch_id);
    expect(events.map((e) => e.event_type)).to.include('EssayUploadAbandonedV1');
  });

  it('a readiness deadline whose job died still strikes: the sweep runs it once more', async () => {
    const fleet = redis.track(
      await startFleet(redis.url, {}, [QueueName.extract, QueueName.upload, QueueName.orchestrate]),
    );
    const api = new ApiClient(fleet.url);
    const reg = await api.register({
      expected_essay_count: 2,
      course_code: 'ENG5',
      readiness_timeout_seconds: 1,
    });
    await api.upload(reg.batch_id, [{ name: 'a.txt', content: essay('a') }]);
    await failForGood(fleet.config, QueueName.lifecycle, (j) => j.id === `timeout-${reg.batch_id}`);
    const lifecycle = await runWorkers(fleet.workers, [QueueName.lifecycle]);
    try {
      const batch = await api.waitForBatch(reg.batch_id);
      expect(batch.status).to.equal('timed_out');
      const letters = await dlqRecords(fleet, QueueName.lifecycle);
      expect(letters.map((l) => l.data.job_id)).to.include(`timeout-${reg.batch_id}`);
    } finally {
      await lifecycle.close(5000);
    }
  });
});
