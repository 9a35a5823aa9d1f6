import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { ContentError } from '../../src/shared/errors.js';
import { SandboxPool, type SandboxOptions } from '../../src/workers/extract/sandbox/pool.js';
import { makePdf } from '../helpers/documents.js';

const limits = { maxPdfPages: 100_000, maxEntries: 500, maxInflatedBytes: 64 << 20, maxRatio: 200 };
const options = (o: Partial<SandboxOptions> = {}): SandboxOptions => ({
  size: 1,
  timeoutMs: 10_000,
  maxHeapMb: 256,
  maxRssMb: 448,
  limits,
  ...o,
});

function rssMb(pid: number): number {
  return (Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096) / 2 ** 20;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof ContentError ? err.code : `threw ${(err as Error).message}`;
  }
}

describe('extract: sandbox pool (real child processes)', function () {
  this.timeout(60_000);
  let slowPdf: Buffer;
  before(async () => {
    slowPdf = await makePdf(
      Array.from({ length: 1500 }, (_, i) => [`Page ${i} with a line of text.`]),
    );
  });

  it('extracts in a child, never in the calling process', async () => {
    const pool = new SandboxPool(options());
    try {
      await pool.warm();
      expect(pool.pids()).to.have.length(1);
      expect(pool.pids()[0]).to.not.equal(process.pid);
      const { format, text } = await pool.extract(
        await makePdf([['Hej från barnprocessen']]),
        'a.pdf',
      );
      expect(format).to.equal('pdf');
      expect(text).to.equal('Hej från barnprocessen');
    } finally {
      await pool.close();
    }
  });

  it('kills a file that runs past the time limit (TIMEOUT) and serves the next file', async () => {
    // 3,000 pages take seconds on any machine, a loaded one longer; a text file takes
    // milliseconds even there: a second between them holds either way
    const slower = await makePdf(
      Array.from({ length: 3000 }, (_, i) => [`Page ${i} with a line of text.`]),
    );
    const pool = new SandboxPool(options({ timeoutMs: 1000 }));
    try {
      await pool.warm();
      const before = pool.pids()[0];
      expect(await codeOf(pool.extract(slower, 'slow.pdf'))).to.equal('TIMEOUT');
      const { text } = await pool.extract(Buffer.from('Nästa fil går bra.'), 'next.txt');
      expect(text).to.equal('Nästa fil går bra.');
      expect(pool.pids()[0]).to.not.equal(before);
    } finally {
      await pool.close();
    }
  });

  it('kills a child that grows past the memory limit (CORRUPTED_FILE), and only such a child', async () => {
    // the cap must sit above what an idle child holds (~107 MB: node with its extractors
    // loaded), or it fails any file, and below what the 1,500-page PDF needs (~220 MB)
    const probe = new SandboxPool(options());
    let idleMb: number;
    try {
      await probe.warm();
      await probe.extract(await makePdf([['Uppvärmning.']]), 'warm.pdf');
      idleMb = rssMb(probe.pids()[0]!);
    } finally {
      await probe.close();
    }
    expect(idleMb).to.be.above(0);
    const pool = new SandboxPool(options({ maxRssMb: Math.ceil(idleMb) + 48 }));
    try {
      const small = await pool.extract(await makePdf([['Ett litet dokument går bra.']]), 'a.pdf');
      expect(small.text).to.equal('Ett litet dokument går bra.');
      expect(await codeOf(pool.extract(slowPdf, 'big.pdf'))).to.equal('CORRUPTED_FILE');
    } finally {
      await pool.close();
    }
  });

  it('does not let one slow file delay files in other children', async () => {
    const pool = new SandboxPool(options({ size: 2, timeoutMs: 60_000 }));
    try {
      await pool.warm();
      let slowDone = false;
      const slow = pool.extract(slowPdf, 'slow.pdf').finally(() => (slowDone = true));
      // a condition, not a time: the small file is through while the big one is still read
      const fast = await pool.extract(Buffer.from('Snabb fil.'), 'fast.txt');
      expect(fast.text).to.equal('Snabb fil.');
      expect(slowDone, 'the slow file still running').to.equal(false);
      await slow;
    } finally {
      await pool.close();
    }
  });
});

describe('extract: sandbox pool, a child killed from outside', function () {
  this.timeout(60_000);
  it('is an infrastructure failure (retried), not a verdict on the file', async () => {
    const slow = await makePdf(Array.from({ length: 1500 }, (_, i) => [`Page ${i}.`]));
    const pool = new SandboxPool(options());
    try {
      await pool.warm();
      const pending = pool.extract(slow, 'slow.pdf');
      process.kill(pool.pids()[0]!, 'SIGKILL');
      const outcome = await codeOf(pending);
      expect(outcome).to.match(/^threw sandbox child died/);
      // and the pool carries on with a new child
      expect(
        (await pool.extract(Buffer.from('Efter omstarten går det bra.'), 'a.txt')).text,
      ).to.equal('Efter omstarten går det bra.');
    } finally {
      await pool.close();
    }
  });
});
