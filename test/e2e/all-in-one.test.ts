import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/shared/redis-server.js';
import { ApiClient, essay } from '../helpers/api.js';
import { exitOf, spawnBin, waitForOutput } from '../helpers/processes.js';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/** The first reply line of one inline command sent without credentials. */
function redisAnswer(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(`${command}\r\n`));
    s.once('data', (d) => (s.destroy(), resolve(d.toString().split('\r\n')[0]!)));
    s.once('error', reject);
  });
}

describe('e2e: npm start (all-in-one with a private Redis)', function () {
  this.timeout(120_000);
  let dataDir: string;
  before(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-start-'))));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('serves, takes a TXT essay to ready, and on SIGTERM exits 0 leaving no redis-server', async () => {
    const port = await freePort();
    const fleet = spawnBin('start', [], {
      PORT: String(port),
      DATA_DIR: dataDir,
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    try {
      const [, redisPort] = await waitForOutput(
        fleet,
        /Redis\s+redis:\/\/:\*\*\*@127\.0\.0\.1:(\d+) \(private/,
      );
      // the banner comes once every process has said it is ready, and names only what is on
      const out = fleet.output();
      const bannerAt = out.indexOf('Essay intake fleet is running');
      for (const queue of ['essay.extract', 'batch.lifecycle', 'essay.spellcheck', 'essay.ocr'])
        expect(out.indexOf(`consuming ${queue}`), queue).to.be.within(0, bannerAt);
      expect(out.indexOf('web listening on')).to.be.within(0, bannerAt);
      expect(out.slice(bannerAt)).to.include('queue board').and.include('read-only, no login');
      expect(out).not.to.match(/redis:\/\/:[0-9a-f]{16,}@/); // the password is never printed

      const api = new ApiClient(`http://127.0.0.1:${port}`);
      const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
      const up = await api.upload(reg.batch_id, [{ name: 'essay.txt', content: essay('curl') }]);
      expect(up.status).to.equal(202);
      const batch = await api.waitForBatch(reg.batch_id);
      expect(batch.status).to.equal('ready');
      expect(fs.existsSync(path.join(dataDir, 'redis', 'appendonlydir'))).to.equal(true);

      // data at rest: the folders the fleet's user only, essays' bytes and text 0600
      const mode = (p: string) => fs.statSync(p).mode & 0o777;
      expect(mode(dataDir)).to.equal(0o700);
      expect(mode(path.join(dataDir, 'redis'))).to.equal(0o700);
      expect(mode(path.join(dataDir, 'blobs'))).to.equal(0o700);
      const blob = (id: string) => path.join(dataDir, 'blobs', id.slice(0, 2), id.slice(2, 4), id);
      expect(mode(blob(batch.essays[0].raw_storage_id))).to.equal(0o600);
      expect(mode(blob(batch.essays[0].text_storage_id))).to.equal(0o600);
      // the private Redis wants the password kept in DATA_DIR; without it, nothing
      const passwordFile = path.join(dataDir, 'redis-password');
      expect(mode(passwordFile)).to.equal(0o600);
      expect(await redisAnswer(Number(redisPort), 'KEYS *')).to.match(/^-NOAUTH/);
      const authed = new Redis(Number(redisPort), '127.0.0.1', {
        password: fs.readFileSync(passwordFile, 'utf8').trim(),
      });
      expect(await authed.ping()).to.equal('PONG');
      authed.disconnect();

      const started = Date.now();
      fleet.kill('SIGTERM');
      const { code } = await exitOf(fleet, 20_000);
      expect(code).to.equal(0);
      expect(Date.now() - started).to.be.below(15_000);
      expect(await portOpen(Number(redisPort))).to.equal(false);
    } finally {
      // a failed run still stops its private Redis (its own process group: SIGKILL would orphan it)
      if (fleet.exitCode === null && fleet.signalCode === null) {
        fleet.kill('SIGTERM');
        await exitOf(fleet, 20_000).catch(() => fleet.kill('SIGKILL'));
      }
    }
  });

  it('lists every configuration problem and exits 1', async () => {
    const child = spawnBin('api', [], {
      PORT: 'eighty',
      MAX_FILE_BYTES: '-5',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    const { code } = await exitOf(child);
    expect(code).to.equal(1);
    expect(child.output()).to.include('PORT').and.to.include('MAX_FILE_BYTES');
  });

  it('refuses to start the web or a worker without REDIS_URL, and a worker with an unknown role', async () => {
    const web = spawnBin('api', [], {});
    expect((await exitOf(web)).code).to.equal(1);
    expect(web.output()).to.include('REDIS_URL is not set');
    const worker = spawnBin('worker', ['--queues', 'nonsense'], {
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    expect((await exitOf(worker)).code).to.equal(1);
    expect(worker.output()).to.include('unknown queue or role "nonsense"');
  });
});
