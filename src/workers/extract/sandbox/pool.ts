import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ContentError, ErrorCode, InfrastructureError } from '../../../shared/errors.js';
import type { ExtractionLimits } from '../extract-document.js';
import type { SandboxRequest, SandboxResponse } from './protocol.js';

export interface SandboxOptions {
  /** Children, i.e. files extracted at once. */
  size: number;
  /** A file taking longer is `TIMEOUT` and its child is killed. */
  timeoutMs: number;
  /** V8 heap cap of each child (--max-old-space-size). */
  maxHeapMb: number;
  /** Resident memory at which a child is killed (Linux; checked every 50 ms). */
  maxRssMb: number;
  limits: ExtractionLimits;
}

interface Slot {
  child: ChildProcess | null;
  ready: Promise<void> | null;
  busy: boolean;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const childScript = path.join(here, `child${path.extname(fileURLToPath(import.meta.url))}`);

function rssBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  } catch {
    return 0;
  }
}

/**
 * A small pool of child processes that extract text. One file per child at a time; a child that
 * runs past the time limit or grows past the memory limit is killed and replaced, and the file
 * gets `TIMEOUT` or `CORRUPTED_FILE`. The parent never parses a document itself.
 */
export class SandboxPool {
  private readonly slots: Slot[];
  private readonly waiting: ((slot: Slot) => void)[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: SandboxOptions) {
    this.slots = Array.from({ length: opts.size }, () => ({
      child: null,
      ready: null,
      busy: false,
    }));
  }

  /** Starts every child now, so the first files do not pay for start-up. */
  async warm(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.ensureChild(s)));
  }

  async extract(bytes: Uint8Array, fileName: string): Promise<{ format: string; text: string }> {
    const slot = await this.acquire();
    try {
      return await this.runOn(slot, bytes, fileName);
    } finally {
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => this.kill(s, 'SIGTERM')));
  }

  /** Pids of the live children (for tests and metrics). */
  pids(): number[] {
    return this.slots.flatMap((s) => (s.child?.pid ? [s.child.pid] : []));
  }

  private acquire(): Promise<Slot> {
    if (this.closed) return Promise.reject(new InfrastructureError('sandbox pool is closed'));
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: Slot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else slot.busy = false;
  }

  private ensureChild(slot: Slot): Promise<void> {
    if (slot.child && slot.ready) return slot.ready;
    const child = fork(childScript, [], {
      execArgv: [
        ...process.execArgv.filter((a) => !a.startsWith('--max-old-space-size')),
        `--max-old-space-size=${this.opts.maxHeapMb}`,
        // one core per child: parallel GC threads would make children compete for cores
        '--single-threaded-gc',
      ],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    slot.child = child;
    // a failed fork or a send on a closed channel is an 'error' event: unhandled, it would take
    // the whole extractor down; the exit (or the job's own timer) settles what was waiting
    child.on('error', () => child.kill('SIGKILL'));
    slot.ready = new Promise<void>((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (slot.child === child) slot.child = slot.ready = null;
        child.kill('SIGKILL');
        reject(new InfrastructureError(`sandbox child did not start: ${why}`));
      };
      const timer = setTimeout(() => fail('no answer within 30 s'), 30_000);
      const onMessage = (m: { ready?: boolean }) => {
        if (m?.ready) {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve();
        }
      };
      const onExit = (code: number | null, signal: string | null) =>
        fail(`exited (${code ?? signal})`);
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    child.once('exit', () => {
      if (slot.child === child) slot.child = slot.ready = null;
    });
    return slot.ready;
  }

  private async runOn(
    slot: Slot,
    bytes: Uint8Array,
    fileName: string,
  ): Promise<{ format: string; text: string }> {
    await this.ensureChild(slot);
    const child = slot.child!;
    const id = this.nextId++;
    const request: SandboxRequest = { id, bytes, fileName, limits: this.opts.limits };
    const maxRss = this.opts.maxRssMb * 1024 * 1024;

    type Ending =
      | SandboxResponse
      | { status: 'timeout' }
      | { status: 'died'; outOfMemory: boolean; why: string };
    const res = await new Promise<Ending>((resolve) => {
      const timer = setTimeout(() => finish({ status: 'timeout' }), this.opts.timeoutMs);
      const watch = setInterval(() => {
        if (child.pid && rssBytes(child.pid) > maxRss)
          finish({ status: 'died', outOfMemory: true, why: 'over the resident memory limit' });
      }, 50);
      const onMessage = (m: SandboxResponse) => m.id === id && finish(m);
      // V8 aborts (SIGABRT, exit 134) when the heap cap is reached; any other death came from
      // outside (an operator, the kernel, a bug) and says nothing about the file
      const onExit = (code: number | null, signal: string | null) =>
        finish({
          status: 'died',
          outOfMemory: signal === 'SIGABRT' || code === 134,
          why: `exit ${code ?? signal}`,
        });
      function finish(r: Ending) {
        clearTimeout(timer);
        clearInterval(watch);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(r);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(request, (err) => {
        if (err)
          finish({
            status: 'died',
            outOfMemory: false,
            why: `could not send the file: ${err.message}`,
          });
      });
    });

    switch (res.status) {
      case 'ok':
        return { format: res.format, text: res.text };
      case 'failed':
        throw new ContentError(res.code, res.message);
      case 'timeout':
        await this.kill(slot, 'SIGKILL');
        throw new ContentError(
          ErrorCode.TIMEOUT,
          `Reading the file took longer than ${this.opts.timeoutMs} ms.`,
        );
      case 'died':
        await this.kill(slot, 'SIGKILL');
        if (this.closed) throw new InfrastructureError('sandbox pool closed during extraction');
        if (!res.outOfMemory)
          throw new InfrastructureError(
            `sandbox child died (${res.why}); the file will be tried again`,
          );
        throw new ContentError(
          ErrorCode.CORRUPTED_FILE,
          'Reading the file needed more memory than allowed.',
        );
      case 'crashed':
        throw new InfrastructureError(`extraction crashed: ${res.message}`);
    }
  }

  private kill(slot: Slot, signal: NodeJS.Signals): Promise<void> {
    const child = slot.child;
    slot.child = slot.ready = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
      if (signal !== 'SIGKILL') setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    });
  }
}
