import { expect } from 'chai';
import { banner } from '../../../bin/lib/banner.js';
import { loadConfig } from '../../../src/shared/config.js';

describe('the npm start banner', () => {
  const running = {
    web: 'http://127.0.0.1:8080',
    workerMetrics: [{ name: 'extractor', url: 'http://127.0.0.1:8081/metrics' }],
    redis: 'redis://:***@127.0.0.1:6379 (private)',
  };

  it('names only what is on, and how each is guarded', () => {
    const dev = banner(loadConfig({}), running);
    expect(dev).to.include('open, loopback only');
    expect(dev).to.include('/admin/queues  (read-only, no login)');
    expect(dev).to.include('/metrics  (open)');
    expect(dev).to.include('http://127.0.0.1:8081/metrics  (extractor)');

    const tokens = banner(
      loadConfig({ API_TOKENS: 'a-token-of-16-chars', METRICS_TOKEN: 'metrics-token-0123' }),
      { ...running, workerMetrics: [] },
    );
    expect(tokens).to.include('(a Bearer token from API_TOKENS)');
    expect(tokens).to.include('/metrics  (Bearer METRICS_TOKEN)');
    expect(tokens).not.to.include('queue board'); // off: tokens and no board login
    expect(tokens).not.to.include('8081');

    const login = banner(
      loadConfig({
        API_TOKENS: 'a-token-of-16-chars',
        BOARD_USERNAME: 'op',
        BOARD_PASSWORD: '12345678',
      }),
      running,
    );
    expect(login).to.include('/admin/queues  (BOARD_USERNAME login)');
  });
});
