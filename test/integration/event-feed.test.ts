import { expect } from 'chai';
import { EventFeed } from '../../src/shared/batches/event-feed.js';
import { createRedis } from '../../src/shared/redis.js';
import { useRedis } from '../helpers/redis.js';

describe('EventFeed (real Redis)', () => {
  const redisServer = useRedis();

  // found by the end-to-end benchmark: event streams opened while the web process's subscriber
  // was still connecting failed with "Connection in subscriber mode" from ioredis's ready check
  it('takes listeners while its subscriber connection is still connecting', async () => {
    for (let round = 0; round < 5; round++) {
      const subscriber = createRedis(redisServer.url, 'worker', 'test:subscriber');
      const errors: string[] = [];
      subscriber.on('error', (err: Error) => errors.push(err.message));
      const feed = new EventFeed(subscriber);
      try {
        // the window: connected, ready check (INFO) not yet answered
        await new Promise((resolve) => subscriber.once('connect', resolve));
        const stops = await Promise.all(
          Array.from({ length: 20 }, (_, i) => feed.listen(`channel-${i}`, () => undefined)),
        );
        await Promise.all(stops.map((stop) => stop()));
        expect(stops).to.have.length(20);
        expect(errors).to.deep.equal([]);
      } finally {
        await feed.close();
      }
    }
  });
});
