import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's headers on every answer: a strict Content-Security-Policy for our own pages (their
 * scripts and styles are files of ours, nothing inline), nosniff, no framing, no referrer.
 * Bull Board ships inline scripts and styles, so its pages get every header but the CSP. No
 * HSTS and no upgrade-insecure-requests: TLS is terminated in front of the fleet, and a fleet
 * served over plain HTTP on a private address must keep loading its own page.
 */
export function securityHeaders(): RequestHandler {
  const common = {
    referrerPolicy: { policy: 'no-referrer' as const },
    frameguard: { action: 'deny' as const },
    strictTransportSecurity: false,
  };
  const strict = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        // plain HTTP on a LAN address must keep working: TLS and HSTS are the proxy's job
        upgradeInsecureRequests: null,
      },
    },
    ...common,
  });
  const board = helmet({ contentSecurityPolicy: false, ...common });
  return (req, res, next) =>
    req.path.startsWith('/admin/') ? board(req, res, next) : strict(req, res, next);
}
