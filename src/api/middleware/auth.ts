import type { RequestHandler } from 'express';
import type { Config } from '../../shared/config.js';
import { isLoopback, secretMatcher } from './credentials.js';
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

/** Checks `Authorization: Bearer <token>` against every configured token in constant time. */
export function requireToken(tokens: string[]): RequestHandler {
  const matches = secretMatcher(tokens);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    if (header.startsWith('Bearer ') && matches(header.slice(7).trim())) return next();
    res.set('WWW-Authenticate', 'Bearer realm="essay intake"');
    next(new HttpError(401, 'UNAUTHORIZED', 'send Authorization: Bearer <token>'));
  };
}
