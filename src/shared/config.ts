import path from 'node:path';
import { z } from 'zod';

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
    MAX_EXPECTED_ESSAYS: int(1000, 1),

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
    DOCX_MAX_INFLATED_BYTES: int(64 * 1024 * 1024, 1024),
    DOCX_MAX_RATIO: int(200, 2),
    DOCX_MAX_ENTRIES: int(2000, 1),

    EXTRACT_ATTEMPTS: int(3, 1),
    UPLOAD_ATTEMPTS: int(5, 1),
    LIFECYCLE_ATTEMPTS: int(8, 1),
    SPELLCHECK_ATTEMPTS: int(3, 1),
    /** First retry delay; doubles each attempt, with jitter. */
    JOB_BACKOFF_MS: int(1000, 0),
    /** Jobs per second each queue may start across all its workers; 0 means no limit. */
    EXTRACT_RATE_LIMIT: int(0, 0),
    UPLOAD_RATE_LIMIT: int(0, 0),
    LIFECYCLE_RATE_LIMIT: int(0, 0),
    SPELLCHECK_RATE_LIMIT: int(0, 0),
    /** How long a job's lock lasts and how often stalled jobs (their worker died) are looked for. */
    JOB_LOCK_MS: int(30_000, 500),
    /** Waiting extraction jobs above which uploads are answered 503 with Retry-After. */
    EXTRACT_BACKLOG_HIGH_WATER: int(5000, 1),
    KEEP_COMPLETED_JOBS: int(1000, 0),
    KEEP_FAILED_JOBS: int(5000, 0),

    READINESS_TIMEOUT_SECONDS: int(3600, 1),
    BATCH_RETENTION_SECONDS: int(7 * 24 * 3600, 60),
    SHUTDOWN_TIMEOUT_MS: int(10_000, 100),

    /** Bearer tokens that may use the API, comma-separated (16+ characters each). */
    API_TOKENS: list(z.string().min(16, 'each API token needs at least 16 characters')),
    /** Serve the API without tokens on a non-loopback HOST (behind your own auth proxy). */
    AUTH_DISABLED: bool(false),
    /** The queue board's login; without both, the board is read-only on loopback, else off. */
    BOARD_USERNAME: z.string().min(1).optional(),
    BOARD_PASSWORD: z.string().min(8, 'at least 8 characters').optional(),
    /** Test-only: the lifecycle process kills itself (SIGKILL) the first time it reaches this point. */
    TEST_CRASH_POINT: z
      .enum(['before-transition', 'after-transition', 'after-publish', 'after-ack'])
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
