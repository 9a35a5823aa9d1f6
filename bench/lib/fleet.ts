// The fleet for benchmarks: a private Redis and the Procfile entries as separate OS processes,
// from the built code (`npm run build`), as `npm start` runs them.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, startRedisServer, stopChild } from '../../src/shared/redis-server.js';
import { childrenOf } from '../../test/helpers/memory.js';
import { procfileEntries, repoRoot, waitForOutput } from '../../test/helpers/processes.js';

export type Role = 'web' | 'extractor' | 'lifecycle' | 'spellcheck';

const entries = procfileEntries() as Record<Role, string[]>;

export interface BenchFleet {
  url: string;
  redisUrl: string;
  /** A plain client of the fleet's Redis, for INFO and the like. */
  redis: Redis;
  dataDir: string;
  pid(role: Role): number;
  redisPid: number;
  /** The last lines a role's first process printed. */
  output(role: Role): string;
  /** Starts one more process of a role (or again, after `stopRole`). */
  start(role: Role): Promise<void>;
  stopRole(role: Role): Promise<void>;
  stop(): Promise<void>;
}

const usedPorts = new Set<number>();

/** Every process started here, killed when the benchmark exits however it exits. */
const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of everyChild) if (c.exitCode === null) c.kill('SIGKILL');
});

export async function startBenchFleet(
  roles: Role[],
  env: Record<string, string> = {},
  execArgv: string[] = [],
): Promise<BenchFleet> {
  if (!fs.existsSync(path.join(repoRoot, 'dist/bin/api.js')))
    throw new Error('run `npm run build` first');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fleet-'));
  const redisServer = await startRedisServer({
    dir: path.join(dataDir, 'redis'),
    appendOnly: true,
  });
  everyChild.add(redisServer.process);
  // a port no earlier fleet of this run had: this process's fetch keeps connections to the
  // old one alive, and would send the new fleet's requests down them
  let port = await freePort();
  while (usedPorts.has(port)) port = await freePort();
  usedPorts.add(port);
  const children = new Map<Role, ChildProcess[]>();
  const outputs = new Map<ChildProcess, () => string>();
  const fullEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    REDIS_URL: redisServer.url,
    DATA_DIR: dataDir,
    PORT: String(port),
    LOG_JSON: 'true',
    ...env,
  };
  async function start(role: Role): Promise<void> {
    const child = spawn(process.execPath, [...execArgv, ...entries[role]], {
      cwd: repoRoot,
      env: fullEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const tap = (c: Buffer) => {
      out = (out + c.toString()).slice(-20_000);
    };
    child.stdout.on('data', tap);
    child.stderr.on('data', tap);
    const proc = Object.assign(child, { output: () => out });
    outputs.set(child, proc.output);
    children.set(role, [...(children.get(role) ?? []), child]);
    everyChild.add(child);
    await waitForOutput(proc, role === 'web' ? /web listening/ : /consuming/, 30_000);
  }
  const redis = new Redis(redisServer.url);
  for (const role of roles) await start(role);
  return {
    url: `http://127.0.0.1:${port}`,
    redisUrl: redisServer.url,
    redisPid: redisServer.process.pid!,
    redis,
    dataDir,
    pid: (role) => children.get(role)![0]!.pid!,
    output: (role) => outputs.get(children.get(role)![0]!)?.() ?? '',
    start,
    async stopRole(role) {
      await Promise.all((children.get(role) ?? []).map((c) => stopChild(c, 20_000)));
      children.delete(role);
    },
    async stop() {
      await Promise.all([...children.values()].flat().map((c) => stopChild(c, 20_000)));
      redis.disconnect();
      await redisServer.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** CPU milliseconds used so far by a process and all its descendants that are still running. */
export function cpuMsOfTree(pid: number): number {
  const ticks = 100; // USER_HZ on Linux
  let total = 0;
  const visit = (p: number) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime: fields 14-17 of the line, 12-15 after the name
      total += (Number(fields[11]) + Number(fields[12])) * (1000 / ticks);
      for (const c of childrenOf(p)) visit(c);
    } catch {
      // gone meanwhile
    }
  };
  visit(pid);
  return total;
}
