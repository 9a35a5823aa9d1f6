import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { crashPoints, crashSpecPattern } from './crash-hook.js';
import { webhookEndpointsSetting } from './webhooks.js';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');
/** A comma-separated list (spaces around items and empty items dropped), each item checked. */
const list = (item: z.ZodString) =>
  z
    .string()
    .optional()
    .transform((s) =>
      (s ?? '')
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item));

/**
 * Express's `trust proxy`: `true`/`false`, a number of proxy hops, or addresses and subnets
 * (`loopback`, `linklocal`, `uniquelocal`, `10.0.0.0/8`, `::1` …) whose X-Forwarded-For is believed.
 */
const trustProxy = z
  .string()
  .default('false')
  .transform((s, ctx): boolean | number | string[] => {
    if (s === 'true' || s === 'false') return s === 'true';
    if (/^\d+$/.test(s)) return Number(s);
    const items = s
      .split(',')
      .map((i) => i.trim())
      .filter(Boolean);
    const bad = items.filter((i) => {
      if (['loopback', 'linklocal', 'uniquelocal'].includes(i)) return false;
      const [addr, bits, ...rest] = i.split('/');
      return !isIP(addr!) || rest.length > 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits));
    });
    if (bad.length)
      ctx.addIssue({
        code: 'custom',
        message: `true, false, a number of hops, or addresses/subnets (loopback, 10.0.0.0/8 …); not ${bad.join(', ')}`,
      });
    return items;
  });

/**
 * Every setting of the fleet, with its default. The README's settings table mirrors this schema;
 * `bin/` parses it once and hands the result down. Nothing else reads `process.env`.
 */
export const configSchema = z
  .object({
    /** Redis to use. Unset: `npm start` starts a private redis-server; api/worker refuse to run. */
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    /** Namespace of every Redis key of this fleet (queues get it as a hash tag). */
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[a-z0-9_-]{1,32}$/, 'lower-case letters, digits, _ and - only')
      .default('essay'),
    /**
     * A Redis Cluster instead of REDIS_URL: some of its nodes, comma-separated, as `host:port` or
     * `redis[s]://[user:password@]host:port` (credentials and TLS of the first apply to all; the
     * rest of the nodes are discovered). Every key of a batch shares one hash tag, the queues another.
     */
    REDIS_CLUSTER_NODES: list(
      z
        .string()
        .regex(
          /^(rediss?:\/\/\S+|[^:\s/]+:\d{1,5})$/,
          'host:port, or redis[s]://[user:password@]host:port',
        ),
    ),
    HOST: z.string().min(1).default('127.0.0.1'),
    /** Host headers answered (`name` any port, `name:port`); others get 421. Unset: loopback names on a loopback HOST, else any. */
    ALLOWED_HOSTS: list(
      z
        .string()
        .regex(
          /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/,
          'a host name or address, optionally with :port ([::1] for IPv6)',
        ),
    ),
    /** Express's `trust proxy`: whose X-Forwarded-For names the client (rate limits, logs). */
    TRUST_PROXY: trustProxy,
    PORT: int(8080, 0).pipe(z.number().max(65535)),
    /** Port of a worker process's /metrics (on HOST); 0 turns it off. */
    METRICS_PORT: int(0, 0).pipe(z.number().max(65535)),
    DATA_DIR: z.string().min(1).default('./data'),
    /** Where essays' bytes live: `fs` (DATA_DIR/blobs, one disk) or `s3` (any S3-compatible store). */
    BLOB_STORE: z.enum(['fs', 's3']).default('fs'),
    S3_BUCKET: z.string().min(3).optional(),
    /** For MinIO, R2, Ceph and the like: their URL. Unset: AWS S3 itself. */
    S3_ENDPOINT: z.url().optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    /** `bucket` in the path instead of the host name (MinIO, Ceph and most self-hosted stores). */
    S3_FORCE_PATH_STYLE: bool(false),
    /** Unset: the AWS SDK's usual credential chain (environment, profile, instance role). */
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** Key prefix of every object of this fleet in the bucket. */
    S3_KEY_PREFIX: z.string().default('essay-intake/'),
    LOG_LEVEL: z
      .enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'])
      .default('info'),

    MAX_FILE_BYTES: int(10 * 1024 * 1024, 1),
    MAX_FILES_PER_REQUEST: int(100, 1),
    /** An upload request's whole body; past it the request is answered 413 REQUEST_TOO_LARGE. */
    MAX_REQUEST_BYTES: int(256 * 1024 * 1024, 1024),
    /** An upload that sends nothing for this long is answered 408 UPLOAD_STALLED and closed. */
    UPLOAD_IDLE_TIMEOUT_MS: int(30_000, 100),
    /** Requests per minute to /v1 for each token (or client address without tokens), across all web processes; 0 turns it off. */
    RATE_LIMIT_PER_MINUTE: int(3000, 0),
    MIN_CONTENT_CHARS: int(50, 0),
    MAX_CONTENT_CHARS: int(50_000, 1),
    MAX_EXPECTED_ESSAYS: int(1000, 1).pipe(z.number().max(10_000)),

    EXTRACT_CONCURRENCY: int(4, 1),
    UPLOAD_CONCURRENCY: int(4, 1),
    LIFECYCLE_CONCURRENCY: int(8, 1),
    /** Checking runs on the process's checker thread; more jobs at once keep it fed. */
    SPELLCHECK_CONCURRENCY: int(4, 1),
    /** Spelling of English suggestions; a word the British or the American dictionary knows is correct either way. */
    ENGLISH_VARIANT: z.enum(['gb', 'us']).default('gb'),
    /** An essay with a larger share of words unknown to the dictionary of its language is left uncorrected (`skipped`). */
    SPELLCHECK_MAX_UNKNOWN_RATIO: z.coerce.number().min(0).max(1).default(0.2),
    EXTRACT_TIMEOUT_MS: int(30_000, 100),
    EXTRACT_MAX_HEAP_MB: int(256, 32),
    EXTRACT_MAX_RSS_MB: int(448, 64),
    EXTRACT_MAX_PDF_PAGES: int(200, 1),
    /** OCR jobs at once per `ocr` process; each runs one tesseract at a time on one core. */
    OCR_CONCURRENCY: int(2, 1),
    /** Time limit of one page's OCR (rendering, preparing or reading it); past it the file is `TIMEOUT`. */
    OCR_TIMEOUT_MS: int(60_000, 100),
    /** Scanned PDFs with more pages are `CONTENT_TOO_LONG`. */
    OCR_MAX_PAGES: int(30, 1),
    /** Resident memory at which a page's tesseract, pdftoppm or image preparation is killed (`CORRUPTED_FILE`). */
    OCR_MAX_RSS_MB: int(512, 64),
    /** Larger photos are scaled down to this many megapixels before OCR (not refused). */
    OCR_MAX_MEGAPIXELS: z.coerce.number().min(1).max(100).default(12),
    /** A page whose mean word confidence (0-100) is below this gives `OCR_LOW_CONFIDENCE`. */
    OCR_MIN_CONFIDENCE: z.coerce.number().min(0).max(100).default(60),
    /** `course`: Swedish (`swe`) for an SV course, English (`eng`) otherwise; `both`: `swe+eng` for every batch. */
    OCR_LANGUAGES: z.enum(['course', 'both']).default('course'),
    DOCX_MAX_INFLATED_BYTES: int(64 * 1024 * 1024, 1024),
    DOCX_MAX_RATIO: int(200, 2),
    DOCX_MAX_ENTRIES: int(2000, 1),

    EXTRACT_ATTEMPTS: int(3, 1),
    UPLOAD_ATTEMPTS: int(5, 1),
    LIFECYCLE_ATTEMPTS: int(8, 1),
    SPELLCHECK_ATTEMPTS: int(3, 1),
    OCR_ATTEMPTS: int(3, 1),
    /** First retry delay; doubles each attempt, with jitter. */
    JOB_BACKOFF_MS: int(1000, 0),
    /** Jobs per second each queue may start across all its workers; 0 means no limit. */
    EXTRACT_RATE_LIMIT: int(0, 0),
    UPLOAD_RATE_LIMIT: int(0, 0),
    LIFECYCLE_RATE_LIMIT: int(0, 0),
    SPELLCHECK_RATE_LIMIT: int(0, 0),
    OCR_RATE_LIMIT: int(0, 0),
    /** How long a job's lock lasts and how often stalled jobs (their worker died) are looked for. */
    JOB_LOCK_MS: int(30_000, 500),
    /** Waiting extraction jobs above which uploads are answered 503 with Retry-After. */
    EXTRACT_BACKLOG_HIGH_WATER: int(5000, 1),
    KEEP_COMPLETED_JOBS: int(1000, 0),
    /** Entries of each queue's BullMQ event stream kept (for QueueEvents listeners). */
    QUEUE_EVENTS_MAX_LEN: int(1000, 0),
    /** Completed and failed jobs older than this are removed (the counts above cap them too). */
    JOB_RETENTION_SECONDS: int(7 * 24 * 3600, 1),
    /** Failed jobs kept per queue: the board's Retry works on them, and dead-lettering reads them. */
    KEEP_FAILED_JOBS: int(5000, 100),

    READINESS_TIMEOUT_SECONDS: int(3600, 1),
    /** An upload announced by the API whose flow has not appeared this long stops holding its batch. */
    UPLOAD_LEASE_SECONDS: int(120, 1),
    /** How often a worker process looks for jobs that died (its queues' failed sets) to dead-letter. */
    DEAD_LETTER_SWEEP_MS: int(2000, 50),
    BATCH_RETENTION_SECONDS: int(7 * 24 * 3600, 5),
    /** Dead-letter records older than this are removed, and beyond this many the oldest. */
    DLQ_RETENTION_SECONDS: int(30 * 24 * 3600, 1),
    DLQ_MAX_RECORDS: int(10_000, 1),
    /**
     * A stored blob (raw bytes, text) that no batch, job or upload in flight names is collected
     * once it is this old: uploads that failed after some files were stored, and blobs of
     * batches past their retention.
     */
    BLOB_GRACE_SECONDS: int(3600, 1),
    /** How often the janitor (a lifecycle process) trims dead letters, old jobs and blobs. */
    JANITOR_INTERVAL_SECONDS: int(600, 1),
    SHUTDOWN_TIMEOUT_MS: int(10_000, 100),

    /** Receivers of signed event deliveries: a JSON list of `{url, secret, events}`; unset: none. */
    WEBHOOK_ENDPOINTS: webhookEndpointsSetting,
    /** Time limit of one delivery attempt, connection and answer; past it the attempt failed. */
    WEBHOOK_TIMEOUT_MS: int(10_000, 100),
    WEBHOOK_CONCURRENCY: int(16, 1),
    /** First retry delay of a failed delivery; doubles each attempt up to WEBHOOK_MAX_BACKOFF_MS. */
    WEBHOOK_BACKOFF_MS: int(10_000, 0),
    WEBHOOK_MAX_BACKOFF_MS: int(3_600_000, 1),
    /** How long a delivery is retried before it is dead-lettered (the attempts follow from it). */
    WEBHOOK_RETRY_SECONDS: int(24 * 3600, 0),
    WEBHOOK_RATE_LIMIT: int(0, 0),

    /** Bearer tokens that may use the API, comma-separated (16+ characters each). */
    API_TOKENS: list(z.string().min(16, 'each API token needs at least 16 characters')),
    /** Serve the API without tokens on a non-loopback HOST (behind your own auth proxy). */
    AUTH_DISABLED: bool(false),
    /** Failed credential checks a minute per client address, across web processes, before 429; 0: no limit. */
    AUTH_FAILURES_PER_MINUTE: int(20, 0),
    /** A bearer token /metrics requires (web and workers); unset: /metrics is open. */
    METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
    /**
     * The queue board's login. Without it the board is read-only on a loopback HOST when no
     * API_TOKENS are set (the developer mode), and off otherwise.
     */
    BOARD_USERNAME: z.string().min(1).optional(),
    BOARD_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),
    /** Test-only: a process kills itself (SIGKILL) at this point: `<point>[#<n>][@<EventType>]` (src/shared/crash-hook.ts). */
    TEST_CRASH_POINT: z
      .string()
      .regex(crashSpecPattern, `one of ${crashPoints.join(', ')}, then #<n> and/or @<EventType>`)
      .optional(),

    /** Print log lines as JSON even on a TTY. */
    LOG_JSON: bool(false),
  })
  .refine((c) => c.MIN_CONTENT_CHARS < c.MAX_CONTENT_CHARS, {
    message: 'must be below MAX_CONTENT_CHARS',
    path: ['MIN_CONTENT_CHARS'],
  })
  .refine((c) => c.BLOB_STORE !== 's3' || c.S3_BUCKET, {
    message: 'BLOB_STORE=s3 needs S3_BUCKET',
    path: ['S3_BUCKET'],
  })
  .refine((c) => !c.BOARD_USERNAME === !c.BOARD_PASSWORD, {
    message: 'set BOARD_USERNAME and BOARD_PASSWORD together',
    path: ['BOARD_PASSWORD'],
  })
  .refine((c) => !(c.REDIS_URL && c.REDIS_CLUSTER_NODES.length), {
    message: 'set REDIS_URL or REDIS_CLUSTER_NODES, not both',
    path: ['REDIS_CLUSTER_NODES'],
  });

export type Config = z.infer<typeof configSchema> & { DATA_DIR: string };

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once, reporting every problem at the same time. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = configSchema.safeParse(known);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`),
    );
  }
  return { ...parsed.data, DATA_DIR: path.resolve(parsed.data.DATA_DIR) };
}
