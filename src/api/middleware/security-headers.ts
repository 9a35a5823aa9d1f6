import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * helmet's headers on every answer: a strict Content-Security-Policy for our own pages (their
 * scripts and styles are files of ours, nothing inline), nosniff, no framing, no referrer.
 * Bull Board ships inline scripts and styles, so its pages get every header but the CSP.
 */
export function securityHeaders(): RequestHandler {
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
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
  const board = helmet({ contentSecurityPolicy: false, referrerPolicy: { policy: 'no-referrer' } });
  return (req, res, next) =>
    req.path.startsWith('/admin/') ? board(req, res, next) : strict(req, res, next);
}
