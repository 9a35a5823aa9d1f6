import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ContentError, ErrorCode, InfrastructureError } from '../../shared/errors.js';

export interface ProcessLimits {
  /** Past it the process is killed and the file is `TIMEOUT`. */
  timeoutMs: number;
  /** Resident memory at which the process is killed (checked every 50 ms); the file is `CORRUPTED_FILE`. */
  maxRssMb: number;
}

function rssBytes(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  } catch {
    return 0;
  }
}

/**
 * Runs one step of OCR (pdftoppm, the image preparation, tesseract) as a process of its own,
 * with a time and a memory limit: a hostile scan costs at most these, never the worker. Answers
 * its standard output; an exit other than 0 is the file's fault (`CORRUPTED_FILE`), a program
 * that cannot be started the fleet's (it throws to retry).
 */
export function runLimited(
  command: string,
  args: string[],
  limits: ProcessLimits,
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const out: Buffer[] = [];
    let err = '';
    let ending: Error | null = null;
    const stop = (e: Error) => {
      ending ??= e;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () =>
        stop(
          new ContentError(
            ErrorCode.TIMEOUT,
            `Reading ${what} took longer than ${limits.timeoutMs} ms.`,
          ),
        ),
      limits.timeoutMs,
    );
    const maxRss = limits.maxRssMb * 1024 * 1024;
    const watch = setInterval(() => {
      if (child.pid && rssBytes(child.pid) > maxRss)
        stop(
          new ContentError(
            ErrorCode.CORRUPTED_FILE,
            `Reading ${what} needed more memory than allowed.`,
          ),
        );
    }, 50);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 4000) err += b.toString('utf8');
    });
    child.on('error', (e) =>
      stop(new InfrastructureError(`could not run ${command}: ${e.message}`, { cause: e })),
    );
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      if (ending) return reject(ending);
      if (code === 0) return resolve(Buffer.concat(out));
      // killed from outside (an operator, the kernel's OOM killer): not the file's fault alone
      if (signal) return reject(new InfrastructureError(`${command} was killed (${signal})`));
      // what the tool said is for operators (the job's log), not for the teacher's message
      const cause = new Error(`${command} exited ${code}: ${err.trim().slice(-500)}`);
      reject(
        Object.assign(
          new ContentError(
            ErrorCode.CORRUPTED_FILE,
            `${what[0]!.toUpperCase()}${what.slice(1)} is damaged and could not be read.`,
          ),
          { cause },
        ),
      );
    });
  });
}
