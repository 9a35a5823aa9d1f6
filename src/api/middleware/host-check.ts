import type { RequestHandler } from 'express';
import { hostMatcher } from '../../shared/http-access.js';
import { HttpError } from './errors.js';

/**
 * Answers only for the allowed Host names (ALLOWED_HOSTS, by default the loopback names on a
 * loopback HOST): a page on another site whose DNS name is rebound to this address, or a proxy
 * passing on a name it should not, gets 421 on every route before anything else runs.
 */
export function requireAllowedHost(allowed: string[] | null): RequestHandler {
  const allows = hostMatcher(allowed);
  return (req, _res, next) => {
    if (allows(req.get('host'))) return next();
    // the refused name is not echoed: it is the caller's to know
    next(
      new HttpError(
        421,
        'MISDIRECTED_REQUEST',
        'this server does not answer for that Host; see ALLOWED_HOSTS',
      ),
    );
  };
}
