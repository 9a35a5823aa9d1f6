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
  /** One package, or several installed together. */
  pkg: string | string[];
  present: () => boolean;
  missing: () => Error;
  log?: (msg: string) => void;
}): void {
  if (opts.present()) return;
  if (process.getuid?.() !== 0 || !existsSync('/etc/debian_version')) throw opts.missing();
  const pkgs = Array.isArray(opts.pkg) ? opts.pkg : [opts.pkg];
  opts.log?.(`${pkgs.join(', ')} not found: installing with apt-get`);
  // someone watching (npm start) sees apt's progress; tests stay quiet
  const stdio = opts.log ? 'inherit' : 'ignore';
  execFileSync('apt-get', ['update', '-qq'], { stdio });
  execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], {
    stdio,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (!opts.present()) throw opts.missing();
}
