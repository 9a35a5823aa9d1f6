import { expect } from 'chai';
import { authMode } from '../../src/api/middleware/auth.js';
import { ApiClient, essay } from '../helpers/api.js';
import { startFleet, testConfig } from '../helpers/fleet.js';
import { useRedis, useRedisCluster } from '../helpers/redis.js';

const TOKEN = 'teacher-platform-token-0001';

describe('e2e: API tokens', function () {
  this.timeout(60_000);
  const redis = useRedis();

  it('chooses the mode: tokens, open on loopback, or refusal on a public address', () => {
    expect(authMode(testConfig('redis://x:1', { API_TOKENS: TOKEN }))).to.equal('tokens');
    expect(authMode(testConfig('redis://x:1', { HOST: '127.0.0.1' }))).to.equal('open-loopback');
    expect(() => authMode(testConfig('redis://x:1', { HOST: '0.0.0.0' }))).to.throw(/API_TOKENS/);
    expect(
      authMode(testConfig('redis://x:1', { HOST: '0.0.0.0', AUTH_DISABLED: 'true' })),
    ).to.equal('disabled');
    expect(() => testConfig('redis://x:1', { API_TOKENS: 'short' })).to.throw(/16 characters/);
  });

  it('refuses every /v1 request without a valid bearer token, serves it with one', async () => {
    const fleet = redis.track(
      await startFleet(redis.url, { API_TOKENS: `other-token-abcdefgh,${TOKEN}` }),
    );
    const anonymous = new ApiClient(fleet.url);
    const denied = await anonymous.json('POST', '/v1/batches/register', {
      expected_essay_count: 1,
      course_code: 'ENG5',
    });
    expect(denied.status).to.equal(401);
    expect(denied.headers.get('www-authenticate')).to.match(/^Bearer/);
    const wrong = await anonymous.json(
      'GET',
      '/v1/batches/00000000-0000-4000-8000-000000000000',
      undefined,
      { authorization: 'Bearer nope' },
    );
    expect(wrong.status).to.equal(401);
    const form = new FormData();
    form.append('batch_id', '00000000-0000-4000-8000-000000000000');
    form.append('files', new Blob([essay('x')]), 'x.txt');
    expect(
      (await fetch(`${fleet.url}/v1/files/batch`, { method: 'POST', body: form })).status,
    ).to.equal(401);

    const headers = { authorization: `Bearer ${TOKEN}` };
    const reg = await anonymous.json(
      'POST',
      '/v1/batches/register',
      { expected_essay_count: 1, course_code: 'ENG5' },
      headers,
    );
    expect(reg.status).to.equal(202);
    expect(
      (await anonymous.json('GET', `/v1/batches/${reg.body.batch_id}`, undefined, headers)).status,
    ).to.equal(200);
    // health stays open for probes
    expect((await anonymous.json('GET', '/healthz')).status).to.equal(200);
  });

  it('with API tokens, the board wants its own login even on loopback', async () => {
    const tokensOnly = redis.track(await startFleet(redis.url, { API_TOKENS: TOKEN }, []));
    // no login configured: off, page and API, whatever token is sent
    for (const path of ['/admin/queues', '/admin/queues/api/queues'])
      for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Record<string, string>[])
        expect((await fetch(`${tokensOnly.url}${path}`, { headers })).status, path).to.equal(404);
    const withLogin = redis.track(
      await startFleet(
        redis.url,
        { API_TOKENS: TOKEN, BOARD_USERNAME: 'operator', BOARD_PASSWORD: 'correct horse' },
        [],
      ),
    );
    const board = `${withLogin.url}/admin/queues/api/queues`;
    const denied = await fetch(board, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(denied.status).to.equal(401);
    expect(denied.headers.get('www-authenticate')).to.match(/^Basic/);
    const login = `basic ${Buffer.from('operator:correct horse').toString('base64')}`;
    const queues: any = await (await fetch(board, { headers: { authorization: login } })).json();
    expect(queues.queues.every((q: any) => !q.readOnlyMode)).to.equal(true);
  });

  it('tried as an outsider on a public address: nothing without a token, no board', async () => {
    const fleet = redis.track(
      await startFleet(redis.url, { API_TOKENS: TOKEN, HOST: '0.0.0.0' }, []),
    );
    const id = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [
      ['GET', `/v1/batches/${id}`],
      ['GET', `/v1/batches/${id}/events`],
      ['GET', `/v1/essays/${id}/text`],
      ['POST', '/v1/batches/register'],
      ['POST', '/v1/files/batch'],
    ])
      expect((await fetch(`${fleet.url}${path}`, { method })).status, path).to.equal(401);
    // the board is off on a public address without its own credentials: neither page nor API
    expect((await fetch(`${fleet.url}/admin/queues`)).status).to.equal(404);
    expect((await fetch(`${fleet.url}/admin/queues/api/queues`)).status).to.equal(404);
    const page = await fetch(`${fleet.url}/`);
    expect(page.headers.get('content-security-policy')).to.match(/default-src 'self'/);
  });
});

for (const backend of ['one Redis', 'a 3-master Redis Cluster'] as const) {
  describe(`e2e: the rate limit on ${backend}`, function () {
    this.timeout(60_000);
    const redis = backend === 'one Redis' ? useRedis() : useRedisCluster();
    it(`limits requests per token across web processes, with 429 and Retry-After (${backend})`, async () => {
      const env = {
        API_TOKENS: `${TOKEN},second-token-abcdefgh`,
        RATE_LIMIT_PER_MINUTE: '5',
        REDIS_KEY_PREFIX: `rl${Date.now()}`,
      };
      // two web processes on one store: the budget is shared
      const a = redis.track(await startFleet(redis.url, { ...redis.env, ...env }, []));
      const b = redis.track(await startFleet(redis.url, { ...redis.env, ...env }, []));
      const get = (url: string, token = TOKEN) =>
        fetch(`${url}/v1/batches/00000000-0000-4000-8000-000000000000`, {
          headers: { authorization: `Bearer ${token}` },
        });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await get(i % 2 ? a.url : b.url)).status);
      expect(statuses).to.deep.equal([404, 404, 404, 404, 404]);
      const limited = await get(a.url);
      expect(limited.status).to.equal(429);
      expect(Number(limited.headers.get('retry-after'))).to.be.within(1, 60);
      expect(((await limited.json()) as any).error.code).to.equal('RATE_LIMITED');
      expect((await get(b.url, 'second-token-abcdefgh')).status).to.equal(404);
    });
  });
}
