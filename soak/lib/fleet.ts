// The soak's fleet: the Procfile entries as separate OS processes from the built code (as
// `npm start` and production run them), several of each, on a private Redis with AOF and
// `appendfsync always`, each process restartable after the killer's kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import {
  freePort,
  startRedisServer,
  stopChild,
  type PrivateRedis,
} from '../../src/shared/redis-server.js';
import { childrenOf } from '../../test/helpers/memory.js';
import { procfileEntries, repoRoot } from '../../test/helpers/processes.js';

export type Role = 'web' | 'extractor' | 'lifecycle' | 'spellcheck' | 'ocr';

/** How many processes of each Procfile entry the soak runs (issue #21). */
// (and the ocr process photos and scans go on to, since issue #23)
export const scale: Record<Role, number> = {
  web: 2,
  extractor: 2,
  lifecycle: 2,
  spellcheck: 1,
  ocr: 1,
};

const entries = procfileEntries() as Record<Role, string[]>;

export interface FleetProcess {
  role: Role;
  index: number;
  /** The web process's base URL (web only). */
  url?: string;
  child: ChildProcess;
  /** Serving: started and said so (the killer only kills a process that is). */
  ready: boolean;
  tail(): string;
}

const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of everyChild) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export class SoakFleet {
  readonly processes: FleetProcess[] = [];
  private redisServer!: PrivateRedis;
  private ports = new Map<string, number>();
  redis!: Redis;
  readonly prefix = 'essay';

  private constructor(
    readonly dataDir: string,
    private readonly env: Record<string, string>,
  ) {}

  static async start(env: Record<string, string>): Promise<SoakFleet> {
    if (!fs.existsSync(path.join(repoRoot, 'dist/bin/api.js')))
      throw new Error('run `npm run build` first (npm run soak does)');
    const fleet = new SoakFleet(fs.mkdtempSync(path.join(os.tmpdir(), 'soak-fleet-')), env);
    await fleet.startRedis();
    // a plain client for the checker; it reconnects across the Redis restarts by itself
    fleet.redis = new Redis(fleet.redisUrl, { maxRetriesPerRequest: null });
    fleet.redis.on('error', () => undefined);
    const starts: Promise<void>[] = [];
    for (const role of Object.keys(scale) as Role[])
      for (let i = 0; i < scale[role]; i++) starts.push(fleet.startProcess(role, i));
    await Promise.all(starts);
    return fleet;
  }

  get redisUrl(): string {
    return this.redisServer.url;
  }

  get redisPid(): number {
    return this.redisServer.process.pid!;
  }

  get webUrls(): string[] {
    return this.processes.filter((p) => p.role === 'web').map((p) => p.url!);
  }

  /** The sandbox children of every running extractor. */
  sandboxChildren(): number[] {
    return this.processes
      .filter((p) => p.role === 'extractor' && p.child.pid)
      .flatMap((p) => childrenOf(p.child.pid!));
  }

  private async startRedis(port?: number): Promise<void> {
    this.redisServer = await startRedisServer({
      dir: path.join(this.dataDir, 'redis'),
      appendOnly: true,
      port,
      // nothing acknowledged may be lost to the kill -9 of Redis (later arguments win)
      extraArgs: ['--appendfsync', 'always'],
    });
    everyChild.add(this.redisServer.process);
  }

  /** Restarts Redis on the same port and data: gracefully (SIGTERM, AOF flushed) or by kill -9. */
  async restartRedis(how: 'graceful' | 'kill'): Promise<void> {
    const port = this.redisServer.port;
    const old = this.redisServer.process;
    if (how === 'graceful') await this.redisServer.stop();
    else {
      const gone = new Promise((r) => old.once('exit', r));
      old.kill('SIGKILL');
      await gone;
    }
    everyChild.delete(old);
    await this.startRedis(port);
  }

  /** Starts (or starts again) process `index` of a role, and resolves once it serves. */
  async startProcess(role: Role, index: number): Promise<void> {
    const key = `${role}.${index}`;
    if (role === 'web' && !this.ports.has(key)) this.ports.set(key, await freePort());
    const port = this.ports.get(key);
    const child = spawn(process.execPath, entries[role], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        REDIS_URL: this.redisUrl,
        DATA_DIR: this.dataDir,
        LOG_JSON: 'true',
        ...this.env,
        ...(port ? { PORT: String(port) } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    everyChild.add(child);
    child.once('exit', () => {
      everyChild.delete(child);
      proc.ready = false;
    });
    let out = '';
    const tap = (c: Buffer) => (out = (out + c.toString()).slice(-20_000));
    child.stdout!.on('data', tap);
    child.stderr!.on('data', tap);
    const proc: FleetProcess = {
      role,
      index,
      url: port ? `http://127.0.0.1:${port}` : undefined,
      child,
      ready: false,
      tail: () => out,
    };
    const at = this.processes.findIndex((p) => p.role === role && p.index === index);
    if (at >= 0) this.processes[at] = proc;
    else this.processes.push(proc);
    const ready = role === 'web' ? /web listening/ : /consuming/;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`${key} not ready within 90 s:\n${out.slice(-3000)}`)),
        90_000,
      );
      const check = () => ready.test(out) && done();
      const onExit = (code: number | null, signal: string | null) =>
        done(
          new Error(`${key} exited (${code ?? signal}) before it was ready:\n${out.slice(-3000)}`),
        );
      function done(err?: Error) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        child.stderr!.off('data', check);
        child.off('exit', onExit);
        if (err) reject(err);
        else {
          proc.ready = true;
          resolve();
        }
      }
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      child.once('exit', onExit);
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => stopChild(p.child, 20_000)));
    this.redis.disconnect();
    await this.redisServer.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
