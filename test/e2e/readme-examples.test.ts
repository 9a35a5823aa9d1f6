import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../../src/shared/redis-server.js';
import { signatureHeader } from '../../src/shared/webhooks.js';
import { writeEssayFolder } from '../helpers/essay-folder.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { exitOf, repoRoot, spawnCaptured, waitForOutput } from '../helpers/processes.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

const tsxLoader = pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

/** The README's code blocks marked `<!-- example: name -->`, by name. */
function readmeExamples(): Record<string, string> {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const found: Record<string, string> = {};
  for (const m of readme.matchAll(/<!-- example: ([\w-]+) -->\n```\w+\n([\s\S]*?)```/g))
    found[m[1]!] = m[2]!;
  return found;
}

const run = (command: string, args: string[], cwd: string, env: Record<string, string>) =>
  spawnCaptured(command, args, { cwd, env });

describe('e2e: the README examples, as they stand', function () {
  this.timeout(120_000);
  const redis = useRedis();
  const examples = readmeExamples();
  const token = 'readme-token-0123456789';
  const secret = 'whsec_readme_0123456789abcdef';
  let fleet: TestFleet;
  let receiver: ReturnType<typeof run>;
  let receiverUrl: string;
  let dir: string;
  let env: Record<string, string>;

  before(async function () {
    this.timeout(60_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
    const port = await freePort();
    receiverUrl = `http://127.0.0.1:${port}/hooks/essays`;
    fs.writeFileSync(path.join(dir, 'receiver.mjs'), examples['webhook-receiver']!);
    receiver = run('node', ['receiver.mjs'], dir, { WEBHOOK_SECRET: secret, PORT: String(port) });
    await waitFor('the receiver to listen', () =>
      fetch(receiverUrl, { method: 'POST', body: '{}' }).then(
        (r) => r.status === 400,
        () => false,
      ),
    );
    fleet = redis.track(
      await startFleet(redis.url, {
        API_TOKENS: token,
        WEBHOOK_ENDPOINTS: JSON.stringify([{ url: receiverUrl, secret, events: ['*'] }]),
      }),
    );
    env = { ESSAY_INTAKE_URL: fleet.url, ESSAY_INTAKE_TOKEN: token };
  });
  after(async () => {
    receiver?.kill();
    if (receiver) await exitOf(receiver);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has the three examples', () => {
    expect(Object.keys(examples).sort()).to.deep.equal(['cli', 'http-sse', 'webhook-receiver']);
  });

  it('HTTP + SSE: the curl example registers, uploads and follows the stream to readiness', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'http-'));
    // no pipefail: curl ends on SIGPIPE once the loop has read what it waited for
    const shell = run('bash', ['-eu', '-c', examples['http-sse']!], cwd, env);
    const { code } = await exitOf(shell, 60_000);
    const { stdout, stderr } = shell.streams();
    expect(code, stderr).to.equal(0);
    const types = stdout.trim().split('\n');
    expect(types).to.include.members(['EssayContentProvisionedV1', 'EssayUploadFinishedV1']);
    expect(types.at(-1)).to.equal('BatchEssaysReadyV1');
  });

  it('webhooks: the receiver example gets BatchEssaysReadyV1 once, signed, and refuses a forgery', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'hook-'));
    fs.writeFileSync(
      path.join(cwd, 'a.txt'),
      'An essay long enough to pass the validation of the fleet, about the sea.',
    );
    const auth = { authorization: `Bearer ${token}` };
    const reg = await fetch(`${fleet.url}/v1/batches/register`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ expected_essay_count: 1, course_code: 'ENG5' }),
    }).then((r) => r.json() as Promise<{ batch_id: string }>);
    const form = new FormData();
    form.append('batch_id', reg.batch_id);
    form.append('files', new Blob([fs.readFileSync(path.join(cwd, 'a.txt'))]), 'a.txt');
    expect(
      (await fetch(`${fleet.url}/v1/files/batch`, { method: 'POST', body: form, headers: auth }))
        .status,
    ).to.equal(202);
    await waitForOutput(receiver, new RegExp(`BatchPhaseCompletedV1 ${reg.batch_id}`), 60_000);
    const lines = receiver
      .streams()
      .stdout.split('\n')
      .filter((l) => l.endsWith(reg.batch_id));
    expect(lines.filter((l) => l.startsWith('BatchEssaysReadyV1 '))).to.have.length(1);

    // a delivery sent again is handled once; a body signed with another secret is refused
    const events = (await fetch(`${fleet.url}/v1/batches/${reg.batch_id}/events`, {
      headers: auth,
    }).then((r) => r.json())) as { events: any[] };
    const ready = JSON.stringify(events.events.find((e) => e.event_type === 'BatchEssaysReadyV1'));
    const now = Math.floor(Date.now() / 1000);
    const post = (signature: string) =>
      fetch(receiverUrl, {
        method: 'POST',
        body: ready,
        headers: { 'essay-signature': signature },
      });
    expect((await post(signatureHeader(secret, now, ready))).status).to.equal(204);
    expect((await post(signatureHeader('another secret of ours', now, ready))).status).to.equal(
      400,
    );
    expect((await post(signatureHeader(secret, now - 600, ready))).status).to.equal(400);
    const after = receiver
      .streams()
      .stdout.split('\n')
      .filter((l) => l.endsWith(reg.batch_id));
    expect(after.filter((l) => l.startsWith('BatchEssaysReadyV1 '))).to.have.length(1);
  });

  it('CLI: the example uploads a folder, reads its status and events, and lists the DLQ', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'cli-'));
    await writeEssayFolder(path.join(cwd, 'essays'), 6);
    // essay-intake on the PATH, as `npm link` puts it there
    const bin = path.join(cwd, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(
      path.join(bin, 'essay-intake'),
      `#!/bin/sh\nexec "${process.execPath}" --import "${tsxLoader}" "${path.join(repoRoot, 'bin', 'essay-intake.ts')}" "$@"\n`,
      { mode: 0o755 },
    );
    const shell = run('bash', ['-euo', 'pipefail', '-c', examples.cli!], cwd, {
      ...env,
      PATH: `${bin}:${process.env.PATH}`,
    });
    const { code } = await exitOf(shell, 90_000);
    const { stdout, stderr } = shell.streams();
    expect(code, stderr + stdout).to.equal(0);
    expect(stdout.match(/^essays\/.* ready +essay /gm)).to.have.length(6); // the upload's table
    expect(stdout.match(/^elev .* ready +essay /gm)).to.have.length(6); // status: the kept names
    expect(stdout).to.match(/batch [0-9a-f-]{36}: ready: 6 ready, 0 failed/);
    expect(stdout).to.match(/expected 6, received 6: 6 ready, 0 failed, 0 excess/);
    expect(stdout).to.match(/BatchEssaysReadyV1 +6 ready/);
    expect(stdout).to.include('no dead letters');
    expect(stderr).to.include('uploaded 6 files');
  });
});
