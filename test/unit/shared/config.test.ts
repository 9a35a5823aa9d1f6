import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../src/shared/config.js';

describe('config', () => {
  it('gives every setting a default', () => {
    const c = loadConfig({});
    expect(c.PORT).to.equal(8080);
    expect(c.HOST).to.equal('127.0.0.1');
    expect(c.MIN_CONTENT_CHARS).to.equal(50);
    expect(c.MAX_CONTENT_CHARS).to.equal(50_000);
    expect(c.REDIS_URL).to.equal(undefined);
    expect(c.DATA_DIR).to.match(/^\//);
  });

  it('reads numbers and booleans from strings', () => {
    const c = loadConfig({ PORT: '9000', LOG_JSON: 'true', REDIS_URL: 'redis://localhost:6380' });
    expect(c.PORT).to.equal(9000);
    expect(c.LOG_JSON).to.equal(true);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({
        PORT: 'eighty',
        REDIS_URL: 'http://nope',
        MIN_CONTENT_CHARS: '-1',
        REDIS_KEY_PREFIX: 'Bad Prefix!',
      });
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const key of ['PORT', 'REDIS_URL', 'MIN_CONTENT_CHARS', 'REDIS_KEY_PREFIX'])
        expect(problems).to.include(key);
    }
  });

  it('refuses a minimum length above the maximum', () => {
    expect(() => loadConfig({ MIN_CONTENT_CHARS: '100', MAX_CONTENT_CHARS: '10' })).to.throw(
      ConfigError,
    );
  });
});
