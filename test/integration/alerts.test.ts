import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDebianPackage, runs } from '../../src/shared/system-packages.js';

const dir = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));

/** promtool comes with Debian's prometheus package; as root on Debian it is installed on first use. */
const ensurePromtool = () =>
  ensureDebianPackage({
    pkg: 'prometheus',
    present: () => runs('promtool'),
    missing: () =>
      new Error(
        'promtool is missing: install the Debian package "prometheus" (or Prometheus from prometheus.io)',
      ),
  });

describe('alert rules (promtool)', function () {
  this.timeout(300_000);
  before(ensurePromtool);

  const promtool = (...args: string[]) =>
    spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });

  it('pass promtool check rules and check config', () => {
    const rules = promtool('check', 'rules', 'alerts.yml');
    expect(rules.status, rules.stdout + rules.stderr).to.equal(0);
    const config = promtool('check', 'config', 'prometheus.yml');
    expect(config.status, config.stdout + config.stderr).to.equal(0);
  });

  it('scrape with METRICS_TOKEN: the commented authorization, uncommented, is a valid config', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'prom-auth-'));
    try {
      const token = path.join(tmp, 'essay-metrics-token');
      fs.writeFileSync(token, 'metrics-token-0123456789', { mode: 0o600 });
      const example = fs.readFileSync(path.join(dir, 'prometheus.yml'), 'utf8');
      const withAuth = example
        .replace(/^(\s*)# (authorization:| {2}type: Bearer| {2}credentials_file: )/gm, '$1$2')
        .replaceAll('/etc/prometheus/essay-metrics-token', token);
      expect(withAuth.match(/^\s+authorization:/gm)).to.have.length(5);
      fs.writeFileSync(path.join(tmp, 'prometheus.yml'), withAuth);
      fs.copyFileSync(path.join(dir, 'alerts.yml'), path.join(tmp, 'alerts.yml'));
      const config = spawnSync('promtool', ['check', 'config', 'prometheus.yml'], {
        cwd: tmp,
        encoding: 'utf8',
      });
      expect(config.status, config.stdout + config.stderr).to.equal(0);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('pass their unit tests (promtool test rules)', () => {
    const tests = promtool('test', 'rules', 'alerts.test.yml');
    expect(tests.status, tests.stdout + tests.stderr).to.equal(0);
  });
});
