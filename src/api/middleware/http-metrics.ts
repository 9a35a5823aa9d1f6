import type { RequestHandler } from 'express';
import type { Logger } from '../../shared/logger.js';
import type { Metrics } from '../../shared/metrics.js';

/**
 * Times and logs every request by its route pattern (never the raw path, which carries ids):
 * `http_request_duration_seconds{method,route,status}` and one log line at level `http` with the
 * client's address.
 */
export function observeHttp(metrics: Metrics, logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const stop = metrics.httpDuration.startTimer();
    res.on('finish', () => {
      const route = routeLabel(req.originalUrl, req.baseUrl, req.route?.path, res.statusCode);
      stop({ method: req.method, route, status: String(res.statusCode) });
      const corr = req.get('x-correlation-id');
      logger.http(`${req.method} ${route} ${res.statusCode}`, {
        phase: 'http',
        status: res.statusCode,
        duration_ms: Math.round(performance.now() - started),
        // the client's address; behind a proxy the one TRUST_PROXY lets X-Forwarded-For name
        client: req.ip,
        ...(corr ? { corr_id: corr.slice(0, 128) } : {}),
        ...(typeof req.params?.batch_id === 'string' ? { batch_id: req.params.batch_id } : {}),
        ...(typeof req.params?.essay_id === 'string' ? { essay_id: req.params.essay_id } : {}),
      });
    });
    next();
  };
}

/**
 * A bounded label: the route pattern; the board as one route (its router matches lists of
 * paths); files served from the page's folder as `static`; anything else `unmatched`.
 */
export function routeLabel(url: string, baseUrl: string, pattern: unknown, status: number): string {
  if (url.startsWith('/admin/queues')) return '/admin/queues';
  if (typeof pattern === 'string') return `${baseUrl}${pattern}`;
  if (pattern !== undefined) return `${baseUrl}(several)`;
  return status < 400 ? 'static' : 'unmatched';
}
