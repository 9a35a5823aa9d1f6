import { expect } from 'chai';
import { authMode } from '../../src/api/middleware/auth.js';
import { ApiClient, essay } from '../helpers/api.js';
import { startFleet, testConfig } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';

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
});
