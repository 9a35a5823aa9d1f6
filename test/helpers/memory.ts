import { readFileSync } from 'node:fs';

function rssOf(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096;
  } catch {
    return 0;
  }
}

/** The pids of a process's children (Linux /proc); none if it is gone. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * Samples the resident memory of a process (this one by default) and, separately, of its largest child, every
 * 10 ms until stopped (Linux /proc). Returns the peaks in bytes.
 */
export function sampleMemory(pid = process.pid): { stop(): { self: number; child: number } } {
  let self = 0;
  let child = 0;
  const tick = () => {
    self = Math.max(self, rssOf(pid));
    for (const c of childrenOf(pid)) child = Math.max(child, rssOf(c));
  };
  tick();
  const timer = setInterval(tick, 10);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { self, child };
    },
  };
}
