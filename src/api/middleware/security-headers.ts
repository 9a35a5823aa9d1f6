import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { BOARD_PATH } from '../board.js';

/**
 * helmet's headers on every answer: a strict Content-Security-Policy for our own pages (their
 * scripts and styles are files of ours, nothing inline), nosniff, no framing, no referrer. No
 * HSTS and no upgrade-insecure-requests: TLS is terminated in front of the fleet, and a fleet
 * served over plain HTTP on a private address must keep loading its own page.
 */
export function securityHeaders(): RequestHandler {
  const common = {
    referrerPolicy: { policy: 'no-referrer' as const },
    frameguard: { action: 'deny' as const },
    strictTransportSecurity: false,
  };
  const directives = {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    frameAncestors: ["'none'"],
    formAction: ["'self'"],
    // plain HTTP on a LAN address must keep working: TLS and HSTS are the proxy's job
    upgradeInsecureRequests: null,
  };
  const strict = helmet({ contentSecurityPolicy: { useDefaults: false, directives }, ...common });
  // Bull Board's page has inline style elements and attributes (its loading screen; React sets
  // the rest through the CSSOM, which CSP allows): styles may be inline, scripts may not, and
  // nothing may load from or be sent to another origin, so injected CSS has nowhere to leak to
  const board = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { ...directives, styleSrc: ["'self'", "'unsafe-inline'"] },
    },
    ...common,
  });
  return (req, res, next) =>
    req.path.startsWith(BOARD_PATH) ? board(req, res, next) : strict(req, res, next);
}
