import type { FleetContext } from '../../queues/context.js';
import { QueueName } from '../../queues/names.js';
import { HttpError } from '../middleware/errors.js';

/**
 * Refuses uploads while the extraction backlog is above its high-water mark, so a burst waits at
 * the client (503 with Retry-After) instead of piling up in Redis. The count is cached for a
 * second: one Redis call per second, not per request.
 */
export function backlogGuard(ctx: FleetContext): () => Promise<void> {
  let cached = { at: 0, waiting: 0 };
  return async () => {
    if (Date.now() - cached.at > 1000) {
      cached = { at: Date.now(), waiting: await ctx.queue(QueueName.extract).getWaitingCount() };
    }
    if (cached.waiting > ctx.config.EXTRACT_BACKLOG_HIGH_WATER)
      throw new HttpError(
        503,
        'BACKLOG_FULL',
        `${cached.waiting} files are waiting for extraction; try again shortly`,
        undefined,
        { 'Retry-After': '30', Connection: 'close' },
      );
  };
}
