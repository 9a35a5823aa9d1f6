import { expect } from 'chai';
import { startFleet, type TestFleet } from '../helpers/fleet.js';
import { basic, bearer, codeOf, rawRequest, request } from '../helpers/raw-http.js';
import { useRedis } from '../helpers/redis.js';

/**
 * The hostile corpus, continued (test/e2e/hostile-corpus.test.ts has the files and bodies):
 * requests that try to get in rather than to break something. The board through a reverse
 * proxy is in test/e2e/reverse-proxy.test.ts.
 */
describe('e2e: hostile access: foreign Hosts, token variants, failed-token bursts', function () {
  this.timeout(60_000);
  const redis = useRedis();
  const TOKEN = 'corpus-token-0123456789';
  const METRICS = 'metrics-token-0123456789';
  const LOGIN = 'operator:correct horse battery';
  const missing = '/v1/batches/00000000-0000-4000-8000-000000000000';
  // two web processes on one Redis and key prefix: a limit must hold across them
  let a: TestFleet;
  let b: TestFleet;

  before(async () => {
    const env = {
      API_TOKENS: TOKEN,
      METRICS_TOKEN: METRICS,
      BOARD_USERNAME: 'operator',
      BOARD_PASSWORD: 'correct horse battery',
      AUTH_FAILURES_PER_MINUTE: '5',
      REDIS_KEY_PREFIX: `acc${Date.now()}`,
    };
    a = redis.track(await startFleet(redis.url, env, []));
    b = redis.track(await startFleet(redis.url, env, []));
  });

  it('answers a foreign Host with 421 on every route, credentials or not', async () => {
    const { port } = new URL(a.url);
    const routes: [string, string, Record<string, string>][] = [
      ['GET', '/', {}],
      ['GET', '/docs', {}],
      ['GET', '/healthz', {}],
      ['GET', '/metrics', bearer(METRICS)],
      ['GET', '/admin/queues', basic(LOGIN)],
      ['GET', '/admin/queues/api/queues', basic(LOGIN)],
      ['GET', missing, bearer(TOKEN)],
      ['POST', '/v1/batches/register', bearer(TOKEN)],
    ];
    // a DNS-rebinding page sends its own name; so does a proxy passing on the client's Host
    const foreign = [
      'evil.example',
      `evil.example:${port}`,
      'localhost.evil.example',
      `127.0.0.1.nip.io:${port}`,
    ];
    for (const [method, route, headers] of routes)
      for (const host of foreign) {
        const res = await request(`${a.url}${route}`, { method, headers: { ...headers, host } });
        expect([res.status, codeOf(res)], `${method} ${route} Host ${host}`).to.deep.equal([
          421,
          'MISDIRECTED_REQUEST',
        ]);
      }
    const workerMetrics = await request(a.workersMetricsUrl, {
      headers: { ...bearer(METRICS), host: 'evil.example' },
    });
    expect(workerMetrics.status).to.equal(421);
    // HTTP/1.0 without any Host
    expect(await rawRequest(a.url, 'GET /healthz HTTP/1.0\r\n\r\n', Buffer.alloc(0))).to.equal(421);
    // the loopback names, in any case and with the port, are this server
    for (const host of [`LOCALHOST:${port}`, `[::1]:${port}`, `127.0.0.1:${port}`, 'localhost'])
      expect((await request(`${a.url}/healthz`, { headers: { host } })).status, host).to.equal(200);
  });

  it('takes the Bearer scheme in any case; anything else is 401', async () => {
    const localAddress = '127.0.0.2';
    const get = (authorization: string, url = `${a.url}${missing}`) =>
      request(url, { headers: { authorization }, localAddress });
    for (const h of [`bearer ${TOKEN}`, `BEARER ${TOKEN}`, `Bearer   ${TOKEN}`])
      expect(codeOf(await get(h)), h).to.equal('BATCH_NOT_FOUND');
    for (const h of [
      'Bearer',
      `Bearer${TOKEN}`,
      `Bearer\t${TOKEN}`,
      `Basic ${TOKEN}`,
      `Token ${TOKEN}`,
      TOKEN,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN}, Bearer ${TOKEN}`,
    ]) {
      const res = await get(h);
      expect([res.status, codeOf(res)], h).to.deep.equal([401, 'UNAUTHORIZED']);
      expect(res.headers['www-authenticate'], h).to.match(/^Bearer/);
    }
    // /metrics wants METRICS_TOKEN, on the web process and on each worker's port
    for (const url of [`${a.url}/metrics`, a.workersMetricsUrl]) {
      expect((await request(url)).status, url).to.equal(401);
      expect((await get(`Bearer ${TOKEN}`, url)).status, url).to.equal(401);
      expect((await get(`bearer ${METRICS}`, url)).status, url).to.equal(200);
    }
  });

  it('refuses an address past 5 failed checks a minute with 429, across web processes', async () => {
    const from = (localAddress: string, headers: Record<string, string>, fleet = a) =>
      request(`${fleet.url}${missing}`, { headers, localAddress });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await from('127.0.0.3', bearer(`wrong-${i}`), i % 2 ? a : b)).status);
    expect(statuses).to.deep.equal([401, 401, 401, 401, 401, 429]);
    // now even the right token is refused from there, so a right guess looks like a wrong one
    const blocked = await from('127.0.0.3', bearer(TOKEN));
    expect([blocked.status, codeOf(blocked)]).to.deep.equal([429, 'TOO_MANY_AUTH_FAILURES']);
    expect(Number(blocked.headers['retry-after'])).to.be.within(1, 60);
    // another address is not touched
    expect(codeOf(await from('127.0.0.4', bearer(TOKEN)))).to.equal('BATCH_NOT_FOUND');

    // a burst sent at once is counted exactly: 5 checked, the rest refused
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => from('127.0.0.5', bearer(`burst-${i}`), i % 2 ? a : b)),
    );
    const count = (s: number) => burst.filter((r) => r.status === s).length;
    expect([count(401), count(429)]).to.deep.equal([5, 25]);

    // requests without credentials are not guesses: they never block an address
    for (let i = 0; i < 10; i++) expect((await from('127.0.0.6', {})).status).to.equal(401);
    expect(codeOf(await from('127.0.0.6', bearer(TOKEN)))).to.equal('BATCH_NOT_FOUND');

    // the board's login and the metrics token count the same way
    const board = (addr: string, login: string) =>
      request(`${b.url}/admin/queues/api/queues`, { headers: basic(login), localAddress: addr });
    for (let i = 0; i < 5; i++)
      expect((await board('127.0.0.7', `operator:guess-${i}`)).status).to.equal(401);
    expect((await board('127.0.0.7', LOGIN)).status).to.equal(429);
    expect((await board('127.0.0.8', LOGIN)).status).to.equal(200);
    const metrics = [];
    for (let i = 0; i < 6; i++)
      metrics.push(
        (
          await request(`${a.url}/metrics`, {
            headers: bearer(`metrics-guess-${i}`),
            localAddress: '127.0.0.9',
          })
        ).status,
      );
    expect(metrics).to.deep.equal([401, 401, 401, 401, 401, 429]);
  });
});
