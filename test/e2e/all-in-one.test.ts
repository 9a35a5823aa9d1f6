import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
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
        /Redis\s+redis:\/\/127\.0\.0\.1:(\d+) \(private\)/,
      );
      const api = new ApiClient(`http://127.0.0.1:${port}`);
      const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
      const up = await api.upload(reg.batch_id, [{ name: 'essay.txt', content: essay('curl') }]);
      expect(up.status).to.equal(202);
      expect((await api.waitForBatch(reg.batch_id)).status).to.equal('ready');
      expect(fs.existsSync(path.join(dataDir, 'redis', 'appendonlydir'))).to.equal(true);

      const started = Date.now();
      fleet.kill('SIGTERM');
      const { code } = await exitOf(fleet, 20_000);
      expect(code).to.equal(0);
      expect(Date.now() - started).to.be.below(15_000);
      expect(await portOpen(Number(redisPort))).to.equal(false);
    } finally {
      if (fleet.exitCode === null) fleet.kill('SIGKILL');
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
