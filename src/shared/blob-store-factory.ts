import { FsBlobStore, type BlobStore } from './blob-store.js';
import type { Config } from './config.js';

/**
 * The blob store BLOB_STORE names, ready to use: `fs` under DATA_DIR/blobs (folders made, stale
 * temporary files swept), or `s3` in S3_BUCKET (bucket checked reachable, stale temporary objects
 * swept). Fails with a message naming the setting to fix.
 */
export async function createBlobStore(config: Config): Promise<BlobStore> {
  switch (config.BLOB_STORE) {
    case 'fs':
      return new FsBlobStore(`${config.DATA_DIR}/blobs`).init();
    case 's3': {
      // loaded only here: the AWS SDK adds ~10 MB of resident memory to every process that loads it
      const { s3BlobStoreFromConfig } = await import('./s3-blob-store.js');
      const store = s3BlobStoreFromConfig(config);
      try {
        return await store.init();
      } catch (err) {
        store.close();
        throw err;
      }
    }
  }
}
