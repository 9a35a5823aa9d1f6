import { expect } from 'chai';
import { QueueName } from '../../src/queues/names.js';
import { ApiClient, essay } from '../helpers/api.js';
import { withDeadlinesHeld } from '../helpers/deadlines.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { exitOf, spawnBin, waitForOutput } from '../helpers/processes.js';
import { useRedis, useRedisCluster } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const good = (n: number, tag = 'g') =>
  Array.from({ length: n }, (_, i) => ({ name: `${tag}${i}.txt`, content: essay(`${tag} ${i}`) }));
const count = (events: { event_type: string }[], type: string) =>
  events.filter((e) => e.event_type === type).length;

// the same matrix on one Redis and on a Redis Cluster of three masters: every key a batch's
// scripts touch shares its hash tag, the queues share theirs
for (const backend of ['one Redis', 'a 3-master Redis Cluster'] as const) {
  describe(`e2e: batch completeness matrix (${backend})`, function () {
    this.timeout(120_000);
    const redis = backend === 'one Redis' ? useRedis() : useRedisCluster();
    let fleet: TestFleet;
    let api: ApiClient;

    before(async () => {
      fleet = redis.track(await startFleet(redis.url, redis.env));
      api = new ApiClient(fleet.url);
    });

    it('happy: expected 4, 3 good + 1 empty -> ready with 3 essays and 1 EMPTY_CONTENT', async () => {
      const reg = await api.register({ expected_essay_count: 4, course_code: 'ENG5' });
      await api.upload(reg.batch_id, [...good(3), { name: 'empty.txt', content: '' }]);
      const batch = await api.waitForBatch(reg.batch_id);
      expect(batch).to.include({ status: 'ready', ready_count: 3, failed_count: 1 });
      const events = await api.events(reg.batch_id);
      const ready = events.filter((e) => e.event_type === 'BatchEssaysReadyV1');
      expect(ready).to.have.length(1);
      expect((ready[0]!.data as any).ready_essays).to.have.length(3);
      expect(
        (ready[0]!.data as any).validation_failures.map((f: any) => f.error_code),
      ).to.deep.equal(['EMPTY_CONTENT']);
      const observed = await fleet.workers.metrics.batchCompletion.get();
      expect(
        observed.values.some(
          (v) =>
            v.labels.status === 'ready' && (v.metricName ?? '').endsWith('_count') && v.value >= 1,
        ),
      ).to.equal(true);
    });

    it('overflow: expected 7, send 9 -> 7 slots, 2 ExcessContentProvisionedV1, ready once', async () => {
      const reg = await api.register({ expected_essay_count: 7, course_code: 'ENG5' });
      await api.upload(reg.batch_id, good(9));
      const batch = await api.waitForBatch(reg.batch_id);
      expect(batch).to.include({ status: 'ready', ready_count: 7, excess_count: 2 });
      expect(new Set(batch.essays.map((e: any) => e.essay_id)).size).to.equal(7);
      const events = await api.events(reg.batch_id);
      expect(count(events, 'ExcessContentProvisionedV1')).to.equal(2);
      expect(
        events
          .filter((e) => e.event_type === 'ExcessContentProvisionedV1')
          .map((e) => e.data.reason),
      ).to.deep.equal(['NO_AVAILABLE_SLOT', 'NO_AVAILABLE_SLOT']);
      expect(count(events, 'BatchEssaysReadyV1')).to.equal(1);
    });

    it('underflow: expected 7, send 5 -> after the per-batch timeout, BatchReadinessTimedOutV1 with missing_n 2', async () => {
      // the deadline strikes once the upload is answered, however long that took
      const reg = await withDeadlinesHeld(fleet, async () => {
        const reg = await api.register({
          expected_essay_count: 7,
          course_code: 'ENG5',
          readiness_timeout_seconds: 2,
        });
        await api.upload(reg.batch_id, good(5));
        return reg;
      });
      const batch = await api.waitForBatch(reg.batch_id, 30_000);
      expect(batch).to.include({ status: 'timed_out', ready_count: 5 });
      const events = await api.events(reg.batch_id);
      const timedOut = events.filter((e) => e.event_type === 'BatchReadinessTimedOutV1');
      expect(timedOut).to.have.length(1);
      expect(timedOut[0]!.data).to.include({ missing_n: 2, expected_count: 7, actual_count: 5 });
      expect((timedOut[0]!.data as any).ready_essays).to.have.length(5);
      expect(count(events, 'BatchEssaysReadyV1')).to.equal(0);
      // content after the timeout is excess
      await api.upload(reg.batch_id, good(1, 'late'));
      await waitFor(
        'late content answered as excess',
        async () => (await api.batch(reg.batch_id)).excess_count === 1,
      );
      expect((await api.batch(reg.batch_id)).excess[0].reason).to.equal('BATCH_ALREADY_COMPLETED');
      const observed = await fleet.workers.metrics.batchCompletion.get();
      expect(observed.values.some((v) => v.labels.status === 'timed_out')).to.equal(true);
    });

    it('every step delivered twice (the the upload parent, the deadline, the orchestrator events) changes state and emits events exactly once', async () => {
      const reg = await api.register({ expected_essay_count: 3, course_code: 'ENG5' });
      const up = await api.upload(reg.batch_id, [...good(2), { name: 'empty.txt', content: '' }]);
      await api.waitForBatch(reg.batch_id);
      // let the spellcheck phase finish too, so the state stands still before the replay
      await waitFor('the spellcheck phase to complete', async () =>
        (await api.events(reg.batch_id)).some((e) => e.event_type === 'BatchPhaseCompletedV1'),
      );
      const before = await api.batch(reg.batch_id);
      const eventsBefore = await api.events(reg.batch_id);
      const parent = await fleet.web.queue(QueueName.upload).getJob(up.body.upload_id);
      const orchestrated = eventsBefore.filter((e) =>
        ['BatchEssaysReadyV1', 'SpellCheckCompletedV1'].includes(e.event_type),
      );
      expect(orchestrated).to.have.length(3);
      // brand-new jobs (other ids) carrying the same facts
      const jobs = await Promise.all([
        fleet.web
          .queue(QueueName.upload)
          .add(parent!.name, parent!.data, { jobId: `${up.body.upload_id}-replay` }),
        fleet.web
          .queue(QueueName.lifecycle)
          .add(
            'readiness timeout',
            { kind: 'readiness_timeout', batch_id: reg.batch_id, correlation_id: 'replay' },
            { jobId: `timeout-${reg.batch_id}-replay` },
          ),
        ...orchestrated.map((e) =>
          fleet.web
            .queue(QueueName.orchestrate)
            .add(e.event_type, e, { jobId: `${e.event_id}-replay` }),
        ),
      ]);
      await waitFor('replayed jobs to finish', async () => {
        const states = await Promise.all(jobs.map((j) => j.getState()));
        return states.every((s) => s === 'completed');
      });
      expect(await api.batch(reg.batch_id)).to.deep.equal(before);
      expect(await api.events(reg.batch_id)).to.deep.equal(eventsBefore);
    });

    it('uploads split over 3 requests -> ready once, after the last', async () => {
      const reg = await api.register({ expected_essay_count: 6, course_code: 'ENG5' });
      await api.upload(reg.batch_id, good(2, 'a'));
      await waitFor(
        'first upload counted',
        async () => (await api.batch(reg.batch_id)).received_count_from_uploads === 2,
      );
      await api.upload(reg.batch_id, good(2, 'b'));
      await waitFor(
        'second upload counted',
        async () => (await api.batch(reg.batch_id)).received_count_from_uploads === 4,
      );
      expect((await api.batch(reg.batch_id)).status).to.equal('awaiting_content');
      await api.upload(reg.batch_id, good(2, 'c'));
      const batch = await api.waitForBatch(reg.batch_id);
      expect(batch).to.include({ status: 'ready', ready_count: 6, received_count_from_uploads: 6 });
      const events = await api.events(reg.batch_id);
      expect(count(events, 'BatchEssaysReadyV1')).to.equal(1);
      const completeness = events.filter(
        (e) => !['SpellCheckCompletedV1', 'BatchPhaseCompletedV1'].includes(e.event_type),
      );
      expect(completeness.at(-1)!.event_type).to.equal('BatchEssaysReadyV1');
      expect(count(events, 'EssayUploadFinishedV1')).to.equal(3);
    });

    it('0 of 5 valid -> ready with 0 ready essays and 5 failures', async () => {
      const reg = await api.register({ expected_essay_count: 5, course_code: 'ENG5' });
      await api.upload(
        reg.batch_id,
        Array.from({ length: 5 }, (_, i) => ({
          name: `bad${i}.txt`,
          content: i % 2 ? '' : 'too short',
        })),
      );
      const batch = await api.waitForBatch(reg.batch_id);
      expect(batch).to.include({ status: 'ready', ready_count: 0, failed_count: 5 });
      const ready = (await api.events(reg.batch_id)).find(
        (e) => e.event_type === 'BatchEssaysReadyV1',
      )!;
      expect((ready.data as any).ready_essays).to.deep.equal([]);
      expect((ready.data as any).validation_failures).to.have.length(5);
      expect((ready.data as any).total_files_processed).to.equal(5);
    });

    it('streams the event log as Server-Sent Events: replay, then follow', async () => {
      const reg = await api.register({ expected_essay_count: 2, course_code: 'ENG5' });
      await api.upload(reg.batch_id, good(1, 'first'));
      await waitFor(
        'first file counted',
        async () => (await api.batch(reg.batch_id)).received_count_from_uploads === 1,
      );
      const res = await fetch(`${fleet.url}/v1/batches/${reg.batch_id}/events`, {
        headers: { accept: 'text/event-stream' },
      });
      expect(res.headers.get('content-type')).to.include('text/event-stream');
      const reader = res.body!.getReader();
      let text = '';
      const seen = async (pattern: RegExp) =>
        waitFor(`stream to show ${pattern}`, async () => {
          while (!pattern.test(text)) {
            const { value, done } = await reader.read();
            if (done) return false;
            text += Buffer.from(value).toString();
          }
          return true;
        });
      await seen(/event: EssayUploadFinishedV1/);
      expect(text).to.match(/id: 0\nevent: EssayContentProvisionedV1\ndata: \{/);
      await api.upload(reg.batch_id, good(1, 'second'));
      await seen(/event: BatchEssaysReadyV1/);
      await reader.cancel();
    });
  });
}

describe('e2e: two lifecycle processes, 100 batches of 30 files', function () {
  this.timeout(300_000);
  const redis = useRedis();

  it('assigns no slot twice and makes every batch ready exactly once', async () => {
    const fleet = redis.track(
      await startFleet(redis.url, { EXTRACT_CONCURRENCY: '4' }, [
        QueueName.extract,
        QueueName.upload,
      ]),
    );
    const env = {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: fleet.config.REDIS_KEY_PREFIX,
      DATA_DIR: fleet.config.DATA_DIR,
      LIFECYCLE_CONCURRENCY: '8',
    };
    const lifecycles = [
      spawnBin('worker', ['--queues', 'lifecycle'], env),
      spawnBin('worker', ['--queues', 'lifecycle'], env),
    ];
    try {
      await Promise.all(lifecycles.map((p) => waitForOutput(p, /consuming batch\.lifecycle/)));
      const api = new ApiClient(fleet.url);
      const batches: string[] = [];
      for (let round = 0; round < 10; round++) {
        await Promise.all(
          Array.from({ length: 10 }, async (_, i) => {
            const reg = await api.register({ expected_essay_count: 30, course_code: 'ENG5' });
            batches.push(reg.batch_id);
            const up = await api.upload(reg.batch_id, good(30, `r${round}b${i}-`));
            expect(up.status).to.equal(202);
          }),
        );
      }
      const essayIds = new Set<string>();
      let files = 0;
      for (const id of batches) {
        const batch = await api.waitForBatch(id, 180_000);
        expect(batch).to.include({
          status: 'ready',
          ready_count: 30,
          excess_count: 0,
          failed_count: 0,
        });
        for (const e of batch.essays) essayIds.add(e.essay_id);
        expect(new Set(batch.essays.map((e: any) => e.file_upload_id)).size).to.equal(30);
        files += batch.essays.length;
        // the status turns ready in the step that puts the event in the outbox; the log has it a moment later
        const events = await waitFor('the ready event in the log', async () => {
          const all = await api.events(id);
          return count(all, 'BatchEssaysReadyV1') > 0 ? all : undefined;
        });
        expect(count(events, 'BatchEssaysReadyV1')).to.equal(1);
      }
      expect(files).to.equal(3000);
      expect(essayIds.size).to.equal(3000);
    } finally {
      for (const p of lifecycles) p.kill('SIGTERM');
      await Promise.all(lifecycles.map((p) => exitOf(p)));
    }
  });
});
