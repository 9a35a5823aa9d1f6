import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from './config.js';

/**
 * Who may talk to an HTTP endpoint of the fleet: the web process's routes and each worker's own
 * /metrics share these rules, so they live below both.
 */

/** Loopback addresses: the only ones served without credentials. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
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

/**
 * The credentials of an `Authorization` header in the given scheme, or null. The scheme is
 * case-insensitive (RFC 7235 §2.1: `bearer`, `BEARER` and `Bearer` are one scheme) and one or
 * more spaces part it from the credentials: the rest of the header, trimmed. Anything else (no
 * credentials, another scheme, a tab or nothing after the scheme) is no credentials at all.
 */
export function credentialsOf(
  header: string | undefined,
  scheme: 'Bearer' | 'Basic',
): string | null {
  const m = /^([A-Za-z][A-Za-z0-9._~+-]*) +(\S(?:.*\S)?) *$/.exec(header ?? '');
  return m && m[1]!.toLowerCase() === scheme.toLowerCase() ? m[2]! : null;
}

/** The loopback names a Host header may carry when ALLOWED_HOSTS is unset on a loopback HOST. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The Host names this fleet answers for: ALLOWED_HOSTS when set; else, bound to loopback, the
 * loopback names (a page on another site that rebinds its DNS name to 127.0.0.1 still sends its
 * own name, and is refused); else null: any Host (the operator names them behind a proxy).
 */
export function allowedHostsOf(config: Pick<Config, 'ALLOWED_HOSTS' | 'HOST'>): string[] | null {
  if (config.ALLOWED_HOSTS.length) return config.ALLOWED_HOSTS;
  if (!isLoopback(config.HOST)) return null;
  const bound = config.HOST.includes(':')
    ? `[${config.HOST.replace(/^\[|\]$/g, '')}]`
    : config.HOST;
  return [...new Set([...LOOPBACK_NAMES, bound.toLowerCase()])];
}

/**
 * Whether a Host header names an allowed host: names compare case-insensitively; an entry
 * without a port allows any port, `name:port` only that port. No Host at all is refused.
 */
export function hostMatcher(allowed: string[] | null): (host: string | undefined) => boolean {
  if (!allowed) return () => true;
  const entries = allowed.map((a) => splitHost(a.toLowerCase()));
  return (host) => {
    if (!host) return false;
    const given = splitHost(host.toLowerCase());
    return entries.some((e) => e.name === given.name && (e.port === '' || e.port === given.port));
  };
}

function splitHost(host: string): { name: string; port: string } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host);
  return m ? { name: m[1]!, port: m[2] ?? '' } : { name: host, port: '' };
}
