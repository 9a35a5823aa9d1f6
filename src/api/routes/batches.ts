import { randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { FleetContext } from '../../queues/context.js';
import { scheduleReadinessTimeout } from '../../queues/clocks.js';
import { isUuid } from '../../shared/keys.js';
import { correlationIdOf } from '../middleware/correlation.js';
import { HttpError } from '../middleware/errors.js';

export function registerBodySchema(maxExpected: number) {
  return z
    .object({
      expected_essay_count: z.number().int().min(1).max(maxExpected),
      course_code: z
        .string()
        .trim()
        .min(1)
        .max(32)
        .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only'),
      essay_instructions: z.string().max(20_000).optional(),
      class_designation: z.string().max(100).optional(),
      teacher_name: z.string().max(200).optional(),
      language: z.enum(['en', 'sv']).optional(),
      readiness_timeout_seconds: z
        .number()
        .int()
        .min(1)
        .max(30 * 24 * 3600)
        .optional(),
    })
    .strict();
}

/** `course_code` starting with SV means Swedish; an explicit `language` wins. */
export function languageOf(courseCode: string, explicit?: 'en' | 'sv'): 'en' | 'sv' {
  return explicit ?? (/^sv/i.test(courseCode) ? 'sv' : 'en');
}

export function batchIdParam(value: string | string[] | undefined): string {
  if (typeof value !== 'string' || !isUuid(value))
    throw new HttpError(404, 'BATCH_NOT_FOUND', 'no such batch');
  return value;
}

export function batchesRouter(ctx: FleetContext): Router {
  const router = Router();
  const bodySchema = registerBodySchema(ctx.config.MAX_EXPECTED_ESSAYS);

  router.post('/v1/batches/register', async (req, res) => {
    if (!req.is('application/json'))
      throw new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'send a JSON body with Content-Type: application/json',
      );
    const body = bodySchema.parse(req.body ?? {});
    const batchId = randomUUID();
    const correlationId = correlationIdOf(req);
    const timeoutSeconds = body.readiness_timeout_seconds ?? ctx.config.READINESS_TIMEOUT_SECONDS;
    // The timeout is scheduled first: a timeout for a batch that was never stored is a no-op,
    // while a stored batch without its timeout could wait forever.
    await scheduleReadinessTimeout(ctx.queue, batchId, correlationId, timeoutSeconds);
    await ctx.batches.registry.register({
      batch_id: batchId,
      expected_count: body.expected_essay_count,
      course_code: body.course_code,
      language: languageOf(body.course_code, body.language),
      essay_instructions: body.essay_instructions,
      class_designation: body.class_designation,
      teacher_name: body.teacher_name,
      readiness_timeout_seconds: timeoutSeconds,
      correlation_id: correlationId,
    });
    res
      .status(202)
      .json({ batch_id: batchId, correlation_id: correlationId, status: 'registered' });
  });

  router.get('/v1/batches/:batch_id', async (req, res) => {
    const view = await ctx.batches.view.get(batchIdParam(req.params.batch_id));
    if (!view) throw new HttpError(404, 'BATCH_NOT_FOUND', 'no such batch');
    res.json(view);
  });

  router.get('/v1/batches/:batch_id/events', async (req, res) => {
    const batchId = batchIdParam(req.params.batch_id);
    if (!(await ctx.batches.registry.exists(batchId)))
      throw new HttpError(404, 'BATCH_NOT_FOUND', 'no such batch');
    if (req.get('accept')?.includes('text/event-stream'))
      return streamEvents(ctx, batchId, req, res);
    res.json({ events: await ctx.batches.log.events(batchId) });
  });

  return router;
}

/**
 * Server-Sent Events: replays the batch's event log, then follows it. Each event's `id` is its
 * position in the log, so a client reconnecting with `Last-Event-ID` misses nothing. Between
 * them come `notice` events (`{notice: "file_processed", file_upload_id, outcome, ...}`): a file
 * finished extraction, before its upload is applied; they are live only, and not replayed.
 */
async function streamEvents(
  ctx: FleetContext,
  batchId: string,
  req: Request,
  res: Response,
): Promise<void> {
  const lastSeen = Number(req.get('last-event-id'));
  let sent = Number.isInteger(lastSeen) && lastSeen >= 0 ? lastSeen + 1 : 0;
  let running = false;
  let again = false;
  let closed = false;
  const flush = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        for (const json of await ctx.batches.log.read(batchId, sent)) {
          if (closed) return;
          const type = (JSON.parse(json) as { event_type: string }).event_type;
          res.write(`id: ${sent}\nevent: ${type}\ndata: ${json}\n\n`);
          sent++;
        }
      } while (again && !closed);
    } catch (err) {
      ctx.logger.warn('event stream read failed', {
        batch_id: batchId,
        error: (err as Error).message,
      });
    } finally {
      running = false;
    }
  };
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  // subscribe before the replay, so an event appended in between is not missed; the close
  // handler comes first, so a client gone during the subscription leaves nothing behind. The
  // channel carries the log's growth and live notices of files as they finish (not kept, no id:
  // the upload's events in the log are the record)
  const subscription = ctx.feed().listen(ctx.batches.log.channel(batchId), (message) => {
    if (!message.startsWith('{')) return void flush();
    if (!closed) res.write(`event: notice\ndata: ${message}\n\n`);
  });
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  req.on('close', () => {
    closed = true;
    clearInterval(keepAlive);
    subscription.then(
      (stop) => stop(),
      () => undefined,
    );
  });
  await subscription;
  await flush();
}
