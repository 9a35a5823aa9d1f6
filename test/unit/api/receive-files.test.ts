import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { expect } from 'chai';
import express from 'express';
import { receiveFiles } from '../../../src/api/upload/receive-files.js';
import { stagedBlob, type BlobStore } from '../../../src/shared/blob-store.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * A store on a stalled disk: each write reads its bytes at once, then waits until the test
 * releases it (or fails, for the writes `failing` names by their order).
 */
function stalledStore(failing: number[] = []) {
  const state = { staging: 0, most: 0, calls: 0, stalled: [] as (() => void)[] };
  const store = {
    async stage(source: Readable) {
      const call = ++state.calls;
      state.staging++;
      state.most = Math.max(state.most, state.staging);
      try {
        source.resume();
        await new Promise((resolve) => source.once('end', resolve));
        if (failing.includes(call)) throw new Error('disk full');
        await new Promise<void>((resolve) => state.stalled.push(resolve));
        return stagedBlob(
          '0'.repeat(64),
          1,
          async () => undefined,
          async () => undefined,
        );
      } finally {
        state.staging--;
      }
    },
  } as unknown as BlobStore;
  return { store, state };
}

/** Sends one upload of `count` small files to receiveFiles; resolves when the body is read. */
async function upload(store: BlobStore, count: number) {
  let bodyRead!: () => void;
  const read = new Promise<void>((resolve) => (bodyRead = resolve));
  const app = express();
  app.post('/upload', (req, res) => {
    req.once('end', () => bodyRead());
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
  const form = new FormData();
  form.append('batch_id', randomUUID());
  for (let i = 0; i < count; i++) form.append('files', new Blob([`essay ${i}`]), `e${i}.txt`);
  const answer = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`, {
    method: 'POST',
    body: form,
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as unknown }));
  answer.catch(() => undefined); // awaited by the test
  // the request is small: every part is parsed once its body is read
  await Promise.race([read, answer]);
  return { answer, close: () => server.close() };
}

describe('receiveFiles: staging on a slow disk', () => {
  it('writes at most 4 files of one request at once, and still receives them all', async () => {
    const { store, state } = stalledStore();
    const { answer, close } = await upload(store, 10);
    try {
      await waitFor('4 writes stalled', () => state.stalled.length === 4, 5_000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(state.stalled.length).to.equal(4); // not more, with every part parsed
      // the disk catches up one write at a time
      for (let released = 0; released < 10; released++) {
        await waitFor('a write to release', () => state.stalled.length > 0, 5_000);
        state.stalled.shift()!();
      }
      expect(await answer).to.deep.equal({ status: 200, body: { files: 10 } });
      expect(state.most).to.equal(4);
    } finally {
      close();
    }
  });

  it('writes none of the waiting files once the request has failed', async () => {
    const { store, state } = stalledStore([1]);
    const { answer, close } = await upload(store, 10);
    try {
      // the first write fails while 3 others are under way and 6 parts wait for a slot
      await waitFor('3 writes stalled', () => state.stalled.length === 3, 5_000);
      for (const release of state.stalled.splice(0)) release();
      const res = await answer;
      expect(res.status).to.equal(500);
      expect(res.body).to.deep.equal({ error: 'disk full' });
      expect(state.calls).to.equal(4);
    } finally {
      close();
    }
  });
});
