import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { waitFor } from './wait.js';
import {
  ensureRedisServer,
  startRedisServer,
  type PrivateRedis,
} from '../../src/shared/redis-server.js';

/**
 * A real redis-server for one suite, on a free loopback port, in a throwaway directory.
 * Call in a `describe` body: starts before the suite's tests, stops after them.
 */
export interface TestRedis {
  readonly url: string;
  /** Settings that point the fleet at this Redis besides `url` (none for one node). */
  readonly env: Record<string, string>;
  readonly server: PrivateRedis;
  /** Stops the server (SIGTERM: the AOF is flushed) and starts it again on the same port and data. */
  restart(): Promise<void>;
  /** Registers a clean-up that must run while Redis is still up (clients, fleets); runs in reverse. */
  track<T extends { stop?(): Promise<unknown>; quit?(): Promise<unknown> }>(thing: T): T;
}

export function useRedis(opts: { appendOnly?: boolean } = {}): TestRedis {
  let server: PrivateRedis | undefined;
  let dir: string | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];
  before(async function () {
    this.timeout(120_000);
    ensureRedisServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-redis-'));
    server = await startRedisServer({ dir, appendOnly: opts.appendOnly ?? false });
  });
  after(async function () {
    this.timeout(60_000);
    for (const cleanup of cleanups.reverse()) await cleanup();
    await server?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    async restart() {
      const port = server!.port;
      await server!.stop();
      server = await startRedisServer({ dir: dir!, appendOnly: opts.appendOnly ?? false, port });
    },
    track(thing) {
      cleanups.push(async () => {
        if (thing.stop) await thing.stop();
        else if (thing.quit) await thing.quit();
      });
      return thing;
    },
    get url() {
      if (!server) throw new Error('redis not started yet');
      return server.url;
    },
    env: {},
    get server() {
      if (!server) throw new Error('redis not started yet');
      return server;
    },
  };
}

export interface TestRedisCluster {
  /** Empty: a cluster is named by its nodes, in `env`. */
  readonly url: '';
  /** `REDIS_CLUSTER_NODES` for the fleet. */
  readonly env: Record<string, string>;
  readonly nodes: string[];
  track: TestRedis['track'];
}

/**
 * A Redis Cluster of three masters on loopback (`redis-server --cluster-enabled yes`, then
 * `redis-cli --cluster create`), for one suite; ready when every node says cluster_state:ok.
 */
export function useRedisCluster(): TestRedisCluster {
  const servers: PrivateRedis[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  let dir: string | undefined;
  before(async function () {
    this.timeout(120_000);
    ensureRedisServer();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-cluster-'));
    for (let i = 0; i < 3; i++) {
      const nodeDir = path.join(dir, `node-${i}`);
      servers.push(
        await startRedisServer({
          dir: nodeDir,
          appendOnly: false,
          extraArgs: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            path.join(nodeDir, 'nodes.conf'),
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    }
    await promisify(execFile)('redis-cli', [
      '--cluster',
      'create',
      ...servers.map((s) => `127.0.0.1:${s.port}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const s of servers) {
      const client = new Redis(s.url);
      try {
        await waitFor(
          `cluster_state:ok on port ${s.port}`,
          async () => /cluster_state:ok/.test((await client.cluster('INFO')) as string),
          30_000,
        );
      } finally {
        client.disconnect();
      }
    }
  });
  after(async function () {
    this.timeout(60_000);
    for (const cleanup of cleanups.reverse()) await cleanup();
    for (const s of servers) await s.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const nodes = () => servers.map((s) => `127.0.0.1:${s.port}`);
  return {
    url: '',
    get env() {
      return { REDIS_CLUSTER_NODES: nodes().join(',') };
    },
    get nodes() {
      return nodes();
    },
    track(thing) {
      cleanups.push(async () => {
        if (thing.stop) await thing.stop();
        else if (thing.quit) await thing.quit();
      });
      return thing;
    },
  };
}
