import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { BlobStore } from '../../shared/blob-store.js';
import { ErrorCode } from '../../shared/errors.js';
import { isUuid } from '../../shared/keys.js';
import { HttpError } from '../middleware/errors.js';
import { displayFileName } from './file-name.js';

export interface ReceivedFile {
  file_upload_id: string;
  original_file_name: string;
  size_bytes: number;
  /** null when the part broke a limit and its bytes were not kept. */
  raw_storage_id: string | null;
  rejected_code?: ErrorCode;
}

export interface ReceiveOptions {
  blobs: BlobStore;
  maxFileBytes: number;
  maxFiles: number;
  /** The whole body; past it the request is answered 413 REQUEST_TOO_LARGE. */
  maxRequestBytes: number;
  /** No bytes for this long: the upload is answered 408 UPLOAD_STALLED. */
  idleTimeoutMs: number;
  /** The batch's correlation id, or null when no such batch is registered. */
  batchCorrelation(batchId: string): Promise<string | null>;
  onBytes(n: number): void;
}

/**
 * Files of one request being written at once. The next part waits while this many are still on
 * their way to the disk (a part larger than busboy's buffers then pauses the request), so a slow
 * disk holds at most this many staging buffers (~1 MiB each) per upload; the fsync of one
 * overlaps the next one's bytes.
 */
const STAGING_PER_REQUEST = 4;

/**
 * Streams a multipart upload (a `batch_id` field, then `files` parts) into the blob store, one
 * part at a time with back-pressure, never holding a whole file in memory. Each file is hashed
 * and written at once and becomes visible (atomic rename) only when complete. A file that breaks
 * a per-file limit is still listed, with its error code, so its batch can count it.
 */
export function receiveFiles(
  req: Request,
  opts: ReceiveOptions,
): Promise<{ batchId: string; batchCorrelationId: string; files: ReceivedFile[] }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.get('content-length'));
    if (declared > opts.maxRequestBytes) {
      reject(tooLarge(opts.maxRequestBytes));
      return;
    }
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: {
          fileSize: opts.maxFileBytes,
          // files past maxFiles are drained and answered TOO_MANY_FILES; past this, the request is 413
          files: opts.maxFiles + 100,
          parts: opts.maxFiles + 116,
          fields: 16,
          fieldSize: 4096,
          headerPairs: 64,
        },
      });
    } catch (err) {
      reject(new HttpError(400, 'INVALID_MULTIPART', (err as Error).message));
      return;
    }
    let batchId: string | null = null;
    let batchCheck: Promise<void> | null = null;
    let batchCorrelationId = '';
    let failure: Error | null = null;
    const otherFields: string[] = [];
    let idle: NodeJS.Timeout | undefined;
    let count = 0;
    const work: Promise<ReceivedFile | null>[] = [];
    let staging = 0;
    const stagingFreed: (() => void)[] = [];
    const stage = async (stream: Readable) => {
      while (staging >= STAGING_PER_REQUEST && !failure)
        await new Promise<void>((resolve) => stagingFreed.push(resolve));
      // the request failed while this part waited: write nothing more of it
      if (failure) throw failure;
      staging++;
      try {
        return await opts.blobs.stage(stream);
      } finally {
        staging--;
        // the next part goes on after this one's outcome is handled (a failure recorded first)
        setImmediate(() => stagingFreed.shift()?.());
      }
    };
    // the first failure ends the parse: no more parts are read or stored, what is being staged
    // is discarded, and the rest of the body is read and dropped up to MAX_REQUEST_BYTES (the
    // error answer closes the connection of a request whose body was not read to its end)
    let ended = false;
    const fail = (err: Error) => {
      failure ??= err;
      if (ended) return;
      ended = true;
      for (const wake of stagingFreed.splice(0)) wake(); // the parts waiting to be staged give up
      clearTimeout(idle);
      req.unpipe(bb);
      bb.destroy(err);
      req.resume();
    };

    bb.on('field', (name, value) => {
      if (name !== 'batch_id') {
        otherFields.push(JSON.stringify(name.slice(0, 40)));
        return;
      }
      // one batch per request: a second batch_id would send the files after it elsewhere
      if (batchId !== null)
        return fail(
          new HttpError(400, 'DUPLICATE_BATCH_ID', 'an upload carries one batch_id field'),
        );
      if (!isUuid(value))
        return fail(new HttpError(400, 'INVALID_BATCH_ID', 'batch_id must be a UUID'));
      batchId = value;
      batchCheck = opts.batchCorrelation(value).then((corr) => {
        if (corr === null)
          throw new HttpError(404, 'BATCH_NOT_FOUND', `batch ${value} is not registered`);
        batchCorrelationId = corr;
      });
      batchCheck.catch(fail);
    });

    bb.on('file', (_field, stream, info) => {
      // the part may break (client gone, form cut off) while it waits its turn: the error then
      // reaches the request's answer through `stage` or `fail`, never as an unhandled event
      stream.on('error', (err: Error) => fail(new HttpError(400, 'UPLOAD_ABORTED', err.message)));
      const index = count++;
      const task = (async (): Promise<ReceivedFile | null> => {
        const base = {
          file_upload_id: randomUUID(),
          original_file_name: displayFileName(info.filename),
        };
        try {
          if (!batchCheck)
            throw new HttpError(
              400,
              'BATCH_ID_FIRST',
              `send the batch_id field before the files${
                otherFields.length ? ` (fields received: ${otherFields.join(', ')})` : ''
              }`,
            );
          await batchCheck;
          if (failure) throw failure;
          if (index >= opts.maxFiles) {
            stream.resume();
            return {
              ...base,
              size_bytes: 0,
              raw_storage_id: null,
              rejected_code: ErrorCode.TOO_MANY_FILES,
            };
          }
          const staged = await stage(stream);
          opts.onBytes(staged.size);
          if ((stream as { truncated?: boolean }).truncated) {
            await staged.discard();
            return {
              ...base,
              size_bytes: staged.size,
              raw_storage_id: null,
              rejected_code: ErrorCode.FILE_TOO_LARGE,
            };
          }
          // the request failed while this file was being written: keep nothing of it
          if (failure) {
            await staged.discard();
            return null;
          }
          await staged.commit();
          return { ...base, size_bytes: staged.size, raw_storage_id: staged.id };
        } catch (err) {
          stream.resume();
          fail(err as Error);
          return null;
        }
      })();
      work.push(task);
    });

    const tooMany = () =>
      fail(
        new HttpError(413, 'TOO_MANY_PARTS', `a request may carry at most ${opts.maxFiles} files`),
      );
    bb.on('filesLimit', tooMany);
    bb.on('partsLimit', tooMany);
    bb.on('fieldsLimit', tooMany);
    bb.on('error', (err: Error) => {
      fail(new HttpError(400, 'INVALID_MULTIPART', err.message));
      finish();
    });
    bb.on('close', () => finish());

    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      void Promise.all(work).then((files) => {
        if (failure) return reject(failure);
        if (!batchId)
          return reject(new HttpError(400, 'MISSING_BATCH_ID', 'the batch_id field is required'));
        resolve({
          batchId,
          batchCorrelationId,
          files: files.filter((f): f is ReceivedFile => f !== null),
        });
      }, reject);
    };
    // a body that outgrows the limit (sent chunked, or longer than it said), or that stops
    // coming while we are ready for more (a pause is our back-pressure, not the client's)
    let received = 0;
    const watch = () => {
      clearTimeout(idle);
      if (ended) return;
      idle = setTimeout(
        () =>
          fail(
            new HttpError(
              408,
              'UPLOAD_STALLED',
              `no bytes for ${opts.idleTimeoutMs} ms; the upload was dropped`,
            ),
          ),
        opts.idleTimeoutMs,
      );
    };
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= opts.maxRequestBytes) watch();
      else if (!ended) fail(tooLarge(opts.maxRequestBytes));
      // still sending far past the limit while the answer is prepared: cut it off
      else if (received > 2 * opts.maxRequestBytes) req.destroy();
    });
    req.on('pause', () => clearTimeout(idle));
    req.on('resume', watch);
    req.on('end', () => clearTimeout(idle));
    req.on('close', () => {
      clearTimeout(idle);
      if (req.complete) return;
      fail(new HttpError(400, 'UPLOAD_ABORTED', 'the client stopped sending mid-request'));
      bb.destroy(new Error('the client stopped sending mid-request'));
    });
    req.pipe(bb);
  });
}

function tooLarge(max: number): HttpError {
  return new HttpError(
    413,
    'REQUEST_TOO_LARGE',
    `an upload request may carry at most ${max} bytes`,
  );
}
