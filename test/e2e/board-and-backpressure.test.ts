import { expect } from 'chai';
import { boardMode } from '../../src/api/board.js';
import { QueueName } from '../../src/queues/names.js';
import { ApiClient, essay } from '../helpers/api.js';
import { startFleet, testConfig } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

describe('e2e: the board and back-pressure', function () {
  this.timeout(60_000);
  const redis = useRedis();

  it('chooses the board mode from its login, the API tokens and the bind address', () => {
    expect(boardMode(testConfig('redis://x:1', { HOST: '127.0.0.1' }))).to.equal('read-only');
    expect(boardMode(testConfig('redis://x:1', { HOST: '0.0.0.0' }))).to.equal('off');
    // where tokens guard the API, a login-less board would be the way around them
    expect(
      boardMode(
        testConfig('redis://x:1', { HOST: '127.0.0.1', API_TOKENS: 'a-token-of-16-chars' }),
      ),
    ).to.equal('off');
    expect(
      boardMode(
        testConfig('redis://x:1', {
          HOST: '0.0.0.0',
          BOARD_USERNAME: 'op',
          BOARD_PASSWORD: '12345678',
        }),
      ),
    ).to.equal('login');
  });

  it('without a login on loopback, the board lists every queue read-only and refuses Retry', async () => {
    const fleet = redis.track(await startFleet(redis.url, {}, []));
    const page = await fetch(`${fleet.url}/admin/queues`);
    expect(page.status).to.equal(200);
    const queues: any = await (await fetch(`${fleet.url}/admin/queues/api/queues`)).json();
    const names = queues.queues.map((q: any) => q.name).sort();
    expect(names).to.deep.equal(Object.values(QueueName).sort());
    expect(queues.queues.every((q: any) => q.readOnlyMode)).to.equal(true);
    const retry = await fetch(`${fleet.url}/admin/queues/api/queues/essay.extract/whatever/retry`, {
      method: 'PUT',
    });
    expect(retry.status).to.be.within(400, 499);
  });

  it('answers 503 with Retry-After once the extraction backlog passes its high-water mark', async () => {
    // no extractor runs, so every uploaded file stays waiting
    const fleet = redis.track(
      await startFleet(redis.url, { EXTRACT_BACKLOG_HIGH_WATER: '2' }, [QueueName.lifecycle]),
    );
    const api = new ApiClient(fleet.url);
    const reg = await api.register({ expected_essay_count: 10, course_code: 'ENG5' });
    const first = await api.upload(
      reg.batch_id,
      [1, 2, 3].map((i) => ({ name: `${i}.txt`, content: essay(`${i}`) })),
    );
    expect(first.status).to.equal(202);
    expect(await fleet.web.queue(QueueName.extract).getWaitingCount()).to.equal(3);
    // the count is cached for a second: retry until the guard sees the new backlog
    const res = await waitFor('an upload refused for back-pressure', async () => {
      const form = new FormData();
      form.append('batch_id', reg.batch_id);
      form.append('files', new Blob([essay('more')]), 'more.txt');
      const r = await fetch(`${fleet.url}/v1/files/batch`, { method: 'POST', body: form });
      return r.status === 503
        ? { retryAfter: r.headers.get('retry-after'), body: (await r.json()) as any }
        : undefined;
    });
    expect(res.retryAfter).to.equal('30');
    expect(res.body.error.code).to.equal('BACKLOG_FULL');
  });
});
