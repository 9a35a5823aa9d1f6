import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
    get server() {
      if (!server) throw new Error('redis not started yet');
      return server;
    },
  };
}
