import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '../../shared/logger.js';

/** An error the API answers with `{error: {code, message, details?}}` and a status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound: RequestHandler = (req, _res, next) =>
  next(new HttpError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`));

/** Redis down, or a command that gave up: the client may try again. */
function isUnavailable(err: Error): boolean {
  return /Connection is closed|MaxRetriesPerRequest|ECONNREFUSED|Stream isn't writeable|Redis not reachable/i.test(
    err.message,
  );
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: Error & { status?: number; type?: string }, req, res, _next) => {
    let e: HttpError;
    if (err instanceof HttpError) e = err;
    else if (err instanceof ZodError)
      e = new HttpError(400, 'VALIDATION_FAILED', 'the request body is not valid', err.issues);
    else if (err.type === 'entity.too.large') e = new HttpError(413, 'BODY_TOO_LARGE', err.message);
    else if (err.type === 'entity.parse.failed')
      e = new HttpError(400, 'INVALID_JSON', err.message);
    else if (err.status && err.status >= 400 && err.status < 500)
      e = new HttpError(err.status, 'BAD_REQUEST', err.message);
    else if (isUnavailable(err))
      e = new HttpError(
        503,
        'SERVICE_UNAVAILABLE',
        'storage is unavailable; try again shortly',
        undefined,
        {
          'Retry-After': '5',
        },
      );
    else {
      logger.error('request failed', { path: req.path, error: err.message, stack: err.stack });
      e = new HttpError(500, 'INTERNAL', 'internal error');
    }
    if (res.headersSent) return res.end();
    // a request refused before its body was read (401, 413, 415, 429 on an upload): close the
    // connection rather than read and drop the rest of the body
    if (!req.complete) res.set('Connection', 'close');
    res.set(e.headers);
    res.status(e.status).json({
      error: {
        code: e.code,
        message: e.message,
        ...(e.details === undefined ? {} : { details: e.details }),
      },
    });
  };
}
