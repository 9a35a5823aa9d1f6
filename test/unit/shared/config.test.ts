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

  it('reads webhook endpoints, and refuses what is not a plain http(s) receiver', () => {
    const secret = 'whsec_0123456789abcdef';
    const c = loadConfig({
      WEBHOOK_ENDPOINTS: JSON.stringify([
        { url: 'https://hooks.example.com/essays', secret, events: ['BatchEssaysReadyV1'] },
        { url: 'http://10.0.0.5:8080/all', secret, events: ['*'] },
      ]),
    });
    expect(c.WEBHOOK_ENDPOINTS.map((e) => [e.url, e.key.length, e.events.size])).to.deep.equal([
      ['https://hooks.example.com/essays', 16, 1],
      ['http://10.0.0.5:8080/all', 16, 10],
    ]);
    expect(loadConfig({}).WEBHOOK_ENDPOINTS).to.deep.equal([]);
    const refused = (list: unknown) => {
      try {
        loadConfig({ WEBHOOK_ENDPOINTS: typeof list === 'string' ? list : JSON.stringify(list) });
      } catch (err) {
        return (err as ConfigError).problems.join('\n');
      }
      return expect.fail(`${JSON.stringify(list)} was accepted`);
    };
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'gopher://x', 'not a url'])
      expect(refused([{ url, secret, events: ['*'] }])).to.include('WEBHOOK_ENDPOINTS');
    expect(refused([{ url: 'https://u:p@example.com/', secret, events: ['*'] }])).to.include(
      'user:password@',
    );
    expect(refused([{ url: 'https://example.com/', secret: 'short', events: ['*'] }])).to.include(
      '16 characters',
    );
    expect(refused([{ url: 'https://example.com/', secret, events: ['BatchReady'] }])).to.include(
      'WEBHOOK_ENDPOINTS',
    );
    expect(refused([{ url: 'https://example.com/', secret, events: [] }])).to.include(
      'WEBHOOK_ENDPOINTS',
    );
    const twice = { url: 'https://example.com/', secret, events: ['*'] };
    expect(refused([twice, twice])).to.include('each url only once');
    expect(refused('[{"url": ')).to.include('a JSON list');
  });
});
