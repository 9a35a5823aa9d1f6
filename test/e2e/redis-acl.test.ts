import { expect } from 'chai';
import { Redis } from 'ioredis';
import { ApiClient, essay } from '../helpers/api.js';
import { startFleet } from '../helpers/fleet.js';
import { useRedis } from '../helpers/redis.js';

/** The ACL of docs/security.md ("Redis in production"), word for word. */
const ACL = [
  'essay-fleet',
  'on',
  '>fleet-password-0123456789',
  'resetkeys',
  '~essay:*',
  '~{essay}:*',
  'resetchannels',
  '&essay:*',
  '+@all',
  '-@dangerous',
  '+info',
  '+client|setname',
  '+client|getname',
  '+client|list',
];

describe('e2e: the fleet on a Redis user limited by the ACL of docs/security.md', function () {
  this.timeout(60_000);
  const redis = useRedis();

  it('takes an essay to ready and serves the board, and cannot touch other keys or the server', async () => {
    const admin = redis.track(new Redis(redis.url));
    await admin.call('ACL', 'SETUSER', ...ACL);
    const url = redis.url.replace('redis://', 'redis://essay-fleet:fleet-password-0123456789@');
    const fleet = redis.track(await startFleet(url, { REDIS_KEY_PREFIX: 'essay' }));
    const api = new ApiClient(fleet.url);
    const reg = await api.register({ expected_essay_count: 1, course_code: 'ENG5' });
    await api.upload(reg.batch_id, [{ name: 'acl.txt', content: essay('least privilege') }]);
    expect((await api.waitForBatch(reg.batch_id)).status).to.equal('ready');
    const board = await fetch(`${fleet.url}/admin/queues/api/queues`);
    expect(board.status).to.equal(200);

    const user = redis.track(new Redis(url));
    for (const command of [
      ['FLUSHALL'],
      ['KEYS', '*'],
      ['CONFIG', 'GET', 'requirepass'],
      ['GET', 'other-app:secret'],
      ['ACL', 'LIST'],
      ['SUBSCRIBE', 'other-app:news'],
    ]) {
      const answer = await user.call(...(command as [string, ...string[]])).then(
        () => 'allowed',
        (err: Error) => err.message,
      );
      expect(answer, command.join(' ')).to.match(/NOPERM/);
    }
  });
});
