import { chunk, collectFiles, type LocalFile } from './files.js';
import { CliError, Exit, type FleetClient } from './http.js';
import { multipartBody } from './multipart.js';
import { printJson, table } from './output.js';
import { uploadProgress, type UploadProgress } from './progress.js';
import { followBatch } from './sse.js';
import { batchOutcomes, type BatchView } from './status.js';

export interface UploadOptions {
  course: string;
  expect?: number;
  language?: 'en' | 'sv';
  /** The batch's readiness timeout in seconds (the fleet's default when unset). */
  timeout?: number;
  json: boolean;
  progress: boolean;
}

/** One request's limits: below the fleet's defaults (100 files, 256 MB). */
const FILES_PER_REQUEST = 50;
const BYTES_PER_REQUEST = 64 * 1024 * 1024;
const TERMINAL = ['BatchEssaysReadyV1', 'BatchReadinessTimedOutV1'];
const FILE_OUTCOMES = [
  'EssayContentProvisionedV1',
  'EssayValidationFailedV1',
  'ExcessContentProvisionedV1',
];

interface UploadAnswer {
  upload_id: string;
  files: { file_upload_id: string; status: string }[];
}

/**
 * `upload`: registers a batch for the files, uploads them with progress, follows the batch's
 * event stream until it is ready or timed out and every file has its outcome, then prints the
 * outcomes. Answers the exit code: 0 ready with no failed file, 2 timed out or files failed.
 */
export async function upload(
  client: FleetClient,
  paths: string[],
  opts: UploadOptions,
): Promise<number> {
  const files = await collectFiles(paths);
  if (!files.length) throw new CliError('no files found in what was named', 'NO_FILES');
  const expected = opts.expect ?? files.length;
  const reg = await client.json<{ batch_id: string }>('/v1/batches/register', {
    expected_essay_count: expected,
    course_code: opts.course,
    ...(opts.language ? { language: opts.language } : {}),
    ...(opts.timeout ? { readiness_timeout_seconds: opts.timeout } : {}),
  });
  const batchId = reg.batch_id;
  const progress = uploadProgress({ bars: opts.progress, quiet: opts.json });
  progress.note(`batch ${batchId}: ${files.length} files, ${expected} expected`);
  const local = new Map<string, LocalFile>();
  const uploadOf = new Map<string, string>();
  const watch = watchBatch(client, batchId, progress, files.length);
  try {
    progress.start(
      files.reduce((n, f) => n + f.size, 0),
      files.length,
    );
    for (const group of chunk(files, FILES_PER_REQUEST, BYTES_PER_REQUEST)) {
      const answer = await sendGroup(client, batchId, group, progress);
      answer.files.forEach((f, i) => {
        local.set(f.file_upload_id, group[i]!);
        uploadOf.set(f.file_upload_id, answer.upload_id);
      });
    }
    watch.expect(uploadOf);
    await watch.done;
  } finally {
    watch.stop();
    progress.stop();
  }
  const batch = await client.json<BatchView>(`/v1/batches/${batchId}`);
  const rows = batchOutcomes(batch, local);
  if (opts.json) printJson({ ...summaryOf(batch), files: rows });
  else {
    process.stdout.write(
      `${table(
        ['FILE', 'OUTCOME', 'DETAIL'],
        rows.map((r) => [r.file, r.outcome, r.detail]),
      )}\n`,
    );
    const s = summaryOf(batch);
    process.stdout.write(
      `\nbatch ${batchId}: ${s.status}: ${s.ready_count} ready, ${s.failed_count} failed, ${s.excess_count} excess, ${s.expected_count} expected\n`,
    );
  }
  return batch.status === 'ready' && batch.failed_count === 0 ? Exit.ok : Exit.notReady;
}

function summaryOf(b: BatchView) {
  const { batch_id, status, expected_count, ready_count, failed_count, excess_count } = b;
  return { batch_id, status, expected_count, ready_count, failed_count, excess_count };
}

/** Sends one request's files; a fleet that is busy (503, 429) is asked again after Retry-After. */
async function sendGroup(
  client: FleetClient,
  batchId: string,
  group: LocalFile[],
  progress: UploadProgress,
): Promise<UploadAnswer> {
  for (let attempt = 1; ; attempt++) {
    let sentBytes = 0;
    let sentFiles = 0;
    const body = multipartBody(batchId, group, {
      onBytes: (n) => {
        sentBytes += n;
        progress.sent(n);
      },
      onFile: () => {
        sentFiles++;
        progress.fileSent(1);
      },
    });
    try {
      const res = await client.request('/v1/files/batch', {
        method: 'POST',
        headers: { 'content-type': body.contentType, 'content-length': String(body.length) },
        body: body.body,
        duplex: 'half',
      });
      return (await res.json()) as UploadAnswer;
    } catch (err) {
      const busy = err instanceof CliError && ['BACKLOG_FULL', 'RATE_LIMITED'].includes(err.code);
      if (!busy || attempt >= 10) throw err;
      const wait = (err as CliError & { retryAfter?: number }).retryAfter || 5;
      progress.note(`${err.code}: sending again in ${wait} s`);
      progress.sent(-sentBytes);
      progress.fileSent(-sentFiles);
      await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    }
  }
}

/**
 * Follows the batch's stream while the files go up: counts files with an outcome (live notices
 * first, then the logged events), and is done once the batch is ready or timed out and every
 * uploaded file has its logged outcome (or its upload was abandoned: its files never come).
 */
function watchBatch(client: FleetClient, batchId: string, progress: UploadProgress, total: number) {
  const abort = new AbortController();
  const failedByFile = new Map<string, boolean>();
  const logged = new Set<string>();
  const abandoned = new Set<string>();
  let terminal = false;
  let mine: Map<string, string> | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const check = () => {
    if (!terminal || !mine) return;
    if ([...mine].every(([file, up]) => logged.has(file) || abandoned.has(up))) finish();
  };
  const apply = (event: string, data: Record<string, unknown>) => {
    const inner = (data.data ?? {}) as Record<string, unknown>;
    if (event === 'notice' && typeof data.file_upload_id === 'string') {
      if (!failedByFile.has(data.file_upload_id))
        failedByFile.set(data.file_upload_id, data.outcome === 'failure');
    } else if (FILE_OUTCOMES.includes(event) && typeof inner.file_upload_id === 'string') {
      failedByFile.set(inner.file_upload_id, event === 'EssayValidationFailedV1');
      logged.add(inner.file_upload_id);
    } else if (event === 'EssayUploadAbandonedV1' && typeof inner.upload_id === 'string') {
      abandoned.add(inner.upload_id);
    } else if (TERMINAL.includes(event)) terminal = true;
  };
  const reading = (async () => {
    for await (const message of followBatch(client, batchId, { signal: abort.signal })) {
      apply(message.event, (message.data ?? {}) as Record<string, unknown>);
      const failed = [...failedByFile.values()].filter(Boolean).length;
      progress.processed(Math.min(failedByFile.size, total), failed);
      check();
    }
  })();
  return {
    /** Resolves when done; rejects when the stream cannot be followed (a wrong token, say). */
    done: Promise.race([finished, reading]),
    /** The uploaded files (file_upload_id → upload_id) whose outcomes to wait for. */
    expect(files: Map<string, string>) {
      mine = files;
      check();
    },
    stop() {
      abort.abort();
    },
  };
}
