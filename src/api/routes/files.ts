import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { FleetContext } from '../../queues/context.js';
import { addUploadFlow } from '../../queues/flows.js';
import { eventId } from '../../shared/events/event-id.js';
import { Phase } from '../../shared/events/vocabulary.js';
import { correlationIdOf } from '../middleware/correlation.js';
import { HttpError } from '../middleware/errors.js';
import { backlogGuard } from '../upload/backlog.js';
import { receiveFiles } from '../upload/receive-files.js';

export function filesRouter(ctx: FleetContext): Router {
  const router = Router();
  const checkBacklog = backlogGuard(ctx);

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
      batchCorrelation: (id) => ctx.batches.correlationId(id),
      onBytes: (n) => ctx.metrics.uploadBytes.inc(n),
    });
    // events of this upload carry the client's id, or else the batch's
    const correlationId = req.get('x-correlation-id') ? correlationIdOf(req) : batchCorrelationId;
    if (files.length === 0) throw new HttpError(400, 'NO_FILES', 'the request carried no files');
    const uploadId = randomUUID();
    // from here the batch waits for this upload: it cannot become ready while files are in flight
    await ctx.batches.transition(
      batchId,
      'web',
      eventId(batchId, uploadId, Phase.upload, 'announced'),
      {
        op: 'upload_announced',
        upload_id: uploadId,
        expected_count: files.length,
      },
    );
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
        },
        files.map((f) => ({
          ...f,
          batch_id: batchId,
          upload_id: uploadId,
          correlation_id: correlationId,
        })),
      );
    } catch (err) {
      // the flow was not added: let the batch stop waiting for this upload (the client retries)
      await ctx.batches
        .transition(batchId, 'web', eventId(batchId, uploadId, Phase.upload, 'abandoned'), {
          op: 'upload_abandoned',
          upload_id: uploadId,
        })
        .catch(() => undefined);
      throw err;
    }
    res.status(202).json({
      batch_id: batchId,
      correlation_id: correlationId,
      upload_id: uploadId,
      files: files.map((f) => ({
        file_upload_id: f.file_upload_id,
        original_file_name: f.original_file_name,
        size_bytes: f.size_bytes,
        raw_storage_id: f.raw_storage_id,
        status: f.rejected_code ? 'rejected' : 'accepted',
        ...(f.rejected_code ? { error_code: f.rejected_code } : {}),
      })),
    });
  });

  return router;
}
