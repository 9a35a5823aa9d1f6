import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { FleetContext } from '../../queues/context.js';
import { credentialsOf } from '../../shared/http-access.js';
import { mastersOf } from '../../shared/redis.js';
import { authMode } from './auth.js';
import { HttpError } from './errors.js';

/**
 * At most RATE_LIMIT_PER_MINUTE requests a minute to /v1 for each API token (or each client
 * address where no tokens are used), counted in Redis, so the limit holds across every web
 * process. Tokens are counted under a hash, never stored. If Redis cannot answer, the request
 * goes through: it will meet the same Redis next and fail there with a clear 503.
 */
export function rateLimitPerToken(ctx: FleetContext): RequestHandler {
  const limit = ctx.config.RATE_LIMIT_PER_MINUTE;
  if (limit === 0) return (_req, _res, next) => next();
  const byToken = authMode(ctx.config) === 'tokens';
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    passOnStoreError: true,
    // a token counts only where tokens are checked (the token check runs first, so it is a
    // valid one); anywhere else a made-up token would buy a fresh budget: count the address
    keyGenerator: (req) => {
      const token = byToken ? credentialsOf(req.get('authorization'), 'Bearer') : null;
      if (token) return `token:${createHash('sha256').update(token).digest('hex').slice(0, 32)}`;
      return `ip:${ipKeyGenerator(req.ip ?? '')}`;
    },
    store: new RedisStore({
      prefix: `${ctx.config.REDIS_KEY_PREFIX}:ratelimit:`,
      sendCommand: async (command: string, ...args: string[]) => {
        if (command.toUpperCase() === 'SCRIPT' && args[0]?.toUpperCase() === 'LOAD') {
          // load it on every node (in a cluster its key may live on any of them), as far as
          // they answer, and give the store the sha at once: a node that missed it answers
          // NOSCRIPT later and the store loads it again, instead of one failed load at start
          // switching the limit off until a restart
          await Promise.allSettled(mastersOf(ctx.redis).map((n) => n.call(command, ...args)));
          return createHash('sha1').update(args[1]!).digest('hex');
        }
        return (await ctx.redis.call(command, ...args)) as RedisReply;
      },
    }),
    handler: (_req, res, next) => {
      next(
        new HttpError(
          429,
          'RATE_LIMITED',
          `at most ${limit} requests a minute per token; try again later`,
          undefined,
          { 'Retry-After': res.getHeader('Retry-After')?.toString() ?? '60' },
        ),
      );
    },
  });
}
