import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { expect } from 'chai';
import express from 'express';
import { receiveFiles } from '../../../src/api/upload/receive-files.js';
import { stagedBlob, type BlobStore } from '../../../src/shared/blob-store.js';

describe('receiveFiles: staging on a slow disk', () => {
  it('writes at most 4 files of one request at once, and still receives them all', async () => {
    // a store whose writes finish only when the test lets them: a disk that has stalled
    let staging = 0;
    let most = 0;
    const stalled: (() => void)[] = [];
    const store = {
      async stage(source: Readable) {
        staging++;
        most = Math.max(most, staging);
        source.resume(); // the bytes are read at once, the "fsync" waits
        await new Promise((resolve) => source.once('end', resolve));
        await new Promise<void>((resolve) => stalled.push(resolve));
        staging--;
        return stagedBlob(
          '0'.repeat(64),
          1,
          async () => undefined,
          async () => undefined,
        );
      },
    } as unknown as BlobStore;
    const batchId = randomUUID();
    const app = express();
    app.post('/upload', (req, res) => {
      receiveFiles(req, {
        blobs: store,
        maxFileBytes: 1024,
        maxFiles: 20,
        maxRequestBytes: 1 << 20,
        idleTimeoutMs: 10_000,
        batchCorrelation: async () => 'corr',
        onBytes: () => undefined,
      }).then(
        (r) => res.json({ files: r.files.length }),
        (err: Error) => res.status(500).json({ error: err.message }),
      );
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const form = new FormData();
      form.append('batch_id', batchId);
      for (let i = 0; i < 10; i++) form.append('files', new Blob([`essay ${i}`]), `e${i}.txt`);
      const answer = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`, {
        method: 'POST',
        body: form,
      });
      // once as many writes as may run have stalled, release one at a time, as the disk
      // catches up
      let released = 0;
      while (released < 10) {
        const deadline = Date.now() + 5_000;
        while (stalled.length < Math.min(4, 10 - released)) {
          if (Date.now() > deadline) throw new Error(`no write to release after ${released}`);
          await new Promise((resolve) => setImmediate(resolve));
        }
        stalled.shift()!();
        released++;
      }
      const res = await answer;
      expect(await res.json()).to.deep.equal({ files: 10 });
      expect(most).to.equal(4);
    } finally {
      server.close();
    }
  });
});
