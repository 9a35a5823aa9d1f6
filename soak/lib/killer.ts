// The seeded killer: every few seconds a kill -9 of a random process of any type (web,
// extractor, lifecycle, spellcheck, or a sandbox child of an extractor), which is then started
// again (a sandbox child is replaced by its pool); Redis is restarted twice on the way, once
// gracefully and once by kill -9.
import type { Prng } from './prng.js';
import type { Role, SoakFleet } from './fleet.js';

export type Target = Role | 'sandbox' | 'redis-graceful' | 'redis-kill';

export interface Kill {
  atMs: number;
  target: Target;
  pid: number;
  name: string;
}

export interface KillerOptions {
  kills: number;
  /** Mean time between kills; each gap is drawn from half to one and a half of it. */
  meanGapMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Killer {
  readonly kills: Kill[] = [];
  readonly problems: string[] = [];
  private restarts: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly rng: Prng,
    private readonly fleet: SoakFleet,
    private readonly opts: KillerOptions,
    private readonly log: (line: string) => void,
  ) {}

  /** Runs until every kill is done (Redis restarts at a third and two thirds of the way). */
  async run(startedAt: number): Promise<void> {
    const redisAt = new Map([
      [Math.floor(this.opts.kills / 3), 'redis-graceful' as const],
      [Math.floor((2 * this.opts.kills) / 3), 'redis-kill' as const],
    ]);
    for (let i = 0; i < this.opts.kills && !this.stopped; i++) {
      await sleep(this.opts.meanGapMs * (0.5 + this.rng.next()));
      if (this.stopped) break;
      const redis = redisAt.get(i);
      if (redis) await this.restartRedis(redis, startedAt);
      await this.killOne(startedAt);
    }
    await Promise.all(this.restarts);
  }

  stop(): void {
    this.stopped = true;
  }

  private async restartRedis(how: 'redis-graceful' | 'redis-kill', startedAt: number) {
    const pid = this.fleet.redisPid;
    this.kills.push({ atMs: Date.now() - startedAt, target: how, pid, name: 'redis' });
    this.log(`${how === 'redis-kill' ? 'kill -9' : 'SIGTERM'} redis (${pid}), restarting`);
    try {
      await this.fleet.restartRedis(how === 'redis-kill' ? 'kill' : 'graceful');
    } catch (err) {
      this.problems.push(`redis did not come back after ${how}: ${(err as Error).message}`);
    }
  }

  private async killOne(startedAt: number) {
    // only what runs now: a process still starting again is not a target yet
    const running = this.fleet.processes.filter((p) => p.ready && p.child.pid);
    const sandboxes = this.fleet.sandboxChildren();
    const roles = [...new Set(running.map((p) => p.role))];
    // each type is as likely as the others, whatever its count of processes
    const target: Target = this.rng.pick<Target>([
      ...roles,
      ...(sandboxes.length ? (['sandbox'] as const) : []),
    ]);
    if (target === 'sandbox') {
      const pid = this.rng.pick(sandboxes);
      this.kills.push({ atMs: Date.now() - startedAt, target, pid, name: `sandbox child` });
      this.log(`kill -9 sandbox child ${pid}`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // it ended meanwhile
      }
      return;
    }
    const victim = this.rng.pick(running.filter((p) => p.role === target));
    const name = `${victim.role}.${victim.index}`;
    this.kills.push({ atMs: Date.now() - startedAt, target, pid: victim.child.pid!, name });
    this.log(`kill -9 ${name} (${victim.child.pid})`);
    const gone = new Promise((r) => victim.child.once('exit', r));
    victim.child.kill('SIGKILL');
    const delay = this.rng.int(200, 2000);
    this.restarts.push(
      (async () => {
        await gone;
        await sleep(delay);
        // as npm start does: a process that dies while starting is started again
        for (let attempt = 1; ; attempt++) {
          try {
            await this.fleet.startProcess(victim.role, victim.index);
            return;
          } catch (err) {
            if (attempt === 3) {
              this.problems.push(`${name} did not come back: ${(err as Error).message}`);
              return;
            }
          }
        }
      })(),
    );
  }
}
