import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** True when `command args…` runs and exits 0. */
export function runs(command: string, args: string[] = ['--version']): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure a program from a Debian package is there: when `present()` says no, installs the
 * package with apt-get as root on Debian/Ubuntu, otherwise throws `missing()` (which says how).
 */
export function ensureDebianPackage(opts: {
  pkg: string;
  present: () => boolean;
  missing: () => Error;
  log?: (msg: string) => void;
}): void {
  if (opts.present()) return;
  if (process.getuid?.() !== 0 || !existsSync('/etc/debian_version')) throw opts.missing();
  opts.log?.(`${opts.pkg} not found: installing it with apt-get`);
  // someone watching (npm start) sees apt's progress; tests stay quiet
  const stdio = opts.log ? 'inherit' : 'ignore';
  execFileSync('apt-get', ['update', '-qq'], { stdio });
  execFileSync('apt-get', ['install', '-y', '-qq', opts.pkg], {
    stdio,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!opts.present()) throw opts.missing();
}
