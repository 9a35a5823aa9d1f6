import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { BlobClaims, claimingBlobStore } from '../../src/shared/blob-claims.js';
import { blobsNamedInRedis, collectBlobs } from '../../src/shared/blob-collector.js';
import { FsBlobStore } from '../../src/shared/blob-store.js';
import { blobKeys } from '../../src/shared/keys.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

/** The blob collector against the writers' claims, on a real Redis and a real disk. */
describe('blob collection (real Redis, fs store)', () => {
  const redisServer = useRedis();
  let redis: Redis;
  let dir: string;
  let raw: FsBlobStore;
  let claims: BlobClaims;
  const prefix = `t${Date.now()}`;

  beforeEach(async () => {
    redis = redisServer.track(new Redis(redisServer.url));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blobs-'));
    raw = await new FsBlobStore(dir).init();
    claims = new BlobClaims(redis, prefix, 60_000);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Makes a stored blob look `ms` old. */
  const age = (id: string, ms: number) => {
    const t = new Date(Date.now() - ms);
    fs.utimesSync(raw.pathOf(id), t, t);
  };
  const ids = async () => {
    const out: string[] = [];
    for await (const b of raw.list()) out.push(b.id);
    return out.sort();
  };

  it('keeps what a batch or a job names, what is young and what a writer claims; deletes the rest', async () => {
    const [named, byJob, young, claimed, orphan] = await Promise.all(
      ['named', 'by a job', 'young', 'claimed', 'orphan'].map((t) => raw.put(t)),
    );
    for (const id of [named!, byJob!, claimed!, orphan!]) age(id, 3600_000);
    await redis.hset(
      `${prefix}:batch:{b1}:essays`,
      'e1',
      JSON.stringify({ raw_storage_id: named }),
    );
    await redis.hset(
      `{${prefix}}:essay.extract:42`,
      'data',
      JSON.stringify({ raw_storage_id: byJob }),
    );
    await redis.set(blobKeys(prefix, claimed!).claim, '1');
    const seen = await blobsNamedInRedis(redis, [`${prefix}:batch:*`, `{${prefix}}:*`]);
    expect(seen.has(named!) && seen.has(byJob!)).to.equal(true);
    const result = await collectBlobs({
      store: raw,
      claims,
      named: seen,
      cutoff: Date.now() - 60_000,
    });
    expect(result).to.include({ examined: 5, deleted: 1 });
    expect(await ids()).to.deep.equal([named!, byJob!, young!, claimed!].sort());
    expect(orphan).to.not.be.oneOf(await ids());
  });

  it('an upload of the same bytes during a deletion waits for it, then stores them again', async () => {
    const store = claimingBlobStore(raw, claims);
    const id = await raw.put('an essay sent twice');
    age(id, 3600_000);
    // the collector has the lock: the writer's claim waits, the deletion goes through, and the
    // bytes are stored once more when the lock is gone
    expect(await claims.lockForDeletion(id)).to.equal(true);
    const staged = await store.stage(Readable.from([Buffer.from('an essay sent twice')]));
    const committing = staged.commit();
    // the writer has claimed (and, seeing the lock, must now wait) before the deletion runs
    await waitFor(
      'the writer to claim',
      async () => (await redis.exists(blobKeys(prefix, id).claim)) === 1,
    );
    await raw.remove(id);
    await claims.unlock(id);
    await committing;
    expect(await raw.exists(id)).to.equal(true);
    // and now it is claimed: the next round keeps it though nothing names it yet
    expect(await claims.lockForDeletion(id)).to.equal(false);
  });
});
