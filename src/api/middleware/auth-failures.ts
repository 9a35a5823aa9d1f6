import type { Request } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { FleetContext } from '../../queues/context.js';

export const AUTH_WINDOW_MS = 60_000;

/**
 * Failed credential checks (a wrong API token, board login or metrics token) per client address,
 * counted in Redis so the limit holds across every web process: past AUTH_FAILURES_PER_MINUTE
 * in a minute, the address is answered 429 until the minute is over, whatever it sends, so a
 * right guess looks like a wrong one. Requests without credentials are not guesses and do not
 * count (the upload page's first request, a browser before the board's login prompt).
 */
export class AuthFailures {
  private readonly limit: number;
  private readonly prefix: string;

  constructor(private readonly ctx: FleetContext) {
    this.limit = ctx.config.AUTH_FAILURES_PER_MINUTE;
    this.prefix = `${ctx.config.REDIS_KEY_PREFIX}:authfail:`;
  }

  /**
   * Counts a failed check: one atomic step (the window starts with the first failure, and INCR
   * keeps its expiry), so a burst sent in parallel is counted exactly. Answers whether the client
   * is now over the limit, and for how many seconds.
   */
  async failed(req: Request): Promise<number | null> {
    if (this.limit === 0) return null;
    const key = this.keyOf(req);
    try {
      const replies = await this.ctx.redis
        .multi()
        .set(key, 0, 'PX', AUTH_WINDOW_MS, 'NX')
        .incr(key)
        .pttl(key)
        .exec();
      const count = Number(replies?.[1]?.[1]);
      return count > this.limit ? retryAfter(Number(replies?.[2]?.[1])) : null;
    } catch (err) {
      this.ctx.logger.warn('could not count a failed credential check', {
        error: (err as Error).message,
      });
      return null;
    }
  }

  /**
   * Whether a client that passed its check is blocked all the same (seconds to wait), because it
   * failed too often this minute. If Redis cannot say, the request goes on: it meets the same
   * Redis next and fails there with a clear 503.
   */
  async blocked(req: Request): Promise<number | null> {
    if (this.limit === 0) return null;
    try {
      const key = this.keyOf(req);
      const [[, count], [, ttl]] = (await this.ctx.redis.multi().get(key).pttl(key).exec()) as [
        [unknown, string | null],
        [unknown, number],
      ];
      return Number(count ?? 0) >= this.limit ? retryAfter(ttl) : null;
    } catch {
      return null;
    }
  }

  private keyOf(req: Request): string {
    // an IPv6 client is counted by its /56, as the request rate limit does: one host has many
    return `${this.prefix}${ipKeyGenerator(req.ip ?? '')}`;
  }
}

function retryAfter(pttl: number): number {
  return Math.max(1, Math.ceil((pttl > 0 ? pttl : AUTH_WINDOW_MS) / 1000));
}
