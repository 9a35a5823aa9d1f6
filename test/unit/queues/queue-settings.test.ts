import { expect } from 'chai';
import { QueueName } from '../../../src/queues/names.js';
import { backoffDelay, queueSettings } from '../../../src/queues/queue-settings.js';
import { loadConfig } from '../../../src/shared/config.js';

describe('queue settings: webhook retries', () => {
  const schedule = (env: Record<string, string>) => {
    const s = queueSettings(loadConfig(env), QueueName.webhook);
    const delays = Array.from({ length: s.attempts - 1 }, (_, i) => backoffDelay(i + 1, s.backoff));
    return { attempts: s.attempts, delays, total: delays.reduce((a, b) => a + b, 0) };
  };

  it('retries for about a day by default: from 10 s, doubling, at most an hour apart', () => {
    const { attempts, delays, total } = schedule({});
    expect(delays.slice(0, 4)).to.deep.equal([10_000, 20_000, 40_000, 80_000]);
    expect(Math.max(...delays)).to.equal(3_600_000);
    expect(total).to.be.within(24 * 3600_000, 25 * 3600_000);
    expect(attempts).to.equal(33);
  });

  it('derives the attempts from the window the settings give', () => {
    expect(schedule({ WEBHOOK_RETRY_SECONDS: '0' }).attempts).to.equal(1);
    const short = schedule({ WEBHOOK_BACKOFF_MS: '100', WEBHOOK_RETRY_SECONDS: '1' });
    expect(short.delays).to.deep.equal([100, 200, 400, 800]);
  });
});
