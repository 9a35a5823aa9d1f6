import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobStore, StagedBlob, StorageId } from './blob-store.js';
import { InfrastructureError } from './errors.js';
import { blobKeys } from './keys.js';
import type { Redis } from 'ioredis';

/**
 * A writer's claim on blob <id> (it stores it, or just has: in use until a job or batch names
 * it) and the collector's deletion lock stand against each other like two flags: each side sets
 * its own key first, then looks at the other's. Redis orders the four commands, so at least one
 * side sees the other: the collector then leaves the blob, or the writer waits until the
 * deletion is over and stores the bytes anew.
 */
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
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** How long a claim keeps a blob: enough for whatever stored it to name it (a job, a batch). */
    private readonly claimMs: number,
  ) {}

  async claim(id: StorageId): Promise<void> {
    const k = blobKeys(this.prefix, id);
    const deadline = Date.now() + DELETE_LOCK_MS;
    // both commands go out together (one round trip); the claim is first
    const [, deleting] = await Promise.all([
      this.redis.set(k.claim, '1', 'PX', this.claimMs),
      this.redis.exists(k.deleting),
    ]);
    if (deleting === 0) return;
    // a deletion is under way: it ends with the lock, and then the bytes are stored anew
    while ((await this.redis.exists(k.deleting)) === 1) {
      if (Date.now() > deadline)
        throw new InfrastructureError(`blob ${id} stayed locked for deletion`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The collector's lock on one blob; false when a writer holds a claim on it. */
  async lockForDeletion(id: StorageId): Promise<boolean> {
    const k = blobKeys(this.prefix, id);
    if ((await this.redis.set(k.deleting, '1', 'PX', DELETE_LOCK_MS, 'NX')) === null) return false;
    if ((await this.redis.exists(k.claim)) === 0) return true;
    await this.unlock(id);
    return false;
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
