// A benchmark client: registers batches, uploads their files in one request each, and follows
// each batch's event stream (SSE) until it is ready, with a fixed number of batches in flight.

export interface BatchTiming {
  /** From sending the upload to its response. */
  uploadMs: number;
  /** From the upload's response to BatchEssaysReadyV1 on the event stream. */
  readyMs: number;
  /** When the batch was ready (performance.now()). */
  readyAt: number;
}

export interface RunResult {
  files: number;
  seconds: number;
  batches: BatchTiming[];
}

export interface RunOptions {
  url: string;
  batches: number;
  filesPerBatch: number;
  /** Batches registered and uploading at once (several teachers at the same time). */
  inFlight: number;
  file(
    batch: number,
    index: number,
  ): { name: string; type: string; content: Uint8Array<ArrayBufferLike> };
}

/** Resolves with the time BatchEssaysReadyV1 arrives on the batch's event stream. */
async function readyOnStream(url: string, batchId: string, opened: () => void): Promise<number> {
  const res = await fetch(`${url}/v1/batches/${batchId}/events`, {
    headers: { accept: 'text/event-stream' },
  });
  if (!res.ok || !res.body) throw new Error(`event stream: ${res.status}`);
  opened();
  const decoder = new TextDecoder();
  let buffered = '';
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done)
        throw new Error(
          `event stream of ${batchId} ended before the batch was ready; last: ${buffered}`,
        );
      buffered += decoder.decode(value, { stream: true });
      if (buffered.includes('event: BatchEssaysReadyV1')) return performance.now();
      if (buffered.includes('event: BatchReadinessTimedOutV1'))
        throw new Error(`batch ${batchId} timed out`);
      buffered = buffered.slice(-200);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Registers a batch expecting `count` essays; resolves with its id. */
export async function registerBatch(url: string, count: number): Promise<string> {
  const reg = await fetch(`${url}/v1/batches/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ expected_essay_count: count, course_code: 'EN101' }),
  });
  if (reg.status !== 202) throw new Error(`register: ${reg.status} ${await reg.text()}`);
  return ((await reg.json()) as { batch_id: string }).batch_id;
}

async function oneBatch(opts: RunOptions, n: number): Promise<BatchTiming> {
  const batchId = await registerBatch(opts.url, opts.filesPerBatch);
  let streamOpen!: () => void;
  const opened = new Promise<void>((r) => (streamOpen = r));
  const ready = readyOnStream(opts.url, batchId, streamOpen);
  ready.catch(() => undefined); // awaited below, after the upload
  await Promise.race([opened, ready]);
  const form = new FormData();
  form.append('batch_id', batchId);
  for (let i = 0; i < opts.filesPerBatch; i++) {
    const f = opts.file(n, i);
    form.append(
      'files',
      new Blob([f.content as Uint8Array<ArrayBuffer>], { type: f.type }),
      f.name,
    );
  }
  const sent = performance.now();
  const up = await fetch(`${opts.url}/v1/files/batch`, { method: 'POST', body: form });
  const answered = performance.now();
  if (up.status !== 202) throw new Error(`upload: ${up.status} ${await up.text()}`);
  await up.arrayBuffer();
  const readyAt = await ready;
  return { uploadMs: answered - sent, readyMs: readyAt - answered, readyAt };
}

/** Runs `batches` batches, `inFlight` at a time; the clock runs from the first register to the last ready. */
export async function runBatches(opts: RunOptions): Promise<RunResult> {
  const timings: BatchTiming[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(opts.inFlight, opts.batches) }, async () => {
      while (next < opts.batches) timings.push(await oneBatch(opts, next++));
    }),
  );
  return {
    files: opts.batches * opts.filesPerBatch,
    seconds: (performance.now() - started) / 1000,
    batches: timings,
  };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
