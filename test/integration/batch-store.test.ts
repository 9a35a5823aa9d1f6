import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { BatchStore, type TransitionOp } from '../../src/shared/batches/batch-store.js';
import { eventId } from '../../src/shared/events/event-id.js';
import { assertNoEviction, RedisPolicyError } from '../../src/shared/redis.js';
import { useRedis } from '../helpers/redis.js';

const sha = (n: number) => n.toString(16).padStart(64, '0');

describe('BatchStore (real Redis)', () => {
  const redisServer = useRedis();
  let redis: Redis;
  let store: BatchStore;

  before(() => {
    redis = redisServer.track(new Redis(redisServer.url));
    store = new BatchStore(redis, `t${Date.now()}`, 3600);
  });

  async function registered(expected: number) {
    const batchId = randomUUID();
    await store.register({
      batch_id: batchId,
      expected_count: expected,
      course_code: 'ENG5',
      language: 'en',
      readiness_timeout_seconds: 60,
      correlation_id: 'c',
    });
    return batchId;
  }
  const content = (uploadId: string, n: number): TransitionOp => ({
    op: 'content',
    file_upload_id: `file-${n}`,
    upload_id: uploadId,
    original_file_name: `essay-${n}.txt`,
    raw_storage_id: sha(n),
    text_storage_id: sha(n + 1000),
  });
  const apply = (batchId: string, change: TransitionOp, subject: string, outcome: string) =>
    store.transition(
      batchId,
      'lifecycle',
      eventId(batchId, subject, 'extraction', outcome),
      change,
    );

  it('assigns slots, counts the upload, and becomes ready exactly once', async () => {
    const b = await registered(2);
    await apply(b, content('u1', 1), 'file-1', 'provisioned');
    const failure: TransitionOp = {
      op: 'failure',
      file_upload_id: 'file-2',
      upload_id: 'u1',
      original_file_name: 'empty.txt',
      raw_storage_id: null,
      error_code: 'EMPTY_CONTENT',
      message: 'The file contains no text.',
    };
    await apply(b, failure, 'file-2', 'failed');
    const done = await apply(
      b,
      { op: 'upload_finished', upload_id: 'u1', expected_count: 2 },
      'u1',
      'finished',
    );
    expect(done.becameReady).to.equal(true);
    const again = await apply(
      b,
      { op: 'upload_finished', upload_id: 'u1', expected_count: 2 },
      'u1',
      'finished',
    );
    expect(again.duplicate).to.equal(true);
    // a transition answers with the whole outbox: a duplicate too, with what is left unpublished
    expect(done.outbox.map((e) => e.event_type)).to.deep.equal(['BatchEssaysReadyV1']);
    expect(again.outbox).to.deep.equal(done.outbox);

    const outbox = await store.pendingOutbox(b);
    expect(outbox.map((e) => e.event_type)).to.deep.equal(['BatchEssaysReadyV1']);
    const data = outbox[0]!.data as {
      ready_essays: unknown[];
      validation_failures: unknown[];
      total_files_processed: number;
    };
    expect(data.ready_essays).to.have.length(1);
    expect(data.validation_failures).to.deep.equal([
      {
        file_upload_id: 'file-2',
        original_file_name: 'empty.txt',
        error_code: 'EMPTY_CONTENT',
        message: 'The file contains no text.',
      },
    ]);
    expect(data.total_files_processed).to.equal(2);
    const view = await store.get(b);
    expect(view).to.include({
      status: 'ready',
      ready_count: 1,
      failed_count: 1,
      received_count_from_uploads: 2,
    });
  });

  it('is idempotent on (batch_id, file_upload_id) even under a new event id', async () => {
    const b = await registered(3);
    await apply(b, content('u1', 1), 'file-1', 'provisioned');
    const replay = await store.transition(
      b,
      'lifecycle',
      eventId(b, 'file-1', 'extraction', 'other'),
      content('u1', 1),
    );
    expect(replay.detail).to.equal('already:ready');
    expect((await store.get(b))!.ready_count).to.equal(1);
  });

  it('answers content without a slot as excess, with the reason', async () => {
    const b = await registered(1);
    await apply(b, content('u1', 1), 'file-1', 'provisioned');
    const over = await apply(b, content('u1', 2), 'file-2', 'provisioned');
    expect(over.detail).to.equal('excess:NO_AVAILABLE_SLOT');
    await apply(b, { op: 'upload_finished', upload_id: 'u1', expected_count: 2 }, 'u1', 'finished');
    const late = await apply(b, content('u2', 3), 'file-3', 'provisioned');
    expect(late.detail).to.equal('excess:BATCH_ALREADY_COMPLETED');
    const unknown = await apply(randomUUID(), content('u9', 4), 'file-4', 'provisioned');
    expect(unknown.detail).to.equal('excess:BATCH_NOT_REGISTERED');
    const types = (await store.pendingOutbox(b)).map((e) => e.event_type);
    expect(types).to.deep.equal([
      'ExcessContentProvisionedV1',
      'BatchEssaysReadyV1',
      'ExcessContentProvisionedV1',
    ]);
  });

  it('waits for the last of several uploads', async () => {
    const b = await registered(3);
    await apply(b, content('u1', 1), 'file-1', 'provisioned');
    await apply(b, { op: 'upload_finished', upload_id: 'u1', expected_count: 1 }, 'u1', 'finished');
    await apply(b, { op: 'upload_finished', upload_id: 'u2', expected_count: 2 }, 'u2', 'finished');
    // u2's files have not reported: not ready although uploads cover the count
    expect((await store.get(b))!.status).to.equal('awaiting_content');
    await apply(b, content('u2', 2), 'file-2', 'provisioned');
    const last = await apply(b, content('u2', 3), 'file-3', 'provisioned');
    expect(last.becameReady).to.equal(true);
  });

  it('does not become ready while an accepted upload is still in flight', async () => {
    const b = await registered(1);
    await store.transition(b, 'web', eventId(b, 'u2', 'upload', 'announced'), {
      op: 'upload_announced',
      upload_id: 'u2',
      expected_count: 1,
    });
    await apply(b, content('u1', 1), 'file-1', 'provisioned');
    await apply(b, { op: 'upload_finished', upload_id: 'u1', expected_count: 1 }, 'u1', 'finished');
    expect((await store.get(b))!.status).to.equal('awaiting_content');
    await apply(b, content('u2', 2), 'file-2', 'provisioned');
    const last = await apply(
      b,
      { op: 'upload_finished', upload_id: 'u2', expected_count: 1 },
      'u2',
      'finished',
    );
    expect(last.becameReady).to.equal(true);
    expect((await store.get(b))!.excess.map((x) => x.reason)).to.deep.equal(['NO_AVAILABLE_SLOT']);
  });

  it('never shortens the life registration gave a batch', async () => {
    const b = await registered(2);
    const k = store.keys(b);
    const before = await redis.ttl(k.meta);
    expect(before).to.be.above(3600);
    await apply(b, content('u1', 1), 'file-1', 'provisioned');
    expect(await redis.ttl(k.meta)).to.be.at.least(before - 5);
    // keys the change created live as long as the batch itself
    expect(await redis.ttl(k.essays)).to.be.at.least(before - 5);
  });

  it('times out a batch that is not ready, with missing_n', async () => {
    const b = await registered(3);
    await apply(b, content('u1', 1), 'file-1', 'provisioned');
    const t = await store.transition(b, 'lifecycle', eventId(b, b, 'readiness', 'deadline'), {
      op: 'timeout',
    });
    expect(t.timedOut).to.equal(true);
    expect(t.outbox).to.deep.equal(await store.pendingOutbox(b));
    const [entry] = await store.pendingOutbox(b);
    expect(entry!.event_type).to.equal('BatchReadinessTimedOutV1');
    expect(entry!.data).to.include({ missing_n: 2, expected_count: 3, actual_count: 1 });
    expect((await store.get(b))!.status).to.equal('timed_out');
  });

  it('never assigns a slot twice under concurrent writers', async () => {
    const b = await registered(20);
    const others = [0, 1].map(() => new Redis(redisServer.url));
    const stores = others.map(
      (r) => new BatchStore(r, (store as unknown as { prefix: string }).prefix, 3600),
    );
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        stores[n % 2]!.transition(
          b,
          'lifecycle',
          eventId(b, `file-${n}`, 'extraction', 'provisioned'),
          content('u1', n),
        ),
      ),
    );
    await Promise.all(others.map((r) => r.quit()));
    const assigned = results.filter((r) => r.detail.startsWith('assigned:')).map((r) => r.detail);
    expect(assigned).to.have.length(20);
    expect(new Set(assigned).size).to.equal(20);
    expect(results.filter((r) => r.detail === 'excess:NO_AVAILABLE_SLOT')).to.have.length(10);
  });

  it('keeps the event log once per event id', async () => {
    const b = await registered(1);
    const envelope = {
      event_id: sha(7),
      event_type: 'BatchEssaysReadyV1' as const,
      schema_version: 1 as const,
      event_timestamp: new Date().toISOString(),
      source: 'test',
      correlation_id: 'c',
      data: { batch_id: b, ready_essays: [], validation_failures: [], total_files_processed: 0 },
    };
    expect(await store.appendEvent(b, envelope)).to.equal(true);
    expect(await store.appendEvent(b, envelope)).to.equal(false);
    expect(await store.events(b)).to.have.length(1);
  });
});

describe('Redis start-up check', () => {
  const redisServer = useRedis();
  it('refuses a Redis that may evict keys, saying how to fix it', async () => {
    const redis = new Redis(redisServer.url);
    try {
      await assertNoEviction(redis);
      await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
      let thrown: unknown;
      await assertNoEviction(redis).catch((e) => (thrown = e));
      expect(thrown).to.be.instanceOf(RedisPolicyError);
      expect((thrown as Error).message).to.include('CONFIG SET maxmemory-policy noeviction');
    } finally {
      await redis.quit();
    }
  });
});
