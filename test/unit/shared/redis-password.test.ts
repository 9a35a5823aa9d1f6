import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { privateRedisPassword } from '../../../src/shared/redis-server.js';

describe('the private Redis password', () => {
  it('is made once (0600, in a 0700 DATA_DIR), then read; a loosened file is tightened', () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-pw-')), 'data');
    try {
      const first = privateRedisPassword(dataDir);
      expect(first.password).to.match(/^[0-9a-f]{64}$/);
      expect(fs.statSync(dataDir).mode & 0o777).to.equal(0o700);
      expect(fs.statSync(first.file).mode & 0o777).to.equal(0o600);
      fs.chmodSync(first.file, 0o644);
      expect(privateRedisPassword(dataDir).password).to.equal(first.password);
      expect(fs.statSync(first.file).mode & 0o777).to.equal(0o600);
    } finally {
      fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  });
});
