import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { FleetContext } from '../../queues/context.js';
import { scheduleUploadLease } from '../../queues/clocks.js';
import { addUploadFlow, uploadFlowExists } from '../../queues/flows.js';
import { crashHook } from '../../shared/crash-hook.js';
import { correlationIdOf } from '../middleware/correlation.js';
import { HttpError } from '../middleware/errors.js';
import { backlogGuard } from '../upload/backlog.js';
import { receiveFiles } from '../upload/receive-files.js';
import { answerFiles } from '../upload/upload-answer.js';

export function filesRouter(ctx: FleetContext): Router {
  const router = Router();
  const checkBacklog = backlogGuard(ctx);
  const crash = crashHook(ctx.config.TEST_CRASH_POINT);

  /** Streams the files into storage, then adds one flow: extract each file, then finish upload. */
  router.post('/v1/files/batch', async (req, res) => {
    if (!req.is('multipart/form-data'))
      throw new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'send multipart/form-data with a batch_id field and files',
      );
    await checkBacklog();
    const { batchId, batchCorrelationId, files } = await receiveFiles(req, {
      blobs: ctx.blobs,
      maxFileBytes: ctx.config.MAX_FILE_BYTES,
      maxFiles: ctx.config.MAX_FILES_PER_REQUEST,
      maxRequestBytes: ctx.config.MAX_REQUEST_BYTES,
      idleTimeoutMs: ctx.config.UPLOAD_IDLE_TIMEOUT_MS,
      batchCorrelation: (id) => ctx.batches.registry.correlationId(id),
      onBytes: (n) => ctx.metrics.uploadBytes.inc(n),
    });
    // events of this upload carry the client's id, or else the batch's
    const correlationId = req.get('x-correlation-id') ? correlationIdOf(req) : batchCorrelationId;
    if (files.length === 0) throw new HttpError(400, 'NO_FILES', 'the request carried no files');
    // refused here, counted here: the one place that sees each refused part once
    for (const f of files)
      if (f.rejected_code) ctx.metrics.validationFailed.inc({ error_code: f.rejected_code });
    // what the files will meet, read before this upload can change it (a prediction: another
    // upload may complete the batch meanwhile; the batch view has the last word)
    const intake = await ctx.batches.view.intake(
      batchId,
      files.flatMap((f) => (f.raw_storage_id && !f.rejected_code ? [f.raw_storage_id] : [])),
    );
    const uploadId = randomUUID();
    // from here the batch waits for this upload: it cannot become ready while its files are in
    // flight. The lease comes first, so an announced upload always has one: if this process dies
    // before the flow is added, the lease ends the wait (the client's retry is a new upload)
    await scheduleUploadLease(
      ctx.queue,
      batchId,
      uploadId,
      correlationId,
      ctx.config.UPLOAD_LEASE_SECONDS,
    );
    await ctx.batches.transitions.announce(batchId, uploadId, files.length);
    crash?.('after-announce');
    try {
      await addUploadFlow(
        ctx.flows,
        ctx.config,
        {
          batch_id: batchId,
          upload_id: uploadId,
          expected_count: files.length,
          upload_ts: new Date().toISOString(),
          correlation_id: correlationId,
          files,
        },
        files.flatMap((f) =>
          f.raw_storage_id && !f.rejected_code
            ? [
                {
                  batch_id: batchId,
                  upload_id: uploadId,
                  file_upload_id: f.file_upload_id,
                  original_file_name: f.original_file_name,
                  raw_storage_id: f.raw_storage_id,
                  size_bytes: f.size_bytes,
                  correlation_id: correlationId,
                },
              ]
            : [],
        ),
      );
    } catch (err) {
      // the flow was not added: the batch need not wait for the lease (unless it was added
      // after all and only its answer was lost: then the parent applies it)
      await uploadFlowExists(ctx.queue, uploadId)
        .then((exists) =>
          ctx.batches.transitions.expireLease(
            batchId,
            uploadId,
            exists,
            'its flow could not be added',
          ),
        )
        .then((r) => ctx.publisher.publishOutbox(batchId, r.outbox, correlationId))
        .catch(() => undefined);
      throw err;
    }
    res.status(202).json({
      batch_id: batchId,
      correlation_id: correlationId,
      upload_id: uploadId,
      batch_status: intake.status,
      files: answerFiles(files, intake),
    });
  });

  return router;
}
