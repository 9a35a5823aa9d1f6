import { createHash, timingSafeEqual } from 'node:crypto';

/** Loopback addresses: the only ones served without credentials. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * A matcher for secrets (tokens, logins), comparing fixed-size digests in constant time and
 * against every accepted secret, so the time says nothing about which one, if any, matched.
 */
export function secretMatcher(accepted: string[]): (given: string) => boolean {
  const expected = accepted.map(digest);
  return (given) => {
    const g = digest(given);
    return expected.map((e) => timingSafeEqual(e, g)).includes(true);
  };
}
