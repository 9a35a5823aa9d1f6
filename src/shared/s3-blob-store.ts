import { createHash, randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  BlobNotFoundError,
  isStorageId,
  type BlobStore,
  type StagedBlob,
  type StorageId,
  hashingTap,
  stagedBlob,
} from './blob-store.js';
import type { Config } from './config.js';

export interface S3BlobStoreOptions {
  client: S3Client;
  bucket: string;
  /** Prefix of every key of this store, usually ending in `/`. Default: none. */
  prefix?: string;
  /** Bytes per part of a staged upload; S3 wants at least 5 MiB. Default: 5 MiB. */
  partSize?: number;
  /** Parts of one staged upload in flight at once (memory: about (queueSize + 1) × partSize). Default: 1. */
  queueSize?: number;
}

const MiB = 1024 * 1024;
const STALE_TMP_MS = 3600_000;

/**
 * Blobs in an S3-compatible bucket (AWS S3, MinIO, R2, Ceph) under `<prefix>blobs/ab/cd/<sha256>`.
 * Staged bytes stream to `<prefix>tmp/<uuid>` (multipart, hashed on the way) and are copied under
 * their id on commit: a reader sees an object whole or not at all, and the same bytes always land
 * on the same key. Incomplete multipart uploads a crash leaves behind are the bucket's business:
 * give it a lifecycle rule that aborts them after a day.
 */
export class S3BlobStore implements BlobStore {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(opts: S3BlobStoreOptions) {
    this.client = opts.client;
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? '';
    // ~10 MiB held per upload in flight: the web process's memory stays flat under many uploads
    this.partSize = opts.partSize ?? 5 * MiB;
    this.queueSize = opts.queueSize ?? 1;
  }

  /** Checks the bucket answers, and sweeps temporary objects a crash left behind (older than an hour). */
  async init(): Promise<this> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      const status = (err as Partial<S3ServiceException> | undefined)?.$metadata?.httpStatusCode;
      const why =
        status === 404 ? 'no such bucket' : status === 403 ? 'access denied' : explain(err);
      throw new Error(
        `S3 bucket "${this.bucket}" at ${await this.endpointName()} is not usable (${why}); ` +
          'check S3_BUCKET, S3_ENDPOINT, S3_REGION and the credentials (the bucket is not created for you)',
        { cause: err },
      );
    }
    await this.sweepTmp(Date.now() - STALE_TMP_MS);
    return this;
  }

  /** The key of a blob; an id that is not a sha256 is a blob that cannot exist. */
  keyOf(id: StorageId): string {
    if (!isStorageId(id)) throw new BlobNotFoundError(String(id).slice(0, 80));
    return `${this.prefix}blobs/${id.slice(0, 2)}/${id.slice(2, 4)}/${id}`;
  }

  get tmpPrefix(): string {
    return `${this.prefix}tmp/`;
  }

  async stage(source: Readable): Promise<StagedBlob> {
    const tmp = `${this.tmpPrefix}${randomUUID()}`;
    const { tap, digest, size } = hashingTap();
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: tmp, Body: tap },
      partSize: this.partSize,
      queueSize: this.queueSize,
    });
    // pipeline carries a source error into `tap`, where the upload's reader sees it
    const piped = pipeline(source, tap).then(
      () => undefined,
      (err: unknown) => err,
    );
    try {
      await upload.done();
    } catch (err) {
      tap.destroy(err as Error); // the upload stopped reading: stop the source too
      const sourceError = await piped;
      // the upload aborted its multipart parts; a single-part put may still have landed
      await this.deleteQuietly(tmp);
      throw sourceError ?? err;
    }
    const sourceError = await piped;
    if (sourceError) {
      await this.deleteQuietly(tmp);
      throw sourceError;
    }
    const id = digest();
    return stagedBlob(
      id,
      size(),
      () => this.moveIntoPlace(tmp, id),
      () => this.delete(tmp),
    );
  }

  /** `durable` means nothing here: an object S3 acknowledged is durable. */
  async put(bytes: Uint8Array | string, _opts: { durable?: boolean } = {}): Promise<StorageId> {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
    const id = createHash('sha256').update(buf).digest('hex');
    if (await this.exists(id)) return id;
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.keyOf(id), Body: buf }),
    );
    return id;
  }

  async get(id: StorageId): Promise<Buffer> {
    try {
      const res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(id) }),
      );
      if (!res.Body) throw new Error(`S3 answered GetObject of blob ${id} without a body`);
      const bytes = await res.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(id);
      throw err;
    }
  }

  async exists(id: StorageId): Promise<boolean> {
    if (!isStorageId(id)) return false;
    return this.has(this.keyOf(id));
  }

  /** Returns at once; the object's bytes (or its error, such as BlobNotFoundError) follow on the stream. */
  openRead(id: StorageId): Readable {
    const out = new PassThrough();
    const abort = new AbortController();
    out.once('close', () => abort.abort());
    const fail = (err: unknown) => {
      if (!out.destroyed) out.destroy(isNotFound(err) ? new BlobNotFoundError(id) : (err as Error));
    };
    let key: string;
    try {
      key = this.keyOf(id);
    } catch (err) {
      process.nextTick(fail, err);
      return out;
    }
    this.client
      .send(new GetObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal: abort.signal })
      .then((res) => {
        if (!(res.Body instanceof Readable))
          throw new Error(`S3 answered blob ${id} without a stream`);
        if (out.destroyed) return void res.Body.destroy();
        // pipeline ends `out` with the body, or destroys both on either side's error
        return pipeline(res.Body, out);
      })
      .catch(fail);
    return out;
  }

  /** Deletes temporary objects last modified before `cutoff` (ms since the epoch). */
  async sweepTmp(cutoff: number): Promise<number> {
    let swept = 0;
    for await (const obj of this.objects(this.tmpPrefix)) {
      if (obj.modifiedAt < cutoff) {
        await this.delete(obj.key);
        swept++;
      }
    }
    return swept;
  }

  sweepStaging(cutoff: number): Promise<number> {
    return this.sweepTmp(cutoff);
  }

  async *list(): AsyncGenerator<{ id: StorageId; modifiedAt: number }> {
    for await (const obj of this.objects(this.prefix)) {
      const id = obj.key.slice(obj.key.lastIndexOf('/') + 1);
      if (isStorageId(id) && this.keyOf(id) === obj.key) yield { id, modifiedAt: obj.modifiedAt };
    }
  }

  async remove(id: StorageId): Promise<void> {
    await this.delete(this.keyOf(id));
  }

  /** Every object under a prefix, a page at a time. */
  private async *objects(prefix: string): AsyncGenerator<{ key: string; modifiedAt: number }> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const obj of page.Contents ?? [])
        if (obj.Key && obj.LastModified)
          yield { key: obj.Key, modifiedAt: obj.LastModified.getTime() };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Lets go of the client's sockets. */
  async close(): Promise<void> {
    this.client.destroy();
  }

  private async moveIntoPlace(tmp: string, id: StorageId): Promise<void> {
    const target = this.keyOf(id);
    // Same id means same bytes: an existing blob is already right, and copying over it is harmless.
    if (!(await this.has(target))) {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: target,
          CopySource: `${this.bucket}/${tmp.split('/').map(encodeURIComponent).join('/')}`,
        }),
      );
    }
    await this.delete(tmp);
  }

  private async has(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Clean-up on a path that is already failing: its own error must not hide the first one. */
  private async deleteQuietly(key: string): Promise<void> {
    await this.delete(key).catch(() => undefined);
  }

  private async endpointName(): Promise<string> {
    const endpoint = await this.client.config.endpoint?.();
    if (!endpoint) return `AWS S3 (region ${await this.client.config.region()})`;
    const port = endpoint.port ? `:${endpoint.port}` : '';
    return `${endpoint.protocol}//${endpoint.hostname}${port}${endpoint.path === '/' ? '' : endpoint.path}`;
  }
}

/** The S3 store of S3_BUCKET and the other S3_* settings. */
export function s3BlobStoreFromConfig(config: Config): S3BlobStore {
  if (!config.S3_BUCKET) throw new Error('BLOB_STORE=s3 needs S3_BUCKET');
  const credentials =
    config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
      ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
      : undefined;
  const client = new S3Client({
    region: config.S3_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    credentials,
    // a stalled connection fails the request (the job retries, the upload is answered) instead
    // of holding it, and BullMQ's renewed lock, for ever
    // (socketTimeout: a socket silent this long fails; requestTimeout alone only warns)
    requestHandler: {
      connectionTimeout: 5_000,
      socketTimeout: 60_000,
      requestTimeout: 300_000,
      throwOnRequestTimeout: true,
    },
    // checksums only where S3 demands them: several S3-compatible stores (older MinIO, Ceph)
    // refuse the SDK's default CRC32 headers; the content hash is checked by our own ids
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return new S3BlobStore({ client, bucket: config.S3_BUCKET, prefix: config.S3_KEY_PREFIX });
}

/** A missing object (GetObject: NoSuchKey; HeadObject: a bare 404), not a missing bucket. */
function isNotFound(err: unknown): boolean {
  const e = err as Partial<S3ServiceException> | null;
  if (!e || typeof e !== 'object' || e.name === 'NoSuchBucket') return false;
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

function explain(err: unknown): string {
  const e = err as Partial<S3ServiceException> | null;
  const status = e?.$metadata?.httpStatusCode;
  const name = e?.name && e.name !== 'Error' ? e.name : undefined;
  const message = e?.message && e.message !== 'UnknownError' ? e.message : undefined;
  return (
    [status ? `HTTP ${status}` : undefined, name, message].filter(Boolean).join(': ') || String(err)
  );
}
