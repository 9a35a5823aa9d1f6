// Clients that behave like real ones: each registers a batch, sends its files in several
// requests to either web process, and sends a request again after a network error, a 5xx, a
// 503 (backlog) or a 429, with backoff. What each batch was meant to get, and what every
// attempt was answered, is recorded for the checker.
import { jpegBytes, makeDocx, makePdf } from '../../test/helpers/documents.js';
import type { Prng } from './prng.js';

export type Scenario = 'exact' | 'overflow' | 'underflow' | 'validation' | 'duplicates';

/** One file the client means to send: a distinct content, sent once or (duplicates) more. */
export interface PlannedFile {
  /** `b<batch>-f<n>`: every copy's name starts with it, so an outcome names its content. */
  label: string;
  ext: 'txt' | 'pdf' | 'docx' | 'jpg';
  valid: boolean;
  bytes: Uint8Array;
}

export interface Attempt {
  request: number;
  attempt: number;
  web: string;
  /** HTTP status, or 0 for a network error (no answer: the request may have been applied). */
  status: number;
  /** File names sent in this attempt. */
  names: string[];
  /** The 202's files. */
  answer?: {
    file_upload_id: string;
    original_file_name: string;
    status: string;
    excess_reason?: string;
  }[];
  answeredAtMs: number;
}

export interface BatchPlan {
  n: number;
  scenario: Scenario;
  expected: number;
  readinessTimeoutSeconds: number;
  files: PlannedFile[];
  /** The requests: each a list of labels (a duplicate label appears more than once overall). */
  requests: string[][];
}

export interface BatchRecord {
  plan: BatchPlan;
  batchId?: string;
  registeredAtMs?: number;
  attempts: Attempt[];
  /** Register answers lost to a network error: each may have registered a batch nobody knows. */
  lostRegistrations: number;
  errors: string[];
}

export interface SoakSizes {
  files: number;
  kills: number;
  /** Batches registered and uploading at once. */
  inFlight: number;
  underflowTimeoutSeconds: number;
}

const words = (
  'the school library river winter summer teacher student history science argument evidence ' +
  'paragraph village harbour forest market journey family friendship language music season ' +
  'careful bright quiet ancient modern important difficult simple morning evening question'
).split(' ');

function essayText(rng: Prng, label: string): string {
  const sentences = Array.from({ length: rng.int(4, 10) }, () => {
    const s = Array.from({ length: rng.int(6, 14) }, () => rng.pick(words)).join(' ');
    return s[0]!.toUpperCase() + s.slice(1) + '.';
  });
  // the label makes every file's bytes and text its own: no accidental duplicate across files
  return `Essay ${label}. ${sentences.join(' ')}`;
}

async function validFile(rng: Prng, label: string): Promise<PlannedFile> {
  const text = essayText(rng, label);
  const ext = rng.weighted({ txt: 8, pdf: 1, docx: 1 });
  const bytes =
    ext === 'txt'
      ? Buffer.from(text)
      : ext === 'pdf'
        ? await makePdf([[text.slice(0, 90), text.slice(90, 180), text.slice(180, 270)]])
        : await makeDocx([text]);
  return { label, ext, valid: true, bytes };
}

/** The fleet's MAX_FILE_BYTES in the soak. */
export const soakMaxFileBytes = 1 << 20;

/** A file that fails validation; each one's bytes its own (one empty file per batch at most). */
function invalidFile(rng: Prng, label: string, emptyAllowed: boolean): PlannedFile {
  let kind = rng.weighted({ short: 2, empty: 1, image: 1, large: 1 });
  if (kind === 'empty' && !emptyAllowed) kind = 'short';
  // over MAX_FILE_BYTES (1 MB in the soak): refused while streaming, no bytes kept
  if (kind === 'large')
    return {
      label,
      ext: 'txt',
      valid: false,
      bytes: Buffer.from(`${label} `.repeat(Math.ceil(soakMaxFileBytes / label.length) + 1)),
    };
  if (kind === 'image')
    return {
      label,
      ext: 'jpg',
      valid: false,
      bytes: Buffer.concat([jpegBytes, Buffer.from(label)]),
    };
  return {
    label,
    ext: 'txt',
    valid: false,
    bytes: kind === 'empty' ? new Uint8Array(0) : Buffer.from(`Too short ${label}.`),
  };
}

/** Splits `labels` into 1 to 4 requests, in order. */
function split(rng: Prng, labels: string[]): string[][] {
  const k = Math.min(labels.length, rng.int(1, 4));
  const cuts = new Set<number>();
  while (cuts.size < k - 1) cuts.add(rng.int(1, labels.length - 1));
  const at = [0, ...[...cuts].sort((a, b) => a - b), labels.length];
  return at.slice(1).map((end, i) => labels.slice(at[i], end));
}

/** The batches of a run: files add up to about `sizes.files`. */
export async function planBatches(rng: Prng, sizes: SoakSizes): Promise<BatchPlan[]> {
  const plans: BatchPlan[] = [];
  let total = 0;
  for (let n = 0; total < sizes.files; n++) {
    const scenario = rng.weighted<Scenario>({
      exact: 4,
      overflow: 1.5,
      underflow: 1.5,
      validation: 1.5,
      duplicates: 1.5,
    });
    const expected = rng.int(3, 30);
    const files: PlannedFile[] = [];
    const labels: string[] = [];
    const add = async (valid: boolean) => {
      const label = `b${n}-f${files.length}`;
      files.push(
        valid
          ? await validFile(rng, label)
          : invalidFile(rng, label, !files.some((f) => f.bytes.length === 0)),
      );
      labels.push(label);
    };
    const validCount =
      scenario === 'overflow'
        ? expected + rng.int(1, 3)
        : scenario === 'underflow'
          ? expected - rng.int(1, Math.min(3, expected - 1))
          : scenario === 'validation'
            ? expected - rng.int(1, Math.min(3, expected - 1))
            : expected;
    for (let i = 0; i < validCount; i++) await add(true);
    if (scenario === 'validation') while (files.length < expected) await add(false);
    if (scenario === 'duplicates')
      for (let d = rng.int(1, 3); d > 0; d--) labels.push(rng.pick(labels));
    // shuffled, so duplicates and failures land anywhere among the requests
    for (let i = labels.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [labels[i], labels[j]] = [labels[j]!, labels[i]!];
    }
    plans.push({
      n,
      scenario,
      expected,
      readinessTimeoutSeconds: scenario === 'underflow' ? sizes.underflowTimeoutSeconds : 3600,
      files,
      requests: split(rng, labels),
    });
    total += labels.length;
  }
  return plans;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const retryable = (status: number) => status === 0 || status === 429 || status >= 500;
const maxAttempts = 30;
/** Of the 202 answers, the share the client never gets. */
const lostAnswerRate = 0.05;

/** Backoff for attempt `a` (1-based): doubling from 200 ms to 4 s, jittered, Retry-After capped. */
function backoffMs(rng: Prng, a: number, retryAfter: string | null): number {
  const base = Math.min(4000, 200 * 2 ** (a - 1));
  const asked = retryAfter ? Math.min(4000, Number(retryAfter) * 1000 || 0) : 0;
  return Math.max(asked, base * (0.5 + rng.next()));
}

async function send(
  url: string,
  init: RequestInit,
): Promise<{ status: number; body: any; retryAfter: string | null }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: res.status, body, retryAfter: res.headers.get('retry-after') };
  } catch {
    return { status: 0, body: null, retryAfter: null };
  }
}

/** One client's whole batch: register, then each request until it is answered for good. */
export async function runBatch(rng: Prng, webUrls: () => string[], plan: BatchPlan) {
  const record: BatchRecord = { plan, attempts: [], lostRegistrations: 0, errors: [] };
  for (let a = 1; ; a++) {
    const web = rng.pick(webUrls());
    const res = await send(`${web}/v1/batches/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        expected_essay_count: plan.expected,
        course_code: 'ENG5',
        readiness_timeout_seconds: plan.readinessTimeoutSeconds,
      }),
    });
    if (res.status === 202) {
      record.batchId = res.body.batch_id;
      record.registeredAtMs = Date.now();
      break;
    }
    if (res.status === 0) record.lostRegistrations++;
    if (!retryable(res.status) || a >= maxAttempts) {
      record.errors.push(`register: ${res.status} ${JSON.stringify(res.body)}`);
      return record;
    }
    await sleep(backoffMs(rng, a, res.retryAfter));
  }
  const byLabel = new Map(plan.files.map((f) => [f.label, f]));
  for (const [r, labels] of plan.requests.entries()) {
    for (let a = 1; ; a++) {
      const web = rng.pick(webUrls());
      const form = new FormData();
      form.append('batch_id', record.batchId!);
      // copies of one content in one request get their own names too
      const names = labels.map((l, i) => `${l}.r${r}a${a}i${i}.${byLabel.get(l)!.ext}`);
      labels.forEach((l, i) =>
        form.append(
          'files',
          new Blob([byLabel.get(l)!.bytes as Uint8Array<ArrayBuffer>]),
          names[i],
        ),
      );
      const res = await send(`${web}/v1/files/batch`, { method: 'POST', body: form });
      // now and then an answer is lost on the way back (a proxy times out, the Wi-Fi drops):
      // the client knows nothing of the applied upload and sends its files again
      if (res.status === 202 && rng.next() < lostAnswerRate) res.status = 0;
      record.attempts.push({
        request: r,
        attempt: a,
        web,
        status: res.status,
        names,
        answer: res.status === 202 ? res.body.files : undefined,
        answeredAtMs: Date.now(),
      });
      if (res.status === 202) break;
      if (!retryable(res.status) || a >= maxAttempts) {
        record.errors.push(`upload request ${r}: ${res.status} ${JSON.stringify(res.body)}`);
        break;
      }
      await sleep(backoffMs(rng, a, res.retryAfter));
    }
  }
  // a teacher watches the batch until it ends before sending the next: the load follows the fleet
  const until =
    Date.now() +
    (plan.readinessTimeoutSeconds === 3600 ? 120 : plan.readinessTimeoutSeconds + 60) * 1000;
  while (Date.now() < until) {
    const res = await send(`${rng.pick(webUrls())}/v1/batches/${record.batchId}`, {});
    if (res.status === 200 && ['ready', 'timed_out'].includes(res.body?.status)) break;
    await sleep(1500);
  }
  return record;
}

/** Runs every plan, `inFlight` batches at a time. */
export async function runClients(
  rng: Prng,
  webUrls: () => string[],
  plans: BatchPlan[],
  inFlight: number,
): Promise<BatchRecord[]> {
  const records: BatchRecord[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async (_, c) => {
      const mine = rng.fork(`client-${c}`);
      while (next < plans.length) records.push(await runBatch(mine, webUrls, plans[next++]!));
    }),
  );
  return records.sort((a, b) => a.plan.n - b.plan.n);
}
