import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobStore, StagedBlob, StorageId } from './blob-store.js';
import { InfrastructureError } from './errors.js';
import { blobKeys } from './keys.js';
import type { Redis } from 'ioredis';

/**
 * claim: a writer is about to store blob <id> (or has it already): it is in use until a job or
 * batch names it, and the collector must not delete it. Refused while the collector is deleting
 * that blob (the writer waits, then stores it again).
 * KEYS: 1 claim  2 deleting   ARGV: 1 the claim's life in ms
 * Returns 1 when claimed, 0 while a deletion is under way.
 *
 * lock: the collector's right to delete blob <id>, refused while a writer's claim is alive.
 * KEYS: 1 claim  2 deleting   ARGV: 1 the lock's life in ms
 * Returns 1 when locked, 0 otherwise.
 */
const claimLua = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return 1
`;
const lockLua = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
return redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) and 1 or 0
`;

type ScriptedRedis = Redis & {
  blobClaim(claim: string, deleting: string, ttlMs: number): Promise<number>;
  blobLock(claim: string, deleting: string, ttlMs: number): Promise<number>;
};

/** Longest a deletion holds its lock, and a writer waits for one. */
const DELETE_LOCK_MS = 30_000;

/**
 * The handshake between writers of content-addressed blobs and their collector: the same bytes
 * may be stored again at any moment (another upload of the same essay), so a blob nothing names
 * is deleted only under a lock no writer's claim stands against, and a writer claims before it
 * stores. Either the claim comes first (the collector leaves the blob), or the deletion does (the
 * writer waits for it to finish, then stores the bytes anew).
 */
export class BlobClaims {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    /** How long a claim keeps a blob: enough for whatever stored it to name it (a job, a batch). */
    private readonly claimMs: number,
  ) {
    redis.defineCommand('blobClaim', { numberOfKeys: 2, lua: claimLua });
    redis.defineCommand('blobLock', { numberOfKeys: 2, lua: lockLua });
    this.redis = redis as ScriptedRedis;
  }

  async claim(id: StorageId): Promise<void> {
    const k = blobKeys(this.prefix, id);
    const deadline = Date.now() + DELETE_LOCK_MS;
    while ((await this.redis.blobClaim(k.claim, k.deleting, this.claimMs)) === 0) {
      if (Date.now() > deadline)
        throw new InfrastructureError(`blob ${id} stayed locked for deletion`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The collector's lock on one blob; false when a writer holds a claim on it. */
  async lockForDeletion(id: StorageId): Promise<boolean> {
    const k = blobKeys(this.prefix, id);
    return (await this.redis.blobLock(k.claim, k.deleting, DELETE_LOCK_MS)) === 1;
  }

  async unlock(id: StorageId): Promise<void> {
    await this.redis.del(blobKeys(this.prefix, id).deleting);
  }
}

/** A blob store whose writes claim their blob first (see BlobClaims): what every writer uses. */
export function claimingBlobStore(store: BlobStore, claims: BlobClaims): BlobStore {
  return Object.assign(Object.create(store) as BlobStore, {
    async stage(source: Readable): Promise<StagedBlob> {
      const staged = await store.stage(source);
      return {
        ...staged,
        commit: async () => {
          await claims.claim(staged.id);
          await staged.commit();
        },
      };
    },
    async put(bytes: Uint8Array | string, opts?: { durable?: boolean }): Promise<StorageId> {
      const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
      await claims.claim(createHash('sha256').update(buf).digest('hex'));
      return store.put(buf, opts);
    },
  });
}
