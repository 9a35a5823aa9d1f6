import type { Worker } from 'bullmq';
import { cappedBackoff } from '../queues/create-queue.js';
import { createWorker, type QueueHandler } from '../queues/create-worker.js';
import type { FleetContext } from '../queues/context.js';
import { scheduleJanitor, scheduleUploadLease } from '../queues/clocks.js';
import { startDeadLetterSweep } from '../queues/dead-letters.js';
import { uploadFlowExists } from '../queues/flows.js';
import { handToOcr } from '../queues/ocr.js';
import {
  extractFileJobSchema,
  finishUploadJobSchema,
  lifecycleJobSchema,
  maintenanceJobSchema,
  ocrFileJobSchema,
  orchestrateJobSchema,
  spellcheckJobSchema,
  webhookJobSchema,
  type ExtractFileJob,
  type ExtractResult,
  type OcrFileJob,
  type UploadLeaseJob,
} from '../queues/jobs.js';
import { QueueName, queueNames } from '../queues/names.js';
import { cleanFinishedJobs, trimDeadLetters } from '../queues/retention.js';
import { queueSettings } from '../queues/queue-settings.js';
import type { Config } from '../shared/config.js';
import { blobsNamedInRedis, collectBlobs } from '../shared/blob-collector.js';
import { crashHook } from '../shared/crash-hook.js';
import { ensureOcrTools } from '../shared/ocr-tools.js';
import { bullPrefix } from '../shared/keys.js';
import type { FileProcessedNotice } from '../shared/events/notice.js';
import { runBatchStep } from './batch-step.js';
import { extractFile } from './extract/extract-file.js';
import { SandboxPool } from './extract/sandbox/pool.js';
import { keepHouse } from './janitor/keep-house.js';
import { ocrDocument, type OcrOptions } from './ocr/ocr-document.js';
import { ocrFile } from './ocr/ocr-file.js';
import { keepBatchClock, strikeDeadClock } from './lifecycle/batch-clock.js';
import { orchestrate } from './orchestrate/orchestrate.js';
import { OffThreadChecker } from './spellcheck/off-thread-checker.js';
import { reportDeadSpellcheck, spellcheckEssay } from './spellcheck/spellcheck-essay.js';
import { finishUpload } from './upload/finish-upload.js';
import { deliverWebhook } from './webhooks/deliver-webhook.js';

type ConsumedQueue = Exclude<QueueName, typeof QueueName.dlq>;

/** Resources a process holds only when it consumes the queue that needs them. */
interface Resources {
  sandbox?: SandboxPool;
  checker?: OffThreadChecker;
}

/** What OCR may cost per page, and when its reading is too unsure to pass for the essay. */
export function ocrOptions(config: Config): OcrOptions {
  return {
    timeoutMs: config.OCR_TIMEOUT_MS,
    maxRssMb: config.OCR_MAX_RSS_MB,
    maxPages: config.OCR_MAX_PAGES,
    maxMegapixels: config.OCR_MAX_MEGAPIXELS,
    minConfidence: config.OCR_MIN_CONFIDENCE,
  };
}

/** Tesseract's languages for a batch: its course's, or both (OCR_LANGUAGES=both). */
function ocrLanguages(config: Config, language: 'en' | 'sv'): OcrFileJob['languages'] {
  if (config.OCR_LANGUAGES === 'both') return 'swe+eng';
  return language === 'sv' ? 'swe' : 'eng';
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
  const { config, batches } = ctx;
  const step = {
    publisher: ctx.publisher,
    metrics: ctx.metrics,
    crash: crashHook(config.TEST_CRASH_POINT),
  };
  const clockDeps = {
    ...step,
    transitions: batches.transitions,
    uploadFlowExists: (uploadId: string) => uploadFlowExists(ctx.queue, uploadId),
    renewLease: (job: UploadLeaseJob) =>
      scheduleUploadLease(
        ctx.queue,
        job.batch_id,
        job.upload_id,
        job.correlation_id,
        config.UPLOAD_LEASE_SECONDS,
        job.round + 1,
      ),
  };
  const webhookEndpoints = new Map(config.WEBHOOK_ENDPOINTS.map((e) => [e.key, e]));
  const uploadDeps = {
    ...step,
    transitions: batches.transitions,
    recordDeadChildren: async (children: { queue: QueueName; id: string }[]) => {
      for (const { queue, id } of children) await ctx.deadLetters.recordById(ctx.queue(queue), id);
    },
  };
  const report = (job: ExtractFileJob, outcome: ExtractResult['outcome']) =>
    runBatchStep(job.batch_id, job.correlation_id, step, () =>
      batches.transitions.report(
        job.batch_id,
        job.upload_id,
        {
          file_upload_id: job.file_upload_id,
          original_file_name: job.original_file_name,
          raw_storage_id: job.raw_storage_id,
          outcome,
        },
        fileNotice(job, outcome),
      ),
    );
  // a dead child's outcome is its parent's to give (the parent reads its failure and records the
  // death); one that died again after that is recorded here, unless its file got a real outcome
  // after all (its work was not lost); its batch's outbox is drained (a late child that died
  // after its step left its events there)
  const onDeadChild = async (p: ExtractFileJob) => {
    await ctx.publisher.drainOutbox(p.batch_id, p.correlation_id);
    const state = await batches.view.fileState(p.batch_id, p.upload_id, p.file_upload_id);
    if (state.registered && !state.uploadApplied) return 'later' as const;
    if (state.registered && state.outcome !== 'PROCESSING_FAILED') return 'skip' as const;
    return undefined;
  };
  const ocr = ocrOptions(config);
  return {
    [QueueName.extract]: defineHandler({
      queue: QueueName.extract,
      schema: extractFileJobSchema,
      handle: (p) =>
        extractFile(p, {
          blobs: ctx.blobs,
          metrics: ctx.metrics,
          limits: { minChars: config.MIN_CONTENT_CHARS, maxChars: config.MAX_CONTENT_CHARS },
          extract: (bytes, name) => res.sandbox!.extract(bytes, name),
          report,
          handToOcr: async (job, format) =>
            handToOcr(ctx.queue, config, {
              ...job,
              format,
              languages: ocrLanguages(config, await batches.registry.language(job.batch_id)),
            }),
        }),
      onDeadLetter: onDeadChild,
    }),
    [QueueName.ocr]: defineHandler<OcrFileJob>({
      queue: QueueName.ocr,
      schema: ocrFileJobSchema,
      handle: (p) =>
        ocrFile(p, {
          blobs: ctx.blobs,
          metrics: ctx.metrics,
          limits: { minChars: config.MIN_CONTENT_CHARS, maxChars: config.MAX_CONTENT_CHARS },
          ocr: (bytes, job) => ocrDocument(bytes, job.format, job.languages, ocr),
          report,
        }),
      onDeadLetter: onDeadChild,
    }),
    [QueueName.upload]: defineHandler({
      queue: QueueName.upload,
      schema: finishUploadJobSchema,
      handle: (p, meta) => finishUpload(p, uploadDeps, meta.children),
      // the upload still counts: its files get their outcomes from what their jobs left
      onDeadLetter: async (p, _reason, meta) =>
        void (await finishUpload(p, uploadDeps, meta.children)),
    }),
    [QueueName.lifecycle]: defineHandler({
      queue: QueueName.lifecycle,
      schema: lifecycleJobSchema,
      handle: (p, meta) => keepBatchClock(p, clockDeps, meta.dueAt),
      onDeadLetter: (p) => strikeDeadClock(p, clockDeps),
    }),
    [QueueName.orchestrate]: defineHandler({
      queue: QueueName.orchestrate,
      schema: orchestrateJobSchema,
      handle: (p) => orchestrate(p, ctx),
      onDeadLetter: async (p) => void (await orchestrate(p, ctx)),
    }),
    [QueueName.maintenance]: defineHandler({
      queue: QueueName.maintenance,
      schema: maintenanceJobSchema,
      handle: (_p, meta) =>
        keepHouse({
          trimDeadLetters: () =>
            trimDeadLetters(
              ctx.queue(QueueName.dlq),
              config.DLQ_RETENTION_SECONDS * 1000,
              config.DLQ_MAX_RECORDS,
            ),
          cleanFinishedJobs: () =>
            cleanFinishedJobs(
              queueNames.filter((q) => q !== QueueName.dlq).map(ctx.queue),
              config.JOB_RETENTION_SECONDS * 1000,
            ),
          // every batch's keys, and every queue's (job data, return values, children's values)
          namedBlobs: () =>
            blobsNamedInRedis(ctx.redis, [
              `${config.REDIS_KEY_PREFIX}:batch:*`,
              `${bullPrefix(config.REDIS_KEY_PREFIX)}:*`,
            ]),
          collectBlobs: (named) =>
            collectBlobs({
              store: ctx.blobs,
              claims: ctx.claims,
              named,
              cutoff: Date.now() - config.BLOB_GRACE_SECONDS * 1000,
            }),
          log: meta.log,
        }),
    }),
    [QueueName.spellcheck]: defineHandler({
      queue: QueueName.spellcheck,
      schema: spellcheckJobSchema,
      handle: (p) =>
        spellcheckEssay(p, { blobs: ctx.blobs, publisher: ctx.publisher, checker: res.checker! }),
      onDeadLetter: (p, reason) => reportDeadSpellcheck(p, ctx.publisher, reason),
    }),
    [QueueName.webhook]: defineHandler({
      queue: QueueName.webhook,
      schema: webhookJobSchema,
      handle: (p, meta) =>
        deliverWebhook(p, {
          endpoints: webhookEndpoints,
          timeoutMs: config.WEBHOOK_TIMEOUT_MS,
          metrics: ctx.metrics,
          log: meta.log,
        }),
      // a dead delivery has no subject in a batch: its DLQ record and the board's Retry are all
    }),
  };
}

/** The live notice of a finished file (not kept: the upload's events are the record). */
function fileNotice(job: ExtractFileJob, outcome: ExtractResult['outcome']): FileProcessedNotice {
  return {
    notice: 'file_processed' as const,
    batch_id: job.batch_id,
    upload_id: job.upload_id,
    file_upload_id: job.file_upload_id,
    original_file_name: job.original_file_name,
    outcome: outcome.kind,
    ...(outcome.kind === 'failure' ? { error_code: outcome.error_code } : {}),
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
  // tesseract and pdftoppm, installed when missing as the private redis-server is
  if (queues.includes(QueueName.ocr)) ensureOcrTools((msg) => ctx.logger.info(msg));
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
      ...(settings.backoff.maxDelayMs === undefined
        ? {}
        : { backoffStrategy: cappedBackoff(ctx.config, q) }),
    });
  });
  if (queues.includes(QueueName.maintenance))
    await scheduleJanitor(ctx.queue, ctx.config.JANITOR_INTERVAL_SECONDS);
  const sweep = startDeadLetterSweep(
    ctx,
    queues.map((q) => table[q as ConsumedQueue]),
  );
  return {
    workers,
    release: async () => {
      sweep.stop();
      await Promise.all([res.sandbox?.close(), res.checker?.close()]);
    },
  };
}
