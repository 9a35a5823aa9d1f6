import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/shared/redis-server.js';

/** The part of s3rver's (untyped) API this helper uses. */
interface S3rverServer {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverServer;

// s3rver ships no types, and a file-local `declare module` cannot type an untyped package
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

export interface TestS3 {
  /** `http://127.0.0.1:<port>`; path-style addressing only. */
  readonly endpoint: string;
  /** A bucket made before the suite's tests. */
  readonly bucket: string;
  /** The settings that run the fleet's blob store on this server (for `loadConfig`). */
  readonly env: Record<string, string>;
}

/**
 * A fake S3 (s3rver) for one suite, on a free loopback port, in a throwaway directory, with one
 * bucket. Its only account is S3RVER / S3RVER. Call in a `describe` body: starts before the
 * suite's tests, stops after them.
 */
export function useS3(opts: { bucket?: string } = {}): TestS3 {
  const bucket = opts.bucket ?? 'essays';
  let server: S3rverServer | undefined;
  let dir: string | undefined;
  let endpoint: string | undefined;
  before(async function () {
    this.timeout(30_000);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-s3-'));
    let lastError: unknown;
    // another process may take the free port before s3rver listens on it: try a few
    for (let attempt = 0; attempt < 5 && !server; attempt++) {
      const candidate = new S3rver({
        address: '127.0.0.1',
        port: await freePort(),
        directory: dir,
        silent: true,
        configureBuckets: [{ name: bucket }],
      });
      try {
        const { port } = await candidate.run();
        server = candidate;
        endpoint = `http://127.0.0.1:${port}`;
      } catch (err) {
        lastError = err;
      }
    }
    if (!server) throw lastError;
  });
  after(async function () {
    this.timeout(30_000);
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const started = () => {
    if (!endpoint) throw new Error('s3rver not started yet');
    return endpoint;
  };
  return {
    bucket,
    get endpoint() {
      return started();
    },
    get env() {
      return {
        BLOB_STORE: 's3',
        S3_BUCKET: bucket,
        S3_ENDPOINT: started(),
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: 'S3RVER',
        S3_SECRET_ACCESS_KEY: 'S3RVER',
        S3_REGION: 'us-east-1',
      };
    },
  };
}
