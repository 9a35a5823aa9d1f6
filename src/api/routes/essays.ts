import contentDisposition from 'content-disposition';
import { Router } from 'express';
import type { FleetContext } from '../../queues/context.js';
import { isUuid } from '../../shared/keys.js';
import { HttpError } from '../middleware/errors.js';

export function essaysRouter(ctx: FleetContext): Router {
  const router = Router();

  /** The extracted text, or with `?variant=corrected` the spellchecked text. */
  router.get('/v1/essays/:essay_id/text', async (req, res) => {
    const essayId = req.params.essay_id;
    const variant = req.query.variant ?? 'original';
    if (variant !== 'original' && variant !== 'corrected')
      throw new HttpError(400, 'INVALID_VARIANT', 'variant is "original" or "corrected"');
    const essay = isUuid(essayId) ? await ctx.batches.view.findEssay(essayId) : null;
    if (!essay) throw new HttpError(404, 'ESSAY_NOT_FOUND', 'no such essay, or it has no text yet');
    let storageId = essay.text_storage_id;
    if (variant === 'corrected') {
      const result = await ctx.batches.view.phaseResultOf(essay.batch_id, 'spellcheck', essayId);
      if (!result?.corrected_text_storage_id)
        throw new HttpError(404, 'NOT_SPELLCHECKED', 'the essay has no spellchecked text (yet)');
      storageId = result.corrected_text_storage_id;
    }
    // the student's file name, for display only (never a path): an ASCII fallback for old
    // clients and the real name as filename*=UTF-8'' (RFC 6266 / 5987), so uppsats_åäö.txt
    // downloads as uppsats_åäö.txt
    const base = essay.original_file_name.replace(/\.[^.]*$/, '') || 'essay';
    const name = `${base}${variant === 'corrected' ? '.corrected' : ''}.txt`;
    res
      .type('text/plain; charset=utf-8')
      .set(
        'Content-Disposition',
        contentDisposition(name, { type: 'inline', fallback: asciiFallback(name) }),
      )
      .send(await ctx.blobs.get(storageId));
  });

  return router;
}

/** The name in plain ASCII: letters without their accents (å → a), anything else as _. */
export function asciiFallback(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]|["\\%]/g, '_');
}
