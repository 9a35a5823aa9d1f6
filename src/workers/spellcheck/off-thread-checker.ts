import type { Worker } from 'node:worker_threads';
import { InfrastructureError } from '../../shared/errors.js';
import { startThread } from '../../shared/threads.js';
import type { CheckerOptions, CheckResult, Language } from './checker.js';
import type { CheckReply, CheckRequest } from './checker-thread-protocol.js';

interface Pending {
  resolve(result: CheckResult): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
}

/** One thread and the checks it holds. */
interface CheckerThread {
  worker: Worker;
  pending: Map<number, Pending>;
}

/** Far longer than any essay takes: a check past it means a stuck thread, which is replaced. */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The spellchecker on a thread of its own. Checking is pure CPU work: on the main thread it would
 * hold up BullMQ's lock renewals and the next job's Redis round trips; here the main thread
 * keeps the queue moving while the thread checks. Dictionaries load once, when the thread
 * starts. Checks queue up at the thread; each one's time limit starts when the thread takes it
 * up. A thread that dies or sticks fails the checks it held (retryable) and is started again;
 * what a dead thread reports late touches only its own checks.
 */
export class OffThreadChecker {
  private current?: Promise<CheckerThread>;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
    private readonly options: Partial<CheckerOptions> = {},
  ) {}

  /** Starts the thread and waits until its dictionaries are loaded. */
  async load(): Promise<this> {
    await this.started();
    return this;
  }

  async check(text: string, language: Language): Promise<CheckResult> {
    const { worker, pending } = await this.started();
    const id = this.nextId++;
    return new Promise<CheckResult>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, text, language } satisfies CheckRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const thread = await this.current?.catch(() => undefined);
    await thread?.worker.terminate();
  }

  private started(): Promise<CheckerThread> {
    if (this.closed) return Promise.reject(new InfrastructureError('spellchecker closed'));
    if (this.current) return this.current;
    const started = new Promise<CheckerThread>((resolve, reject) => {
      const worker = startThread(new URL('./checker-thread', import.meta.url), import.meta.url, {
        workerData: { options: this.options },
      });
      const thread: CheckerThread = { worker, pending: new Map() };
      let gone = false;
      const lost = (reason: string) => {
        if (gone) return;
        gone = true;
        if (this.current === started) this.current = undefined;
        reject(new InfrastructureError(reason));
        for (const p of thread.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new InfrastructureError(reason));
        }
        thread.pending.clear();
        void worker.terminate();
      };
      worker.on('message', (msg: CheckReply | { ready: true } | { started: number }) => {
        if ('ready' in msg) return resolve(thread);
        if ('started' in msg) {
          const p = thread.pending.get(msg.started);
          if (p)
            p.timer = setTimeout(
              () => lost(`spellcheck took over ${this.timeoutMs} ms: thread replaced`),
              this.timeoutMs,
            );
          return;
        }
        const p = thread.pending.get(msg.id);
        if (!p) return;
        thread.pending.delete(msg.id);
        clearTimeout(p.timer);
        if ('error' in msg) p.reject(new Error(msg.error));
        else p.resolve(msg.result);
      });
      worker.on('error', (err) => lost(`spellcheck thread failed: ${err.message}`));
      worker.on('exit', (code) => lost(`spellcheck thread exited with code ${code}`));
    });
    this.current = started;
    return started;
  }
}
