import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ensureDebianPackage, runs } from './system-packages.js';

/**
 * Starts and stops a private `redis-server` on loopback: the laptop default of `npm start` and
 * the server every test run uses. Never used when REDIS_URL names a Redis.
 */
export interface PrivateRedis {
  /** With the password, when it has one: give it to the fleet's processes, never print it. */
  url: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export class RedisServerMissingError extends Error {
  constructor() {
    super(
      'redis-server is not installed. Install it (Debian/Ubuntu: `sudo apt-get install -y redis-server`; ' +
        'macOS: `brew install redis`) or set REDIS_URL to a Redis you run.',
    );
    this.name = 'RedisServerMissingError';
  }
}

/** Finds redis-server; as root on Debian/Ubuntu installs it with apt-get, otherwise says how. */
export function ensureRedisServer(log: (msg: string) => void = () => {}): void {
  ensureDebianPackage({
    pkg: 'redis-server',
    present: () => runs('redis-server'),
    missing: () => new RedisServerMissingError(),
    log,
  });
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface StartOptions {
  dir: string;
  /** Append-only file on (durable across restarts); off for throwaway test servers. */
  appendOnly: boolean;
  port?: number;
  /** Clients must AUTH with it (`requirepass`); handed over in a 0600 file, never on the command line. */
  password?: string;
  extraArgs?: string[];
}

/**
 * The private Redis's password, kept in `<dataDir>/redis-password` (0600): made once, from 32
 * random bytes, the first time the fleet starts there, then read, so the data Redis keeps in
 * that folder stays behind the same password. Any local user could otherwise connect to the
 * loopback port and read every batch.
 */
export function privateRedisPassword(dataDir: string): { password: string; file: string } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'redis-password');
  try {
    writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    chmodSync(file, 0o600); // ours: tighten it if someone loosened it
  }
  const password = readFileSync(file, 'utf8').trim();
  if (!password) throw new Error(`${file} is empty: remove it and start again to make a new one`);
  return { password, file };
}

export async function startRedisServer(opts: StartOptions): Promise<PrivateRedis> {
  // its AOF holds batches, file names and misspelt words: the fleet's user only
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await spawnRedis(port, opts);
    } catch (err) {
      lastError = err;
      if (opts.port) break;
    }
  }
  throw lastError;
}

function spawnRedis(port: number, opts: StartOptions): Promise<PrivateRedis> {
  // a config file (first argument) rather than --requirepass: the command line is public in ps
  const conf = path.join(opts.dir, 'auth.conf');
  if (opts.password) {
    writeFileSync(conf, `requirepass ${opts.password}\n`, { mode: 0o600 });
    chmodSync(conf, 0o600);
  }
  const args = [
    ...(opts.password ? [conf] : []),
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--protected-mode',
    'yes',
    '--dir',
    opts.dir,
    '--appendonly',
    opts.appendOnly ? 'yes' : 'no',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    ...(opts.extraArgs ?? []),
  ];
  // its own process group: a Ctrl-C in the terminal must not stop Redis before the workers
  // that still need it have finished; the owner stops it last
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within 10 s:\n${output}`));
    }, 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({
          url: opts.password
            ? `redis://:${encodeURIComponent(opts.password)}@127.0.0.1:${port}`
            : `redis://127.0.0.1:${port}`,
          port,
          process: child,
          stop: () => stopChild(child),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
}

/** SIGTERM (Redis flushes its AOF and exits), SIGKILL after 10 s. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
