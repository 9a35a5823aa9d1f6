import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/shared/redis-server.js';
import { ensureDebianPackage } from '../../src/shared/system-packages.js';
import { exitOf } from './processes.js';
import { waitFor } from './wait.js';

const NGINX = '/usr/sbin/nginx';

/** Debian's nginx; as root on Debian it is installed on first use. */
export const ensureNginx = () =>
  ensureDebianPackage({
    pkg: 'nginx',
    present: () => fs.existsSync(NGINX),
    missing: () => new Error(`no nginx at ${NGINX}: install the Debian package "nginx"`),
  });

export interface Nginx {
  /** The proxy's address (plain HTTP on loopback). */
  url: string;
  /** Its error log, for a failure's message. */
  errors(): string;
  stop(): Promise<void>;
}

/**
 * nginx as a reverse proxy on a free loopback port in front of `upstream`, configured as
 * docs/security.md shows it (the client's Host passed on, X-Forwarded-For set to the address
 * nginx sees, uploads and event streams not buffered). Everything of it lives in a temporary
 * prefix: config, pid, logs, temporary files; it runs in the foreground as one process.
 */
export async function startNginx(upstream: string): Promise<Nginx> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-nginx-'));
  const port = await freePort();
  const up = new URL(upstream);
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 0;
    location / {
      proxy_pass http://${up.host};
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_request_buffering off;
      proxy_buffering off;
    }
  }
}
`,
  );
  const child = spawn(NGINX, ['-p', dir, '-c', `${dir}/nginx.conf`, '-e', `${dir}/error.log`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const errors = () => {
    const log = path.join(dir, 'error.log');
    return stderr + (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exitOf(child, 10_000).catch(() => child.kill('SIGKILL'));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'nginx to listen',
      () => {
        if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${errors()}`);
        return connects(port);
      },
      15_000,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, errors, stop };
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}
