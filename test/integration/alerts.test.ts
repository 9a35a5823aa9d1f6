import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
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

  it('pass their unit tests (promtool test rules)', () => {
    const tests = promtool('test', 'rules', 'alerts.test.yml');
    expect(tests.status, tests.stdout + tests.stderr).to.equal(0);
  });
});
