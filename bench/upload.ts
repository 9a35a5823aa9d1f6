// Upload: MB/s of one large batch streamed to the web process, against a bare busboy-to-disk
// handler in the same run; and the web process's peak resident memory while 1 GB streams in.
//   npm run bench:upload [-- --quick]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stopChild } from '../src/shared/redis-server.js';
import { sampleMemory } from '../test/helpers/memory.js';
import { repoRoot, waitForOutput } from '../test/helpers/processes.js';
import { registerBatch } from './lib/client.js';
import { startBenchFleet } from './lib/fleet.js';
import { markdownTable, writeReport } from './lib/report.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
    profile: { type: 'string' },
  },
});
const fileBytes = 8 * 2 ** 20;
const batchFiles = args.quick ? 6 : 25; // 48 MB or 200 MB
const bigFiles = args.quick ? 32 : 128; // 256 MB or 1 GB
const MB = 2 ** 20;

/** One 8 MB essay-like text, sent as every file (generated once, streamed many times). */
const chunk = Buffer.from('An essay about rivers and the history of school evidence. '.repeat(8));
const fileBody = Buffer.alloc(fileBytes, chunk);

/** A multipart body streamed from memory: `batch_id`, then `count` files of `fileBody`. */
function multipart(batchId: string, count: number): { body: ReadableStream; type: string } {
  const boundary = `bench${Date.now()}`;
  const parts = function* () {
    yield Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="batch_id"\r\n\r\n${batchId}\r\n`,
    );
    for (let i = 0; i < count; i++) {
      yield Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="files"; filename="essay-${i}.txt"\r\ncontent-type: text/plain\r\n\r\n`,
      );
      for (let off = 0; off < fileBytes; off += 256 * 1024)
        yield fileBody.subarray(off, off + 256 * 1024);
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  };
  const it = parts();
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: new ReadableStream({
      pull(controller) {
        const next = it.next();
        if (next.done) controller.close();
        else controller.enqueue(new Uint8Array(next.value));
      },
    }),
  };
}

async function upload(url: string, batchId: string, count: number): Promise<number> {
  const { body, type } = multipart(batchId, count);
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': type },
    duplex: 'half',
  } as RequestInit);
  const text = await res.text();
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${text.slice(0, 300)}`);
  return (count * fileBytes) / MB / ((performance.now() - started) / 1000);
}

/** Peak resident memory of `pid` while `work` runs (sampled every 10 ms). */
async function peakRss<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; peakMb: number }> {
  const memory = sampleMemory(pid);
  try {
    const result = await work();
    return { result, peakMb: memory.stop().self / MB };
  } finally {
    memory.stop(); // also when `work` fails
  }
}

// the bare handler, in its own process like the web process
const bareDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bare-upload-'));
const bare = spawn(
  process.execPath,
  ['--import', 'tsx', path.join(repoRoot, 'bench/lib/bare-upload-server.ts'), bareDir],
  { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
);
let bareOut = '';
bare.stdout.on('data', (c: Buffer) => (bareOut += c.toString()));
const [, barePort] = await waitForOutput(
  Object.assign(bare, { output: () => bareOut }),
  /listening on (\d+)/,
);
const bareUrl = `http://127.0.0.1:${barePort}/`;

const fleet = await startBenchFleet(
  ['web'],
  {
    MAX_FILES_PER_REQUEST: String(bigFiles),
    MAX_EXPECTED_ESSAYS: String(bigFiles),
    MAX_REQUEST_BYTES: String(2 * 2 ** 30),
  },
  args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [],
);
const register = (count: number) => registerBatch(fleet.url, count);
const fleetUrl = `${fleet.url}/v1/files/batch`;

try {
  // warm-up, then rounds of bare, bare with fsync, fleet; each path's fastest run counts
  await upload(bareUrl, 'x', 2);
  await upload(fleetUrl, await register(2), 2);
  const rates = { bare: [] as number[], bareFsync: [] as number[], fleet: [] as number[] };
  for (let round = 0; round < (args.quick ? 1 : 3); round++) {
    rates.bare.push(await upload(bareUrl, 'x', batchFiles));
    rates.bareFsync.push(await upload(`${bareUrl}?fsync=1`, 'x', batchFiles));
    rates.fleet.push(await upload(fleetUrl, await register(batchFiles), batchFiles));
    fs.rmSync(bareDir, { recursive: true, force: true });
    fs.mkdirSync(bareDir);
  }
  const bareBig = await peakRss(bare.pid!, () => upload(bareUrl, 'x', bigFiles));
  const fleetBig = await peakRss(fleet.pid('web'), async () =>
    upload(fleetUrl, await register(bigFiles), bigFiles),
  );
  const best = (r: number[]) => Math.max(...r);
  const ratio = best(rates.fleet) / best(rates.bare);
  writeReport(
    'upload',
    'Upload: one large batch streamed to the web process, against a bare busboy-to-disk handler',
    markdownTable(
      [
        'path',
        `${(batchFiles * fileBytes) / MB} MB batch, MB/s`,
        'ratio',
        `peak RSS during ${(bigFiles * fileBytes) / MB} MB, MB`,
      ],
      [
        [
          'bare busboy → disk (baseline)',
          best(rates.bare).toFixed(0),
          '1.00',
          bareBig.peakMb.toFixed(0),
        ],
        [
          'bare busboy → disk, fsync per file',
          best(rates.bareFsync).toFixed(0),
          (best(rates.bareFsync) / best(rates.bare)).toFixed(2),
          '',
        ],
        [
          'web process (`POST /v1/files/batch`)',
          best(rates.fleet).toFixed(0),
          ratio.toFixed(2),
          fleetBig.peakMb.toFixed(0),
        ],
      ],
    ) +
      `\n\n${batchFiles} files of 8 MB in one request (fastest of ${rates.bare.length} alternating runs each), then ${bigFiles} files in one request with the process's VmRSS sampled every 20 ms. ` +
      `The web process stages each file in the blob store while hashing it, fsyncs it, commits it atomically and queues its extract job (no workers run, so nothing else competes); the bare handler only writes (to the page cache), or writes and fsyncs. ` +
      `Targets: ratio ≥ 0.8 (against the bare handler), web RSS < 150 MB.`,
    {
      rates,
      ratio,
      ratioToFsyncingBare: best(rates.fleet) / best(rates.bareFsync),
      bareBigRate: bareBig.result,
      fleetBigRate: fleetBig.result,
      webPeakRssMb: fleetBig.peakMb,
      barePeakRssMb: bareBig.peakMb,
    },
  );
} finally {
  await fleet.stop();
  await stopChild(bare, 10_000);
  fs.rmSync(bareDir, { recursive: true, force: true });
}
