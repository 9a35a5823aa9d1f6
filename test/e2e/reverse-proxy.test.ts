import { expect } from 'chai';
import { QueueName } from '../../src/queues/names.js';
import { essay } from '../helpers/api.js';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { ensureNginx, startNginx, type Nginx } from '../helpers/nginx.js';
import { basic, bearer, codeOf, request, type Answer } from '../helpers/raw-http.js';
import { useRedis } from '../helpers/redis.js';

const TOKEN = 'proxy-test-token-0123456789';
const METRICS = 'proxy-metrics-token-0123';
const LOGIN = 'operator:correct horse battery';
const HOST = 'essays.example';
/** A student's name in a file name: what an outsider must not read through the proxy. */
const STUDENT = 'Lindqvist';

/**
 * The finding of issue 20: behind a reverse proxy on the same machine every request comes from
 * loopback. Debian's nginx runs here on loopback in front of the web process, configured as
 * docs/security.md shows, and an outsider tries every way in through it.
 */
describe('e2e: behind nginx, nothing without credentials reads the board, the API or the queues', function () {
  this.timeout(60_000);
  const redis = useRedis();
  let nginx: Nginx | undefined;
  let fleet: TestFleet;
  let batchId: string;
  let jobId: string;

  before(function () {
    this.timeout(600_000);
    ensureNginx();
  });
  afterEach(async () => {
    await nginx?.stop();
    nginx = undefined;
  });

  const via = (path: string, opts: Parameters<typeof request>[1] = {}): Promise<Answer> =>
    request(`${nginx!.url}${path}`, { ...opts, headers: { host: HOST, ...opts.headers } });

  /**
   * The web process (and a lifecycle worker, no extractor: the upload's job stays queued with
   * the student's file name in its payload) behind nginx, and one upload through it.
   */
  async function behindNginx(env: Record<string, string> = {}): Promise<void> {
    fleet = redis.track(
      await startFleet(
        redis.url,
        {
          API_TOKENS: TOKEN,
          METRICS_TOKEN: METRICS,
          ALLOWED_HOSTS: HOST,
          TRUST_PROXY: '127.0.0.1',
          AUTH_FAILURES_PER_MINUTE: '100',
          ...env,
        },
        [QueueName.lifecycle],
        { captureLogs: true },
      ),
    );
    nginx = await startNginx(fleet.url);
    const reg = await via('/v1/batches/register', {
      method: 'POST',
      headers: { ...bearer(TOKEN), 'content-type': 'application/json' },
      body: JSON.stringify({ expected_essay_count: 1, course_code: 'ENG5' }),
    });
    expect(reg.status, nginx.errors()).to.equal(202);
    batchId = JSON.parse(reg.body).batch_id;
    const form = new FormData();
    form.append('batch_id', batchId);
    form.append('files', new Blob([essay('a secret')]), `Åsa ${STUDENT} – uppsats.txt`);
    const multipart = new Response(form);
    const up = await via('/v1/files/batch', {
      method: 'POST',
      headers: { ...bearer(TOKEN), 'content-type': multipart.headers.get('content-type')! },
      body: Buffer.from(await multipart.arrayBuffer()),
    });
    expect(up.status, up.body).to.equal(202);
    const [job] = await fleet.web.queue(QueueName.extract).getJobs(['waiting']);
    expect(job!.data.original_file_name).to.include(STUDENT);
    jobId = job!.id!;
  }

  /** Every way to the data: the board's page, its API and a job, the batch, its events, metrics. */
  async function tryEverything(
    headers: Record<string, string>,
    { host = HOST, boardOnly = false } = {},
  ) {
    const paths = [
      '/admin/queues',
      `/admin/queues/queue/${QueueName.extract}`,
      '/admin/queues/api/queues',
      `/admin/queues/api/queues?activeQueue=${QueueName.extract}&status=waiting`,
      `/admin/queues/api/queues/${QueueName.extract}/${jobId}`,
      `/v1/batches/${batchId}`,
      `/v1/batches/${batchId}/events`,
      '/metrics',
    ];
    const statuses: Record<string, number> = {};
    for (const path of paths.filter((p) => !boardOnly || p.startsWith('/admin/'))) {
      const res = await via(path, { headers: { ...headers, host } });
      expect(res.body, path).not.to.include(STUDENT);
      statuses[path.replace(/\?.*/, '?…').replace(jobId, ':job').replace(batchId, ':batch')] =
        res.status;
    }
    return statuses;
  }

  it('API tokens and no board login: the board is off, the API and metrics want their tokens', async () => {
    await behindNginx();
    for (const headers of [{}, bearer('a-guess-of-the-token'), basic(LOGIN)])
      expect(await tryEverything(headers)).to.deep.equal({
        '/admin/queues': 404,
        '/admin/queues/queue/essay.extract': 404,
        '/admin/queues/api/queues': 404,
        '/admin/queues/api/queues?…': 404,
        '/admin/queues/api/queues/essay.extract/:job': 404,
        '/v1/batches/:batch': 401,
        '/v1/batches/:batch/events': 401,
        '/metrics': 401,
      });
  });

  it('with a board login: 401 without it (an API token is not it), the jobs with it', async () => {
    await behindNginx({ BOARD_USERNAME: 'operator', BOARD_PASSWORD: 'correct horse battery' });
    for (const headers of [{}, bearer(TOKEN)]) {
      const statuses = await tryEverything(headers, { boardOnly: true });
      expect(new Set(Object.values(statuses))).to.deep.equal(new Set([401]));
    }
    const withLogin = await via(
      `/admin/queues/api/queues?activeQueue=${QueueName.extract}&status=waiting`,
      { headers: basic(LOGIN) },
    );
    expect(withLogin.status).to.equal(200);
    expect(withLogin.body).to.include(STUDENT); // the data is there, for the operator only
  });

  it('a Host the fleet does not answer for (DNS rebinding, a stray name) gets 421 through it', async () => {
    await behindNginx({ BOARD_USERNAME: 'operator', BOARD_PASSWORD: 'correct horse battery' });
    for (const host of ['localhost', '127.0.0.1', 'evil.example']) {
      const statuses = await tryEverything(basic(LOGIN), { host });
      expect(new Set(Object.values(statuses)), host).to.deep.equal(new Set([421]));
    }
  });

  it('sees the real client: failed tokens block that address only, X-Forwarded-For cannot be forged', async () => {
    await behindNginx({ AUTH_FAILURES_PER_MINUTE: '3' });
    const from = (localAddress: string, headers: Record<string, string>) =>
      via(`/v1/batches/${batchId}`, { headers, localAddress });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await from('127.0.0.2', bearer(`guess-${i}`))).status);
    expect(statuses).to.deep.equal([401, 401, 401, 429]);
    // another client of the same proxy is not blocked
    expect((await from('127.0.0.3', bearer(TOKEN))).status).to.equal(200);
    // the blocked one cannot name another address: nginx sets X-Forwarded-For to what it sees
    const forged = await from('127.0.0.2', { ...bearer(TOKEN), 'x-forwarded-for': '10.1.2.3' });
    expect(codeOf(forged)).to.equal('TOO_MANY_AUTH_FAILURES');
    // and the log names the client, not the proxy
    const clients = fleet.logs.filter((l) => l.phase === 'http').map((l) => l.client);
    expect(clients).to.include.members(['127.0.0.2', '127.0.0.3']);
    expect(clients).not.to.include('10.1.2.3');
  });
});
