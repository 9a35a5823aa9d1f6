import type { RequestHandler } from 'express';
import type { Config } from '../../shared/config.js';
import { credentialsOf, isLoopback, secretMatcher } from '../../shared/http-access.js';
import type { AuthFailures } from './auth-failures.js';
import { HttpError } from './errors.js';

export type AuthMode = 'tokens' | 'open-loopback' | 'disabled';

export class AuthConfigError extends Error {}

/**
 * With API_TOKENS the API wants a bearer token. Without, it serves only on a loopback HOST; on
 * any other address it refuses to start unless AUTH_DISABLED says an outside proxy guards it.
 */
export function authMode(config: Config): AuthMode {
  if (config.API_TOKENS.length) return 'tokens';
  if (isLoopback(config.HOST)) return 'open-loopback';
  if (config.AUTH_DISABLED) return 'disabled';
  throw new AuthConfigError(
    `HOST ${config.HOST} is not loopback and no API_TOKENS are set: anyone who can reach it could read every essay. ` +
      'Set API_TOKENS (comma-separated, 16+ characters each), bind HOST=127.0.0.1, or set AUTH_DISABLED=true if a proxy in front checks access.',
  );
}

export interface SecretCheck {
  scheme: 'Bearer' | 'Basic';
  /** Turns the header's credentials into what `accepted` lists (Basic: `user:password`). */
  decode?: (credentials: string) => string;
  accepted: string[];
  /** `WWW-Authenticate` of a refusal. */
  challenge: string;
  /** The 401's message. */
  message: string;
  failures: AuthFailures;
}

/**
 * Checks the `Authorization` header against the accepted secrets in constant time. A wrong
 * secret counts against the client's address (AUTH_FAILURES_PER_MINUTE); past the limit the
 * address gets 429 whatever it sends, a right secret included, until its minute is over.
 */
export function requireSecret(check: SecretCheck): RequestHandler {
  const matches = secretMatcher(check.accepted);
  const refuse = (status: 401 | 429, retryAfter?: number) =>
    status === 429
      ? new HttpError(
          429,
          'TOO_MANY_AUTH_FAILURES',
          'too many failed credential checks from this address; try again later',
          undefined,
          { 'Retry-After': String(retryAfter) },
        )
      : new HttpError(401, 'UNAUTHORIZED', check.message, undefined, {
          'WWW-Authenticate': check.challenge,
        });
  return (req, _res, next) => {
    const given = credentialsOf(req.get('authorization'), check.scheme);
    // no credentials (or another scheme's) is not a guess: refused, not counted
    if (given === null) return next(refuse(401));
    if (matches(check.decode ? check.decode(given) : given)) {
      check.failures
        .blocked(req)
        .then((wait) => next(wait === null ? undefined : refuse(429, wait)), next);
      return;
    }
    check.failures
      .failed(req)
      .then((wait) => next(wait === null ? refuse(401) : refuse(429, wait)), next);
  };
}

/** `Authorization: Bearer <token>` for /v1, with one of API_TOKENS. */
export function requireToken(tokens: string[], failures: AuthFailures): RequestHandler {
  return requireSecret({
    scheme: 'Bearer',
    accepted: tokens,
    challenge: 'Bearer realm="essay intake"',
    message: 'send Authorization: Bearer <token>',
    failures,
  });
}

/** `Authorization: Bearer <METRICS_TOKEN>` for /metrics (Prometheus's `authorization`). */
export function requireMetricsToken(token: string, failures: AuthFailures): RequestHandler {
  return requireSecret({
    scheme: 'Bearer',
    accepted: [token],
    challenge: 'Bearer realm="essay intake metrics"',
    message: 'send Authorization: Bearer <METRICS_TOKEN>',
    failures,
  });
}

/** HTTP Basic with the board's login. */
export function requireBoardLogin(
  username: string,
  password: string,
  failures: AuthFailures,
): RequestHandler {
  return requireSecret({
    scheme: 'Basic',
    decode: (b64) => Buffer.from(b64, 'base64').toString(),
    accepted: [`${username}:${password}`],
    challenge: 'Basic realm="essay intake board", charset="UTF-8"',
    message: 'the board needs its login',
    failures,
  });
}
