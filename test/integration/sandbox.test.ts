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
    const pool = new SandboxPool(options({ timeoutMs: 300 }));
    try {
      await pool.warm();
      const before = pool.pids()[0];
      const started = performance.now();
      expect(await codeOf(pool.extract(slowPdf, 'slow.pdf'))).to.equal('TIMEOUT');
      expect(performance.now() - started).to.be.below(3000);
      const { text } = await pool.extract(Buffer.from('Nästa fil går bra.'), 'next.txt');
      expect(text).to.equal('Nästa fil går bra.');
      expect(pool.pids()[0]).to.not.equal(before);
    } finally {
      await pool.close();
    }
  });

  it('kills a child that grows past the memory limit (CORRUPTED_FILE)', async () => {
    const pool = new SandboxPool(options({ maxRssMb: 64 }));
    try {
      expect(await codeOf(pool.extract(slowPdf, 'big.pdf'))).to.equal('CORRUPTED_FILE');
    } finally {
      await pool.close();
    }
  });

  it('does not let one slow file delay files in other children', async () => {
    const pool = new SandboxPool(options({ size: 2, timeoutMs: 20_000 }));
    try {
      await pool.warm();
      const slow = pool.extract(slowPdf, 'slow.pdf');
      const started = performance.now();
      await pool.extract(Buffer.from('Snabb fil.'), 'fast.txt');
      expect(performance.now() - started).to.be.below(1000);
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
