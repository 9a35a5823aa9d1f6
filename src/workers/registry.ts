import type { Worker } from 'bullmq';
import { createWorker, type QueueHandler } from '../queues/create-worker.js';
import type { FleetContext } from '../queues/context.js';
import {
  extractFileJobSchema,
  finishUploadJobSchema,
  lifecycleJobSchema,
  orchestrateJobSchema,
  spellcheckJobSchema,
} from '../queues/jobs.js';
import { QueueName } from '../queues/names.js';
import type { Config } from '../shared/config.js';
import { recordDeadLetter } from '../queues/dead-letters.js';
import { queueSettings } from '../queues/queue-settings.js';
import { extractFile, reportDeadFile } from './extract/extract-file.js';
import { SandboxPool } from './extract/sandbox/pool.js';
import { applyLifecycleJob, type CrashPoint } from './lifecycle/apply-event.js';
import { orchestrate } from './orchestrate/orchestrate.js';
import { OffThreadChecker } from './spellcheck/off-thread-checker.js';
import { reportDeadSpellcheck, spellcheckEssay } from './spellcheck/spellcheck-essay.js';
import { finishUpload } from './upload/finish-upload.js';

type ConsumedQueue = Exclude<QueueName, typeof QueueName.dlq>;

/** Resources a process holds only when it consumes the queue that needs them. */
interface Resources {
  sandbox?: SandboxPool;
  checker?: OffThreadChecker;
}

/** The worker wrapper has parsed the payload with `schema` before `handle` sees it. */
function defineHandler<T>(h: QueueHandler<T>): QueueHandler<unknown> {
  return { ...h, handle: (payload, meta) => h.handle(payload as T, meta) };
}

export function sandboxOptions(config: Config) {
  return {
    size: config.EXTRACT_CONCURRENCY,
    timeoutMs: config.EXTRACT_TIMEOUT_MS,
    maxHeapMb: config.EXTRACT_MAX_HEAP_MB,
    maxRssMb: config.EXTRACT_MAX_RSS_MB,
    limits: {
      maxPdfPages: config.EXTRACT_MAX_PDF_PAGES,
      maxEntries: config.DOCX_MAX_ENTRIES,
      maxInflatedBytes: config.DOCX_MAX_INFLATED_BYTES,
      maxRatio: config.DOCX_MAX_RATIO,
    },
  };
}

/** One handler per consumed queue, bound to the process's context. */
function handlers(
  ctx: FleetContext,
  res: Resources,
): { [Q in ConsumedQueue]: QueueHandler<unknown> } {
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
          extract: (bytes, name) => res.sandbox!.extract(bytes, name),
        }),
      onDeadLetter: (p, reason) => reportDeadFile(p, ctx.publisher, reason),
    }),
    [QueueName.upload]: defineHandler({
      queue: QueueName.upload,
      schema: finishUploadJobSchema,
      handle: (p) => finishUpload(p, ctx),
      // the upload still counts: its files have (or will get) their own outcomes
      onDeadLetter: async (p) => void (await finishUpload(p, ctx)),
    }),
    [QueueName.lifecycle]: defineHandler({
      queue: QueueName.lifecycle,
      schema: lifecycleJobSchema,
      handle: (p) => applyLifecycleJob(p, { ...ctx, reached: crashHook(config.TEST_CRASH_POINT) }),
    }),
    [QueueName.orchestrate]: defineHandler({
      queue: QueueName.orchestrate,
      schema: orchestrateJobSchema,
      handle: (p) => orchestrate(p, ctx),
    }),
    [QueueName.spellcheck]: defineHandler({
      queue: QueueName.spellcheck,
      schema: spellcheckJobSchema,
      handle: (p) =>
        spellcheckEssay(p, { blobs: ctx.blobs, publisher: ctx.publisher, checker: res.checker! }),
      onDeadLetter: (p, reason) => reportDeadSpellcheck(p, ctx.publisher, reason),
    }),
  };
}

/** Test-only: a process started with TEST_CRASH_POINT kills itself the first time it gets there. */
function crashHook(point: CrashPoint | undefined): ((reached: CrashPoint) => void) | undefined {
  if (!point) return undefined;
  return (reached) => {
    if (reached === point) process.kill(process.pid, 'SIGKILL');
  };
}

/**
 * Starts one BullMQ worker per queue, with the resources those queues need; fails at once if a
 * queue has no handler. `close` releases the resources after the workers have stopped.
 */
export async function startWorkers(
  ctx: FleetContext,
  queues: QueueName[],
): Promise<{ workers: Worker[]; release(): Promise<void> }> {
  const res: Resources = {};
  if (queues.includes(QueueName.extract)) {
    res.sandbox = new SandboxPool(sandboxOptions(ctx.config));
    await res.sandbox.warm();
  }
  // dictionaries load once per process (on the checker's thread), before the first job
  if (queues.includes(QueueName.spellcheck))
    res.checker = await new OffThreadChecker(undefined, {
      englishVariant: ctx.config.ENGLISH_VARIANT,
      maxUnknownRatio: ctx.config.SPELLCHECK_MAX_UNKNOWN_RATIO,
    }).load();
  const table = handlers(ctx, res);
  for (const q of queues) {
    if (!(q in table)) throw new Error(`no handler for queue ${q}`);
  }
  const workers = queues.map((q) => {
    const settings = queueSettings(ctx.config, q);
    return createWorker(table[q as ConsumedQueue], {
      connection: ctx.redis,
      config: ctx.config,
      logger: ctx.logger,
      metrics: ctx.metrics,
      concurrency: settings.concurrency,
      ratePerSecond: settings.ratePerSecond,
      deadLetter: (letter) => recordDeadLetter(ctx.queue(QueueName.dlq), ctx.metrics, letter),
    });
  });
  return {
    workers,
    release: async () => {
      await Promise.all([res.sandbox?.close(), res.checker?.close()]);
    },
  };
}
