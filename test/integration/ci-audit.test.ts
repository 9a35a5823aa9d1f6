import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../helpers/processes.js';

/**
 * .ci/audit against an `npm` that answers as the registry would: a missing advisory service
 * must read as "no audit ran", never as a clean audit, and must not stop CI; a finding must.
 */
function audit(npmOutput: string, npmExit: number): Promise<{ code: number; output: string }> {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-npm-'));
  fs.writeFileSync(
    path.join(bin, 'npm'),
    `#!/bin/sh\ncat <<'OUT'\n${npmOutput}\nOUT\nexit ${npmExit}\n`,
    {
      mode: 0o755,
    },
  );
  return new Promise((resolve) => {
    execFile(
      'bash',
      [path.join(repoRoot, '.ci/audit')],
      { env: { PATH: `${bin}:${process.env.PATH}` } },
      (err, stdout, stderr) => {
        fs.rmSync(bin, { recursive: true, force: true });
        resolve({ code: err ? Number(err.code) : 0, output: stdout + stderr });
      },
    );
  });
}

describe('.ci/audit', () => {
  it('says plainly that no audit ran when the advisory service cannot be reached, and lets CI go on', async () => {
    for (const npm of [
      'npm warn audit 405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk\nnpm error audit endpoint returned an error',
      'npm error code ENOTFOUND\nnpm error request to https://registry.example/-/npm/v1/security/advisories/bulk failed, reason: getaddrinfo ENOTFOUND registry.example',
    ]) {
      const { code, output } = await audit(npm, 1);
      expect(code, npm).to.equal(0);
      expect(output, npm).to.match(/NO DEPENDENCY AUDIT RAN/);
      expect(output, npm).to.match(/this is not a pass/);
      expect(output, npm).not.to.match(/npm audit ran/);
    }
  });

  it('fails on a high finding, and says a clean audit ran', async () => {
    const found = await audit(
      '# npm audit report\n\nsome-lib  <1.2.3\nSeverity: high\n\n1 high severity vulnerability',
      1,
    );
    expect(found.code).to.equal(1);
    expect(found.output).not.to.match(/NO DEPENDENCY AUDIT RAN/);
    const clean = await audit('found 0 vulnerabilities', 0);
    expect(clean.code).to.equal(0);
    expect(clean.output).to.match(/npm audit ran: no high or critical finding/);
  });
});
