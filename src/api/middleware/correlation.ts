import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

const SAFE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's `X-Correlation-ID` when it is a safe token, otherwise a new one. */
export function correlationIdOf(req: Request): string {
  const given = req.get('x-correlation-id');
  return given && SAFE.test(given) ? given : randomUUID();
}
