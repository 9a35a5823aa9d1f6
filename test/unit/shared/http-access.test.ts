import { expect } from 'chai';
import {
  allowedHostsOf,
  credentialsOf,
  hostMatcher,
  isLoopback,
} from '../../../src/shared/http-access.js';

describe('http access rules', () => {
  it('reads the Bearer scheme case-insensitively (RFC 7235), and nothing else as credentials', () => {
    for (const h of ['Bearer abc', 'bearer abc', 'BEARER abc', 'bEaReR   abc', 'Bearer abc  '])
      expect(credentialsOf(h, 'Bearer'), h).to.equal('abc');
    for (const h of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Bearerabc',
      'Bearer\tabc',
      ' Bearer abc',
      'Basic abc',
      'Token abc',
    ])
      expect(credentialsOf(h, 'Bearer'), String(h)).to.equal(null);
    expect(credentialsOf('basic dXNlcjpwdw==', 'Basic')).to.equal('dXNlcjpwdw==');
  });

  it('answers the loopback names by default on loopback, any Host elsewhere, else the list', () => {
    const onLoopback = hostMatcher(allowedHostsOf({ HOST: '127.0.0.1', ALLOWED_HOSTS: [] }));
    for (const h of ['localhost', 'LOCALHOST:8080', '127.0.0.1:1', '[::1]:8080', '[::1]'])
      expect(onLoopback(h), h).to.equal(true);
    for (const h of [
      undefined,
      '',
      'evil.example',
      'localhost.evil.example',
      '127.0.0.1.nip.io:8080',
      '127.0.0.2',
      'localhost:8080:1',
    ])
      expect(onLoopback(h), String(h)).to.equal(false);
    expect(allowedHostsOf({ HOST: '0.0.0.0', ALLOWED_HOSTS: [] })).to.equal(null);
    expect(allowedHostsOf({ HOST: '::1', ALLOWED_HOSTS: [] })).to.include('[::1]');
    const listed = hostMatcher(
      allowedHostsOf({ HOST: '0.0.0.0', ALLOWED_HOSTS: ['essays.school.se', 'proxy:8443'] }),
    );
    expect(listed('Essays.School.se:443')).to.equal(true);
    expect(listed('proxy:8443')).to.equal(true);
    expect(listed('proxy:8080')).to.equal(false);
    expect(listed('localhost')).to.equal(false);
    expect(isLoopback('127.8.9.10')).to.equal(true);
  });
});
