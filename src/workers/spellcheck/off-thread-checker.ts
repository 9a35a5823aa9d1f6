import type { Worker } from 'node:worker_threads';
import { InfrastructureError } from '../../shared/errors.js';
import { startThread } from '../../shared/threads.js';
import type { CheckResult, Language } from './checker.js';
import type { CheckReply, CheckRequest } from './checker-thread-protocol.js';

interface Pending {
  resolve(result: CheckResult): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Far longer than any essay takes: a check past it means a stuck thread, which is replaced. */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * The spellchecker on a thread of its own. Checking is pure CPU work: on the main thread it would
 * hold up BullMQ's lock renewals and the next job's Redis round trips; here the main thread
 * keeps the queue moving while the thread checks. Dictionaries load once, when the thread
 * starts. A thread that dies fails the checks it held (retryable) and is started again.
 */
export class OffThreadChecker {
  private thread?: Promise<Worker>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(private readonly timeoutMs = DEFAULT_TIMEOUT_MS) {}

  /** Starts the thread and waits until its dictionaries are loaded. */
  async load(): Promise<this> {
    await this.started();
    return this;
  }

  async check(text: string, language: Language): Promise<CheckResult> {
    const thread = await this.started();
    const id = this.nextId++;
    return new Promise<CheckResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        void thread.terminate(); // 'exit' fails this check and any others the thread held
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      thread.postMessage({ id, text, language } satisfies CheckRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const thread = await this.thread?.catch(() => undefined);
    await thread?.terminate();
  }

  private started(): Promise<Worker> {
    if (this.closed) return Promise.reject(new InfrastructureError('spellchecker closed'));
    this.thread ??= new Promise<Worker>((resolve, reject) => {
      const thread = startThread(new URL('./checker-thread', import.meta.url), import.meta.url);
      const lost = (reason: string) => {
        this.thread = undefined;
        reject(new InfrastructureError(reason));
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(new InfrastructureError(reason));
        }
        this.pending.clear();
      };
      thread.on('message', (msg: CheckReply | { ready: true }) => {
        if ('ready' in msg) return resolve(thread);
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if ('error' in msg) p.reject(new Error(msg.error));
        else p.resolve(msg.result);
      });
      thread.on('error', (err) => lost(`spellcheck thread failed: ${err.message}`));
      thread.on('exit', (code) => lost(`spellcheck thread exited with code ${code}`));
    });
    return this.thread;
  }
}
