import { expect } from 'chai';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BlobNotFoundError, FsBlobStore } from '../../src/shared/blob-store.js';
import { createBlobStore } from '../../src/shared/blob-store-factory.js';
import { loadConfig } from '../../src/shared/config.js';
import { S3BlobStore, s3BlobStoreFromConfig } from '../../src/shared/s3-blob-store.js';
import { useS3 } from '../helpers/s3.js';

const MiB = 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `total` bytes made on the fly in 64 KiB chunks (never held whole), optionally breaking after `failAt`. */
function generated(total: number, opts: { failAt?: number } = {}) {
  const hash = createHash('sha256');
  let sent = 0;
  const stream = new Readable({
    read() {
      if (opts.failAt !== undefined && sent >= opts.failAt) {
        this.destroy(new Error('client went away'));
        return;
      }
      if (sent >= total) {
        this.push(null);
        return;
      }
      const chunk = Buffer.alloc(Math.min(64 * 1024, total - sent), (sent / 65536) % 251);
      chunk.writeUInt32BE(sent, 0);
      hash.update(chunk);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

describe('S3BlobStore (s3rver through the AWS SDK)', () => {
  const s3 = useS3();
  let client: S3Client;
  let store: S3BlobStore;
  const commands: string[] = [];

  before(() => {
    client = s3BlobStoreFromConfig(loadConfig(s3.env)).client;
    // records every request the SDK sends, to prove the multipart path was taken
    client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
  });
  after(() => client.destroy());
  beforeEach(() => {
    // a fresh prefix per test: listings see only that test's objects
    store = new S3BlobStore({
      client,
      bucket: s3.bucket,
      prefix: `t-${randomUUID()}/`,
      partSize: 8 * MiB,
    });
    commands.length = 0;
  });

  async function keys(under: string): Promise<string[]> {
    const res = await client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${store.prefix}${under}` }),
    );
    return (res.Contents ?? []).map((o) => o.Key!);
  }

  it('streams a multipart upload to a temporary key and makes it visible under its sha256 on commit', async () => {
    const source = generated(20 * MiB);
    const staged = await store.stage(source.stream);
    expect(staged.id).to.equal(source.digest());
    expect(staged.size).to.equal(20 * MiB);
    expect(commands.filter((c) => c === 'UploadPartCommand')).to.have.length(3);
    expect(commands).to.include('CompleteMultipartUploadCommand');

    expect(await store.exists(staged.id)).to.equal(false);
    expect(await keys('blobs/')).to.deep.equal([]);
    expect(await keys('tmp/')).to.have.length(1);

    await staged.commit();
    await staged.commit();
    await staged.discard();
    const id = staged.id;
    expect(await keys('blobs/')).to.deep.equal([
      `${store.prefix}blobs/${id.slice(0, 2)}/${id.slice(2, 4)}/${id}`,
    ]);
    expect(await keys('tmp/')).to.deep.equal([]);
    expect(await store.exists(id)).to.equal(true);
    expect(sha256(await store.get(id))).to.equal(id);
    expect(sha256(await buffer(store.openRead(id)))).to.equal(id);
  });

  it('commits bytes that are already stored by dropping the temporary copy', async () => {
    const bytes = Buffer.from('Åsa skriver en uppsats – “citat”');
    const id = await store.put(bytes);
    const staged = await store.stage(Readable.from([bytes]));
    expect(staged.id).to.equal(id);
    commands.length = 0;
    await staged.commit();
    expect(commands).to.not.include('CopyObjectCommand');
    expect(await keys('blobs/')).to.have.length(1);
    expect(await keys('tmp/')).to.deep.equal([]);
    expect((await store.get(id)).equals(bytes)).to.equal(true);
  });

  it('leaves no temporary object behind on discard', async () => {
    const staged = await store.stage(Readable.from([Buffer.from('abc')]));
    expect(await keys('tmp/')).to.have.length(1);
    await staged.discard();
    await staged.discard();
    await staged.commit();
    expect(await keys('tmp/')).to.deep.equal([]);
    expect(await store.exists(staged.id)).to.equal(false);
  });

  for (const [when, failAt] of [
    ['after some parts were uploaded', 18 * MiB],
    ['before the first part', 100 * 1024],
  ] as const) {
    it(`rejects with the source's error and leaves nothing when the source breaks ${when}`, async () => {
      const source = generated(20 * MiB, { failAt });
      let thrown: unknown;
      await store.stage(source.stream).catch((e) => (thrown = e));
      expect(thrown).to.be.instanceOf(Error);
      expect((thrown as Error).message).to.equal('client went away');
      expect(source.stream.destroyed).to.equal(true);
      expect(await keys('')).to.deep.equal([]);
      // the parts go with the multipart upload (s3rver answers AbortMultipartUpload 405: they stay in its folder)
      if (failAt > 8 * MiB) expect(commands).to.include('AbortMultipartUploadCommand');
      else expect(commands).to.not.include('CreateMultipartUploadCommand');
    });
  }

  it('puts idempotently: the same bytes give the same id and one object', async () => {
    const a = await store.put('ett två tre');
    const b = await store.put(Buffer.from('ett två tre'), { durable: false });
    expect(a).to.equal(sha256(Buffer.from('ett två tre')));
    expect(b).to.equal(a);
    expect(await keys('blobs/')).to.have.length(1);
    expect((await store.get(a)).toString('utf8')).to.equal('ett två tre');
  });

  it('answers a missing or invalid id with BlobNotFoundError, false, or an error on the stream', async () => {
    for (const id of [sha256(Buffer.from('never stored')), '../../etc/passwd', 'ABC']) {
      let thrown: unknown;
      await store.get(id).catch((e) => (thrown = e));
      expect(thrown, id).to.be.instanceOf(BlobNotFoundError);
      expect(await store.exists(id), id).to.equal(false);
      const stream = store.openRead(id);
      let streamed: unknown;
      await buffer(stream).catch((e) => (streamed = e));
      expect(streamed, id).to.be.instanceOf(BlobNotFoundError);
    }
  });

  it('sweeps temporary objects older than a cutoff', async () => {
    await store.stage(Readable.from([Buffer.from('left behind by a crash')]));
    expect(await store.sweepTmp(Date.now() - 3600_000)).to.equal(0);
    expect(await store.sweepTmp(Date.now() + 60_000)).to.equal(1);
    expect(await keys('tmp/')).to.deep.equal([]);
  });

  it('createBlobStore picks the store BLOB_STORE names', async () => {
    const fromS3 = await createBlobStore(loadConfig(s3.env));
    // the factory imports the S3 store lazily; under tsx that is another instance of the module
    expect(fromS3.constructor.name).to.equal(S3BlobStore.name);
    expect((fromS3 as S3BlobStore).prefix).to.equal('essay-intake/');
    expect((fromS3 as S3BlobStore).bucket).to.equal(s3.bucket);
    const id = await fromS3.put('through the factory');
    expect((await fromS3.get(id)).toString()).to.equal('through the factory');
    await (fromS3 as S3BlobStore).close();

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blobs-'));
    try {
      const fromFs = await createBlobStore(loadConfig({ DATA_DIR: dir }));
      expect(fromFs).to.be.instanceOf(FsBlobStore);
      expect(fs.existsSync(path.join(dir, 'blobs', 'tmp'))).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start on a bucket that does not exist, naming it and the endpoint', async () => {
    let thrown: unknown;
    await createBlobStore(loadConfig({ ...s3.env, S3_BUCKET: 'no-such-bucket' })).catch(
      (e) => (thrown = e),
    );
    expect(thrown).to.be.instanceOf(Error);
    const message = (thrown as Error).message;
    expect(message).to.include('"no-such-bucket"');
    expect(message).to.include(s3.endpoint);
    expect(message).to.include('no such bucket');
  });
});
