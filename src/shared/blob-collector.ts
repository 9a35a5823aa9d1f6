import type { Redis } from 'ioredis';
import type { BlobClaims } from './blob-claims.js';
import type { BlobStore, StorageId } from './blob-store.js';
import { scanKeys } from './redis.js';

const BLOB_ID = /[0-9a-f]{64}/g;

/**
 * Every blob id the fleet's Redis names under these key patterns: each 64-hex string in their
 * hashes (a batch's files, essays, phase results, pending reports; a job's data and return value;
 * a flow parent's children's values) and lists (an outbox). Event ids look the same, so a few
 * more ids come back than are blobs: that only keeps, never loses.
 */
export async function blobsNamedInRedis(redis: Redis, patterns: string[]): Promise<Set<string>> {
  const named = new Set<string>();
  const note = (values: string[]) => {
    for (const v of values) for (const m of v.matchAll(BLOB_ID)) named.add(m[0]);
  };
  for (const pattern of patterns) {
    let page: string[] = [];
    const read = async () => {
      // one page of keys at a time, its commands in flight together
      const types = await Promise.all(page.map((k) => redis.type(k)));
      const values = await Promise.all(
        page.map((k, i) =>
          types[i] === 'hash'
            ? redis.hvals(k)
            : types[i] === 'list' && k.endsWith(':outbox')
              ? redis.lrange(k, 0, -1)
              : Promise.resolve([]),
        ),
      );
      values.forEach(note);
      page = [];
    };
    for await (const key of scanKeys(redis, pattern)) {
      page.push(key);
      if (page.length >= 500) await read();
    }
    await read();
  }
  return named;
}

export interface CollectOptions {
  store: BlobStore;
  claims: BlobClaims;
  /** What batches and jobs name now (read before the store is listed). */
  named: Set<string>;
  /** Blobs written since this are left alone (ms since the epoch). */
  cutoff: number;
}

/**
 * Deletes each stored blob older than the cutoff that nothing names, under the claims' lock (so
 * an upload storing the same bytes now either keeps it or stores it again after), and the staging
 * leftovers of crashed writers.
 */
export async function collectBlobs(
  opts: CollectOptions,
): Promise<{ examined: number; deleted: number; staging: number }> {
  let examined = 0;
  let deleted = 0;
  for await (const blob of opts.store.list()) {
    examined++;
    if (blob.modifiedAt >= opts.cutoff || opts.named.has(blob.id)) continue;
    if (!(await opts.claims.lockForDeletion(blob.id as StorageId))) continue;
    try {
      await opts.store.remove(blob.id);
      deleted++;
    } finally {
      await opts.claims.unlock(blob.id);
    }
  }
  return { examined, deleted, staging: await opts.store.sweepStaging(opts.cutoff) };
}
