import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The Procfile's entries (`web: node dist/bin/api.js`): each role's arguments to node. */
export function procfileEntries(): Record<string, string[]> {
  return Object.fromEntries(
    fs
      .readFileSync(path.join(repoRoot, 'Procfile'), 'utf8')
      .split('\n')
      .map((line) => /^(\w+):\s*node\s+(.+)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]!.split(/\s+/)]),
  );
}

/** Runs a bin/ entry as its own OS process, through tsx, with the given environment. */
export function spawnBin(
  script: 'start' | 'api' | 'worker' | 'essay-intake',
  args: string[],
  env: Record<string, string | undefined>,
): ChildProcess & { output(): string } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repoRoot, 'bin', `${script}.ts`), ...args],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_JSON: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return Object.assign(child, { output: () => out });
}

/**
 * Runs any command as its own OS process with only the environment given (PATH and HOME kept),
 * stdout and stderr kept apart, and both together for `waitForOutput`.
 */
export function spawnCaptured(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): ChildProcess & { output(): string; streams(): { stdout: string; stderr: string } } {
  const child = spawn(command, args, {
    cwd: opts.cwd ?? repoRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return Object.assign(child, {
    output: () => stdout + stderr,
    streams: () => ({ stdout, stderr }),
  });
}

/** Resolves when the process prints `pattern`; rejects if it exits first or the time runs out. */
export function waitForOutput(
  child: ChildProcess & { output(): string },
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = child.output().match(pattern);
      if (m) {
        cleanup();
        resolve(m);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`process exited (${code}) before printing ${pattern}:\n${child.output()}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${child.output()}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off('data', check);
      child.stderr!.off('data', check);
      child.off('exit', onExit);
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', onExit);
    check();
  });
}

export function exitOf(
  child: ChildProcess,
  timeoutMs = 30_000,
): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`process did not exit within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}
