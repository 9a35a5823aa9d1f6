import type { Worker } from 'bullmq';
import { createWorker, type QueueHandler } from '../queues/create-worker.js';
import type { FleetContext } from '../queues/context.js';
import {
  extractFileJobSchema,
  finishUploadJobSchema,
  lifecycleJobSchema,
  spellcheckJobSchema,
} from '../queues/jobs.js';
import { QueueName } from '../queues/names.js';
import { extractFile } from './extract/extract-file.js';
import { applyLifecycleJob } from './lifecycle/apply-event.js';
import { spellcheckEssay } from './spellcheck/spellcheck-essay.js';
import { finishUpload } from './upload/finish-upload.js';

type ConsumedQueue = Exclude<QueueName, typeof QueueName.dlq>;

/** The worker wrapper has parsed the payload with `schema` before `handle` sees it. */
function defineHandler<T>(h: QueueHandler<T>): QueueHandler<unknown> {
  return { ...h, handle: (payload, meta) => h.handle(payload as T, meta) };
}

/** One handler per consumed queue, bound to the process's context. */
export function handlers(ctx: FleetContext): { [Q in ConsumedQueue]: QueueHandler<unknown> } {
  const { config } = ctx;
  return {
    [QueueName.extract]: defineHandler({
      queue: QueueName.extract,
      schema: extractFileJobSchema,
      handle: (p) =>
        extractFile(p, {
          blobs: ctx.blobs,
          publisher: ctx.publisher,
          metrics: ctx.metrics,
          limits: { minChars: config.MIN_CONTENT_CHARS, maxChars: config.MAX_CONTENT_CHARS },
        }),
    }),
    [QueueName.upload]: defineHandler({
      queue: QueueName.upload,
      schema: finishUploadJobSchema,
      handle: (p) => finishUpload(p, ctx),
    }),
    [QueueName.lifecycle]: defineHandler({
      queue: QueueName.lifecycle,
      schema: lifecycleJobSchema,
      handle: (p) => applyLifecycleJob(p, ctx),
    }),
    [QueueName.spellcheck]: defineHandler({
      queue: QueueName.spellcheck,
      schema: spellcheckJobSchema,
      handle: (p) => spellcheckEssay(p),
    }),
  };
}

function concurrencyOf(ctx: FleetContext, queue: ConsumedQueue): number {
  const c = ctx.config;
  return {
    [QueueName.extract]: c.EXTRACT_CONCURRENCY,
    [QueueName.upload]: c.UPLOAD_CONCURRENCY,
    [QueueName.lifecycle]: c.LIFECYCLE_CONCURRENCY,
    [QueueName.spellcheck]: c.SPELLCHECK_CONCURRENCY,
  }[queue];
}

/** Starts one BullMQ worker per queue; fails at once if a queue has no handler. */
export function startWorkers(ctx: FleetContext, queues: QueueName[]): Worker[] {
  const table = handlers(ctx);
  for (const q of queues) {
    if (!(q in table)) throw new Error(`no handler for queue ${q}`);
  }
  return queues.map((q) =>
    createWorker(table[q as ConsumedQueue], {
      connection: ctx.redis,
      config: ctx.config,
      logger: ctx.logger,
      metrics: ctx.metrics,
      concurrency: concurrencyOf(ctx, q as ConsumedQueue),
    }),
  );
}
