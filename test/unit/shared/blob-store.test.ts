import { expect } from 'chai';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { BlobNotFoundError, FsBlobStore } from '../../../src/shared/blob-store.js';

describe('FsBlobStore', () => {
  let root: string;
  let store: FsBlobStore;
  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'blobs-'));
    store = await new FsBlobStore(root).init();
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('stores bytes under their sha256, and the same bytes under the same id', async () => {
    const bytes = Buffer.from('Åsa skriver en uppsats – “citat”');
    const a = await store.put(bytes);
    const b = await store.put(bytes);
    expect(a).to.equal(createHash('sha256').update(bytes).digest('hex'));
    expect(b).to.equal(a);
    expect((await store.get(a)).equals(bytes)).to.equal(true);
  });

  it('streams a staged blob, visible only after commit', async () => {
    const chunks = [Buffer.alloc(100_000, 1), Buffer.alloc(50_000, 2)];
    const staged = await store.stage(Readable.from(chunks));
    expect(staged.size).to.equal(150_000);
    expect(await store.exists(staged.id)).to.equal(false);
    await staged.commit();
    expect(await store.exists(staged.id)).to.equal(true);
    expect(fs.readdirSync(path.join(root, 'tmp'))).to.deep.equal([]);
  });

  it('leaves nothing behind when a staged blob is discarded or its stream breaks', async () => {
    const staged = await store.stage(Readable.from([Buffer.from('abc')]));
    await staged.discard();
    const broken = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('client went away'));
      },
    });
    let thrown: unknown;
    await store.stage(broken).catch((e) => (thrown = e));
    expect(thrown).to.be.instanceOf(Error);
    expect(fs.readdirSync(path.join(root, 'tmp'))).to.deep.equal([]);
    expect(await store.exists(staged.id)).to.equal(false);
  });

  it('never turns an id into a path outside the store', async () => {
    let thrown: unknown;
    await store.get('../../etc/passwd').catch((e) => (thrown = e));
    expect(thrown).to.be.instanceOf(BlobNotFoundError);
    expect(await store.exists('../x')).to.equal(false);
  });
});
