import { Router } from 'express';
import { z } from 'zod';
import type { FleetContext } from '../../queues/context.js';
import { listDeadLetters, redriveDeadLetter } from '../../queues/redrive.js';
import { HttpError } from '../middleware/errors.js';

/** A DLQ record's id (`<source queue>.<job id>.<failed at>`): job ids here are ids and hashes. */
export const deadLetterIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,300}$/);

/**
 * The dead-letter queue over HTTP, for the CLI and scripts: the same view and the same Retry as
 * the board, behind the API's tokens. Redrive wants a JSON body (`{}`), so a page on another
 * origin cannot send it without a preflight, which the API never answers.
 */
export function deadLettersRouter(ctx: FleetContext): Router {
  const router = Router();
  const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

  router.get('/v1/dead-letters', async (req, res) => {
    const query = listQuery.safeParse(req.query);
    if (!query.success)
      throw new HttpError(400, 'INVALID_LIMIT', 'limit is a whole number from 1 to 500');
    res.json({ dead_letters: await listDeadLetters(ctx.queue, query.data.limit) });
  });

  router.post('/v1/dead-letters/:id/redrive', async (req, res) => {
    if (!req.is('application/json'))
      throw new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'send {} with Content-Type: application/json',
      );
    const id = deadLetterIdSchema.safeParse(req.params.id);
    const outcome = id.success
      ? await redriveDeadLetter(ctx.queue, id.data)
      : { kind: 'not_found' as const };
    if (outcome.kind === 'not_found')
      throw new HttpError(404, 'DEAD_LETTER_NOT_FOUND', 'no such dead letter');
    if (outcome.kind === 'not_failed')
      throw new HttpError(
        409,
        'NOT_DEAD',
        `its job is ${outcome.letter.job_state}, not failed: redriven already, or removed`,
        { job_state: outcome.letter.job_state },
      );
    ctx.logger.info(`dead letter ${outcome.letter.id} redriven`, {
      phase: outcome.letter.source_queue,
      status: 'redriven',
      job_id: outcome.letter.job_id,
      corr_id: outcome.letter.correlation_id,
    });
    res.status(202).json(outcome.letter);
  });

  return router;
}
