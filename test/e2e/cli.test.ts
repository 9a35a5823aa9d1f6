import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueueName } from '../../src/queues/names.js';
import { ApiClient, essay } from '../helpers/api.js';
import { writeEssayFolder } from '../helpers/essay-folder.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { exitOf, repoRoot, spawnBin, spawnCaptured, waitForOutput } from '../helpers/processes.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';
import { startReceiver } from '../helpers/webhook-receiver.js';

const token = 'platform-token-0123456789';
const cliPath = path.join(repoRoot, 'bin', 'essay-intake.ts');

/** Runs the CLI as its own process, stdout and stderr apart, with only the env given. */
async function cli(args: string[], env: Record<string, string>) {
  const child = spawnCaptured(process.execPath, ['--import', 'tsx', cliPath, ...args], { env });
  const { code } = await exitOf(child, 90_000);
  return { code, ...child.streams() };
}

/** Runs the CLI on a terminal of its own (util-linux `script`), as a person at a shell would. */
function cliOnTerminal(args: string[], env: Record<string, string>) {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, '--import', 'tsx', cliPath, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', COLUMNS: '120', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return exitOf(child, 120_000).then(({ code }) => ({ code, out }));
}

describe('e2e: the essay-intake CLI against a real fleet', function () {
  this.timeout(180_000);
  const redis = useRedis();
  let fleet: TestFleet;
  let env: Record<string, string>;
  let dir: string;
  before(async function () {
    this.timeout(60_000);
    fleet = redis.track(
      await startFleet(redis.url, { API_TOKENS: token, READINESS_TIMEOUT_SECONDS: '60' }),
    );
    env = { ESSAY_INTAKE_URL: fleet.url, ESSAY_INTAKE_TOKEN: token };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-essays-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('uploads a folder of 30 mixed essays on a terminal: progress bars, then a table, exit 0', async () => {
    const folder = path.join(dir, 'ENG5 höst');
    await writeEssayFolder(folder, 30);
    const { code, out } = await cliOnTerminal(['upload', folder, '--course', 'ENG5'], env);
    expect(code, out).to.equal(0);
    // the bars, redrawn on the terminal as the bytes go up and the files are processed
    expect(out).to.match(/upload +\S+ +100% \| [\d.]+ KB \/ [\d.]+ KB \| 30\/30 files/);
    expect(out).to.match(/processed +\S+ +\d+% \| \d+\/30 files/);
    expect(out).to.match(/processed +\S+ +100% \| 30\/30 files/);
    expect(out).to.include('\x1b[1A'); // the cursor goes back up: bars in place, not lines
    const table = out.slice(out.indexOf('FILE'));
    expect(table).to.match(/^FILE +OUTCOME +DETAIL/);
    const rows = table.split(/\r?\n/).filter((l) => l.includes(`${folder}/`));
    expect(rows).to.have.length(30);
    expect(rows.every((r) => / ready +essay [0-9a-f-]{36}/.test(r))).to.equal(true);
    expect(table).to.include(`${folder}/klass 9b/elev 04 Åsa.txt`);
    expect(table).not.to.include('.DS_Store');
    const batchId = /batch ([0-9a-f-]{36}): ready: 30 ready, 0 failed/.exec(table)![1]!;
    const api = new ApiClient(fleet.url);
    const batch = await api.json('GET', `/v1/batches/${batchId}`, undefined, {
      authorization: `Bearer ${token}`,
    });
    expect(batch.body).to.include({ status: 'ready', ready_count: 30, expected_count: 30 });
  });

  it('--json: exit 2 when files failed, and when the batch timed out; a line per milestone off a terminal', async () => {
    const folder = path.join(dir, 'mixed');
    await writeEssayFolder(folder, 4, 2);
    const failed = await cli(['upload', folder, '--course', 'ENG5', '--json'], env);
    expect(failed.code, failed.stderr).to.equal(2);
    expect(failed.stderr).to.equal('');
    const result = JSON.parse(failed.stdout);
    expect(result).to.include({ status: 'ready', ready_count: 2, failed_count: 2 });
    expect(
      result.files.map((f: any) => [path.basename(f.file), f.outcome, f.error_code]),
    ).to.deep.equal([
      ['elev 01 Åsa.txt', 'ready', undefined],
      ['elev 02 Åsa.pdf', 'ready', undefined],
      ['elev 03 Åsa.txt', 'failed', 'CONTENT_TOO_SHORT'],
      ['elev 04 Åsa.pdf', 'failed', 'EMPTY_CONTENT'],
    ]);

    const two = path.join(dir, 'two');
    fs.mkdirSync(two);
    fs.writeFileSync(path.join(two, 'a.txt'), essay('a'));
    fs.writeFileSync(path.join(two, 'b.txt'), essay('b'));
    const late = await cli(
      ['upload', two, '--course', 'ENG5', '--expect', '3', '--timeout', '1'],
      env,
    );
    expect(late.code, late.stderr).to.equal(2);
    expect(late.stdout).to.match(/timed_out: 2 ready, 0 failed, 0 excess, 3 expected/);
    expect(late.stderr).to.include('uploaded 2 files').and.include('processed 2/2 files');
  });

  it('status, events and events --follow (live notices included), by token from the env', async () => {
    const api = new ApiClient(fleet.url);
    const auth = { authorization: `Bearer ${token}` };
    const reg = (
      await api.json(
        'POST',
        '/v1/batches/register',
        { expected_essay_count: 2, course_code: 'ENG5' },
        auth,
      )
    ).body;
    const follow = spawnBin('essay-intake', ['events', reg.batch_id, '--follow', '--json'], env);
    try {
      // following once the web process listens on the batch's channel for it
      const channel = fleet.web.batches.log.channel(reg.batch_id);
      await waitFor('the CLI to follow the stream', async () => {
        const [, listeners] = (await fleet.web.redis.pubsub('NUMSUB', channel)) as [string, number];
        return listeners > 0;
      });
      const form = new FormData();
      form.append('batch_id', reg.batch_id);
      for (const n of ['a', 'b'])
        form.append('files', new Blob([essay(n)], { type: 'text/plain' }), `${n}.txt`);
      const up = await fetch(`${fleet.url}/v1/files/batch`, {
        method: 'POST',
        body: form,
        headers: auth,
      });
      expect(up.status).to.equal(202);
      await waitForOutput(follow, /"event_type":"BatchEssaysReadyV1"/, 30_000);
      const lines = follow
        .output()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const notices = lines.filter((l) => l.notice === 'file_processed');
      expect(notices.map((n) => n.original_file_name).sort()).to.deep.equal(['a.txt', 'b.txt']);
      expect(lines.filter((l) => l.event_type).map((l) => l.event_type)).to.include.members([
        'EssayContentProvisionedV1',
        'EssayUploadFinishedV1',
        'BatchEssaysReadyV1',
      ]);
    } finally {
      follow.kill('SIGINT');
      expect((await exitOf(follow)).code).to.equal(130);
    }

    const status = await cli(['status', reg.batch_id], env);
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout).to.match(/: ready\nexpected 2, received 2: 2 ready, 0 failed, 0 excess/);
    expect(status.stdout).to.match(/a\.txt +ready +essay/);
    const log = await cli(['events', reg.batch_id], env);
    expect(log.stdout).to.match(/^ +0 +\S+ +EssayContentProvisionedV1 +a\.txt/m);
    expect(log.stdout).to.match(/BatchEssaysReadyV1 +2 ready/);

    const refused = await cli(['status', reg.batch_id], { ESSAY_INTAKE_URL: fleet.url });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include('401 UNAUTHORIZED').and.include('ESSAY_INTAKE_TOKEN');
  });

  it('dlq list shows a dead webhook delivery; dlq redrive runs it again, once', async () => {
    let down = true;
    const secret = 'whsec_cli_0123456789abcdef';
    const receiver = redis.track(await startReceiver(secret, () => (down ? 503 : 204)));
    const hooked = redis.track(
      await startFleet(
        redis.url,
        {
          API_TOKENS: token,
          WEBHOOK_ENDPOINTS: JSON.stringify([
            { url: `${receiver.url}/hook`, secret, events: ['BatchEssaysReadyV1'] },
          ]),
          WEBHOOK_RETRY_SECONDS: '0',
        },
        [
          QueueName.extract,
          QueueName.upload,
          QueueName.lifecycle,
          QueueName.orchestrate,
          QueueName.webhook,
        ],
      ),
    );
    const here = { ESSAY_INTAKE_URL: hooked.url, ESSAY_INTAKE_TOKEN: token };
    const two = path.join(dir, 'dlq');
    fs.mkdirSync(two);
    fs.writeFileSync(path.join(two, 'a.txt'), essay('a'));
    expect((await cli(['upload', two, '--course', 'ENG5'], here)).code).to.equal(0);
    const letter = await waitFor('the dead delivery in `dlq list`', async () => {
      const list = await cli(['dlq', 'list', '--json'], here);
      return (JSON.parse(list.stdout) as any[]).find((l) => l.source_queue === QueueName.webhook);
    });
    expect(letter).to.include({ job_state: 'failed', attempts: 1 });
    const table = await cli(['dlq', 'list'], here);
    expect(table.stdout).to.match(/^ID +QUEUE +JOB NOW +ATTEMPTS +FAILED AT +REASON/);
    expect(table.stdout).to.include('webhook.deliver').and.include('WEBHOOK_REFUSED');

    down = false;
    const redriven = await cli(['dlq', 'redrive', letter.id], here);
    expect(redriven.code, redriven.stderr).to.equal(0);
    expect(redriven.stdout).to.include(`redriven: webhook.deliver job ${letter.job_id}`);
    await waitFor('the redriven delivery', () => receiver.accepted('/hook').size === 1);
    const again = await cli(['dlq', 'redrive', letter.id], here);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('409 NOT_DEAD');
    expect([...receiver.accepted('/hook').values()]).to.deep.equal([1]);
  });
});
