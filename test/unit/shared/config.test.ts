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

  it('reads TRUST_PROXY as Express does, and refuses what Express would not', () => {
    expect(loadConfig({}).TRUST_PROXY).to.equal(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).to.equal(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).to.equal(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).TRUST_PROXY).to.deep.equal([
      'loopback',
      '10.0.0.0/8',
      '::1',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'nginx' })).to.throw(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/8/1' })).to.throw(/TRUST_PROXY/);
  });

  it('refuses half a board login, a short METRICS_TOKEN and a malformed ALLOWED_HOSTS', () => {
    try {
      loadConfig({
        BOARD_USERNAME: 'operator',
        METRICS_TOKEN: 'short',
        ALLOWED_HOSTS: 'essays.school.se, http://x/',
      });
      expect.fail('should have thrown');
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      for (const key of ['BOARD_PASSWORD', 'METRICS_TOKEN', 'ALLOWED_HOSTS'])
        expect(problems).to.include(key);
    }
    expect(
      loadConfig({ ALLOWED_HOSTS: 'essays.school.se,[::1]:8080' }).ALLOWED_HOSTS,
    ).to.deep.equal(['essays.school.se', '[::1]:8080']);
  });
});
