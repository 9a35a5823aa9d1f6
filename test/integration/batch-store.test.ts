import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createBatchStore, type BatchStore } from '../../src/shared/batches/batch-store.js';
import { APPLY_CHUNK } from '../../src/shared/batches/transitions.js';
import type { FileOutcome, UploadedFile } from '../../src/shared/batches/types.js';
import { batchKeys } from '../../src/shared/keys.js';
import { assertNoEviction, RedisPolicyError } from '../../src/shared/redis.js';
import { useRedis } from '../helpers/redis.js';

const sha = (n: number) => n.toString(16).padStart(64, '0');
type File = UploadedFile & { outcome: FileOutcome };

const content = (n: number): File => ({
  file_upload_id: `file-${n}`,
  original_file_name: `essay-${n}.txt`,
  raw_storage_id: sha(n),
  outcome: { kind: 'content', text_storage_id: sha(n + 1000), text_length: 500 },
});
const empty = (n: number): File => ({
  file_upload_id: `file-${n}`,
  original_file_name: 'empty.txt',
  raw_storage_id: sha(n),
  outcome: { kind: 'failure', error_code: 'EMPTY_CONTENT', message: 'The file contains no text.' },
});
const dead = (n: number): File => ({
  file_upload_id: `file-${n}`,
  original_file_name: `essay-${n}.txt`,
  raw_storage_id: sha(n),
  outcome: { kind: 'dead', message: 'The file could not be processed (boom)' },
});

describe('batch state (real Redis)', () => {
  const redisServer = useRedis();
  let redis: Redis;
  let store: BatchStore;
  let prefix: string;

  before(() => {
    redis = redisServer.track(new Redis(redisServer.url));
    prefix = `t${Date.now()}`;
    store = createBatchStore(redis, prefix, 3600);
  });

  async function registered(expected: number) {
    const batchId = randomUUID();
    await store.registry.register({
      batch_id: batchId,
      expected_count: expected,
      course_code: 'ENG5',
      language: 'en',
      readiness_timeout_seconds: 60,
      correlation_id: 'c',
    });
    return batchId;
  }
  const apply = (batchId: string, uploadId: string, files: File[], expected = files.length) =>
    store.transitions.applyUpload(
      batchId,
      { upload_id: uploadId, expected_count: expected, upload_ts: 'now', correlation_id: 'c' },
      files,
    );
  const types = (outbox: { event_type: string }[]) => outbox.map((e) => e.event_type);
  const view = async (b: string) => (await store.view.get(b))!;

  it('applies an upload whole: each file, the upload, readiness, in one step and in that order', async () => {
    const b = await registered(2);
    const done = await apply(b, 'u1', [content(1), empty(2)]);
    expect(done.completed).to.equal('ready');
    expect(types(done.outbox)).to.deep.equal([
      'EssayContentProvisionedV1',
      'EssayValidationFailedV1',
      'EssayUploadFinishedV1',
      'BatchEssaysReadyV1',
    ]);
    const ready = done.outbox.at(-1)!.data as Record<string, unknown>;
    expect(ready.ready_essays).to.have.length(1);
    expect(ready.validation_failures).to.deep.equal([
      {
        file_upload_id: 'file-2',
        original_file_name: 'empty.txt',
        error_code: 'EMPTY_CONTENT',
        message: 'The file contains no text.',
      },
    ]);
    expect(ready.total_files_processed).to.equal(2);
    expect(await view(b)).to.include({
      status: 'ready',
      ready_count: 1,
      failed_count: 1,
      received_count_from_uploads: 2,
    });
    // the same upload again (a retried parent) changes nothing and emits nothing new; it answers
    // with what the outbox still holds, so a retry publishes what a crashed attempt left
    const again = await apply(b, 'u1', [content(1), empty(2)]);
    expect(again.detail).to.equal('applied:0,0,0,2');
    expect(again.completed).to.equal(null);
    expect(again.outbox).to.deep.equal(done.outbox);
    expect(await view(b)).to.include({ ready_count: 1, failed_count: 1 });
  });

  it('applies an upload holding a part the API refused (no bytes, raw_storage_id null)', async () => {
    const b = await registered(2);
    const refused: File = {
      file_upload_id: 'file-2',
      original_file_name: 'huge.txt',
      raw_storage_id: null as unknown as string,
      outcome: { kind: 'failure', error_code: 'FILE_TOO_LARGE', message: 'Too large.' },
    };
    const done = await apply(b, 'u1', [content(1), refused]);
    expect(done.completed).to.equal('ready');
    expect((await view(b)).validation_failures).to.deep.include({
      file_upload_id: 'file-2',
      original_file_name: 'huge.txt',
      error_code: 'FILE_TOO_LARGE',
      message: 'Too large.',
    });
  });

  it('answers content without a slot as excess, with the reason', async () => {
    const b = await registered(1);
    const over = await apply(b, 'u1', [content(1), content(2)]);
    expect(over.detail).to.equal('applied:1,0,1,0;ready');
    const late = await apply(b, 'u2', [content(3)]);
    expect(late.detail).to.equal('applied:0,0,1,0');
    const unknown = await apply(randomUUID(), 'u9', [content(4)]);
    expect(unknown.detail).to.equal('applied:0,0,1,0');
    expect((await view(b)).excess.map((x) => x.reason).sort()).to.deep.equal([
      'BATCH_ALREADY_COMPLETED',
      'NO_AVAILABLE_SLOT',
    ]);
  });

  it('waits for every announced upload, and for the files to fill the expected count', async () => {
    const b = await registered(2);
    await store.transitions.announce(b, 'u1', 1);
    await store.transitions.announce(b, 'u2', 1);
    expect((await apply(b, 'u1', [content(1)])).completed).to.equal(null);
    expect((await view(b)).status).to.equal('awaiting_content');
    expect((await apply(b, 'u2', [content(2)])).completed).to.equal('ready');
  });

  it('does not become ready while an accepted upload is still in flight', async () => {
    const b = await registered(1);
    await store.transitions.announce(b, 'u2', 1);
    await apply(b, 'u1', [content(1)]);
    expect((await view(b)).status).to.equal('awaiting_content');
    const last = await apply(b, 'u2', [content(2)]);
    expect(last.completed).to.equal('ready');
    expect((await view(b)).excess.map((x) => x.reason)).to.deep.equal(['NO_AVAILABLE_SLOT']);
  });

  it('ends an announced upload at its lease unless its flow exists; a flow that comes later still counts', async () => {
    const b = await registered(1);
    await store.transitions.announce(b, 'u1', 1);
    const kept = await store.transitions.expireLease(b, 'u1', true, 'test');
    expect(kept.detail).to.equal('held');
    const gone = await store.transitions.expireLease(b, 'u1', false, 'no flow');
    expect(gone.detail).to.equal('abandoned');
    expect(types(gone.outbox)).to.deep.equal(['EssayUploadAbandonedV1']);
    expect(gone.outbox[0]!.data).to.include({ upload_id: 'u1', expected_count: 1 });
    expect(await redis.hget(batchKeys(prefix, b).meta, 'open_uploads')).to.equal('0');
    // the flow turns up after all: it is applied and counted, and open_uploads stays right
    const late = await apply(b, 'u1', [content(1)]);
    expect(late.completed).to.equal('ready');
    expect(await redis.hget(batchKeys(prefix, b).meta, 'open_uploads')).to.equal('0');
  });

  it('times out at its deadline with missing_n, or, while an upload is open, when that upload is applied', async () => {
    const short = await registered(3);
    await apply(short, 'u1', [content(1)]);
    const t = await store.transitions.deadline(short);
    expect(t.completed).to.equal('timed_out');
    expect(t.outbox.at(-1)!.data).to.include({ missing_n: 2, expected_count: 3, actual_count: 1 });

    const filling = await registered(2);
    await store.transitions.announce(filling, 'u1', 2);
    expect((await store.transitions.deadline(filling)).detail).to.equal('deferred');
    expect((await apply(filling, 'u1', [content(1), empty(2)])).completed).to.equal('ready');

    const underfilled = await registered(3);
    await store.transitions.announce(underfilled, 'u1', 1);
    await store.transitions.deadline(underfilled);
    const ended = await apply(underfilled, 'u1', [content(1)]);
    expect(ended.completed).to.equal('timed_out');
    expect(ended.outbox.at(-1)!.data).to.include({ missing_n: 2 });
  });

  it('gives a dead child PROCESSING_FAILED; a child reporting before its upload is applied changes nothing', async () => {
    const b = await registered(3);
    const early = await store.transitions.report(b, 'u1', content(2), { notice: 'file_processed' });
    expect(early.detail).to.equal('pending');
    expect(early.outbox).to.deep.equal([]);
    const done = await apply(b, 'u1', [content(1), dead(2), dead(3)]);
    expect(done.detail).to.equal('applied:1,2,0,0;ready');
    // the files that are PROCESSING_FAILED now have deaths to record
    expect(done.dead).to.deep.equal(['file-2', 'file-3']);
    // a retried parent finds them applied, and still names the deaths (records may be missing)
    expect((await apply(b, 'u1', [content(1), dead(2), dead(3)])).dead).to.deep.equal([
      'file-2',
      'file-3',
    ]);
    // the parent read its children again and found file-2 done: it replaces the dead letter
    const again = await apply(b, 'u1', [content(1), content(2), dead(3)]);
    expect(again.dead).to.deep.equal(['file-3']);
    expect(await view(b)).to.include({ ready_count: 2, failed_count: 1 });
  });

  it('a late child replaces its PROCESSING_FAILED: in a completed batch its essay is revived for the phases', async () => {
    const b = await registered(2);
    await apply(b, 'u1', [content(1), dead(2)]);
    expect((await view(b)).status).to.equal('ready');
    const late = await store.transitions.report(b, 'u1', content(2), { notice: 'x' });
    expect(late.detail).to.equal('late:ready');
    expect(types(late.outbox).slice(-2)).to.deep.equal([
      'EssayContentProvisionedV1',
      'BatchEssayRevivedV1',
    ]);
    expect(await view(b)).to.include({ ready_count: 2, failed_count: 0, status: 'ready' });
    // reported again (a replay): nothing changes
    const replay = await store.transitions.report(b, 'u1', content(2), { notice: 'x' });
    expect(replay.detail).to.equal('late:already');
    expect(await view(b)).to.include({ ready_count: 2, failed_count: 0 });

    // a retried file that fails validation replaces the dead letter's outcome with its own
    const c = await registered(2);
    await apply(c, 'u1', [content(1), dead(2)]);
    const failed = await store.transitions.report(c, 'u1', empty(2), { notice: 'x' });
    expect(failed.detail).to.equal('late:failed');
    expect((await view(c)).validation_failures.map((f) => f.error_code)).to.deep.equal([
      'EMPTY_CONTENT',
    ]);
    expect((await view(c)).failed_count).to.equal(1);
  });

  it('never decides readiness between the chunks of one upload', async () => {
    const n = APPLY_CHUNK + 10;
    const b = await registered(APPLY_CHUNK);
    // an abandoned upload (its lease ran out) whose flow came after all: not in open_uploads
    await store.transitions.announce(b, 'u1', n);
    await store.transitions.expireLease(b, 'u1', false, 'test');
    const files = Array.from({ length: n }, (_, i) => content(i));
    const chunks: string[] = [];
    const run = (store.transitions as any).run.bind(store.transitions);
    for (const [i, slice] of [files.slice(0, APPLY_CHUNK), files.slice(APPLY_CHUNK)].entries()) {
      const r = await run(b, 'apply', {
        upload_id: 'u1',
        expected_count: n,
        upload_ts: 'now',
        correlation_id: 'c',
        last: i === 1,
        files: slice,
      });
      chunks.push(r.completed);
    }
    expect(chunks).to.deep.equal([null, 'ready']);
  });

  it('a late report between two chunks of its upload revives its file', async () => {
    const b = await registered(3);
    await store.transitions.announce(b, 'u1', 3);
    const run = (store.transitions as any).run.bind(store.transitions);
    const upload = { upload_id: 'u1', expected_count: 3, upload_ts: 'now', correlation_id: 'c' };
    await run(b, 'apply', { ...upload, last: false, files: [dead(1)] });
    // file-1 was retried from the board and reports while the upload's last chunk is pending
    const late = await store.transitions.report(b, 'u1', content(1), { notice: 'x' });
    expect(late.detail).to.equal('late:ready');
    const last = await run(b, 'apply', { ...upload, last: true, files: [content(2), content(3)] });
    expect(last.completed).to.equal('ready');
    expect(await view(b)).to.include({ ready_count: 3, failed_count: 0 });
  });

  it('makes a batch of 9,000 essays ready (lists beyond what one Lua unpack takes)', async function () {
    this.timeout(60_000);
    const n = 9000;
    const b = await registered(n);
    const files = Array.from({ length: n }, (_, i) => content(i));
    const done = await apply(b, 'u1', files);
    expect(done.completed).to.equal('ready');
    expect((done.outbox.at(-1)!.data as any).ready_essays).to.have.length(n);
    const raws = done.outbox.map((e) => e.raw);
    const envelopes = done.outbox.map((e, i) => ({
      event_id: sha(i + 1),
      event_type: e.event_type,
      schema_version: 1 as const,
      event_timestamp: 'now',
      source: 'test',
      correlation_id: 'c',
      data: e.data as any,
    }));
    expect(await store.log.append(b, envelopes, raws)).to.equal(envelopes.length);
  });

  it('a completed spellcheck replaces a failed one, and the phase completes again', async () => {
    const b = await registered(1);
    await store.phases.include(b, 'spellcheck', 'e1', ['essay-1']);
    const failed = {
      status: 'failed' as const,
      corrections_made: 0,
      corrected_text_storage_id: null,
    };
    expect(await store.phases.record(b, 'spellcheck', 'e2', 'essay-1', failed)).to.equal(
      'completed',
    );
    const ok = {
      status: 'completed' as const,
      corrections_made: 1,
      corrected_text_storage_id: sha(9),
    };
    expect(await store.phases.record(b, 'spellcheck', 'e3', 'essay-1', ok)).to.equal('completed');
    const phase = (await store.view.phase(b, 'spellcheck')).view!;
    expect(phase).to.include({ succeeded: 1, failed: 0, outcome: 'COMPLETED_SUCCESSFULLY' });
    const outcomes = (await store.log.pendingOutbox(b))
      .filter((e) => e.event_type === 'BatchPhaseCompletedV1')
      .map((e) => e.outcome);
    expect(outcomes).to.deep.equal(['FAILED_CRITICALLY', 'COMPLETED_SUCCESSFULLY#2']);
    // and a failure after a success changes nothing
    expect(await store.phases.record(b, 'spellcheck', 'e4', 'essay-1', failed)).to.equal('noop');
  });

  it('applies a very large upload in chunks, and decides readiness after the last', async () => {
    const n = APPLY_CHUNK * 2 + 50;
    const b = await registered(n);
    const files = Array.from({ length: n }, (_, i) => content(i));
    const done = await apply(b, 'u1', files);
    expect(done.completed).to.equal('ready');
    expect(await view(b)).to.include({ ready_count: n, received_count_from_uploads: n });
  });

  it('never shortens the life registration gave a batch', async () => {
    const b = await registered(2);
    const k = batchKeys(prefix, b);
    const before = await redis.ttl(k.meta);
    expect(before).to.be.above(3600);
    await apply(b, 'u1', [content(1)]);
    expect(await redis.ttl(k.meta)).to.be.at.least(before - 5);
    // keys the change created live as long as the batch itself
    expect(await redis.ttl(k.essays)).to.be.at.least(before - 5);
  });

  it('never assigns a slot twice under concurrent writers', async () => {
    const b = await registered(20);
    const others = [0, 1].map(() => new Redis(redisServer.url));
    const stores = others.map((r) => createBatchStore(r, prefix, 3600));
    await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        stores[n % 2]!.transitions.applyUpload(
          b,
          { upload_id: `u${n}`, expected_count: 1, upload_ts: 'now', correlation_id: 'c' },
          [content(n)],
        ),
      ),
    );
    await Promise.all(others.map((r) => r.quit()));
    const v = await view(b);
    expect(v.essays).to.have.length(20);
    expect(new Set(v.essays.map((e) => e.essay_id)).size).to.equal(20);
    expect(v.excess).to.have.length(10);
    expect(v.status).to.equal('ready');
  });

  it('keeps the event log once per event id, and acks the outbox entries it came from', async () => {
    const b = await registered(1);
    const done = await apply(b, 'u1', [content(1)]);
    const envelope = {
      event_id: sha(7),
      event_type: 'BatchEssaysReadyV1' as const,
      schema_version: 1 as const,
      event_timestamp: new Date().toISOString(),
      source: 'test',
      correlation_id: 'c',
      data: { batch_id: b, ready_essays: [], validation_failures: [], total_files_processed: 0 },
    };
    const raws = done.outbox.map((e) => e.raw);
    expect(await store.log.append(b, [envelope, envelope], raws)).to.equal(1);
    expect(await store.log.append(b, [envelope], raws)).to.equal(0);
    expect(await store.log.events(b)).to.have.length(1);
    expect(await store.log.pendingOutbox(b)).to.deep.equal([]);
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
