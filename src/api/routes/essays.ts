import { Router } from 'express';
import type { FleetContext } from '../../queues/context.js';
import { isUuid } from '../../shared/keys.js';
import { HttpError } from '../middleware/errors.js';

export function essaysRouter(ctx: FleetContext): Router {
  const router = Router();

  router.get('/v1/essays/:essay_id/text', async (req, res) => {
    const essayId = req.params.essay_id;
    const essay = isUuid(essayId) ? await ctx.batches.findEssay(essayId) : null;
    if (!essay) throw new HttpError(404, 'ESSAY_NOT_FOUND', 'no such essay, or it has no text yet');
    res.type('text/plain; charset=utf-8').send(await ctx.blobs.get(essay.text_storage_id));
  });

  return router;
}
