import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FleetContext } from '../queues/context.js';
import { createApp } from './app.js';

export interface RunningServer {
  server: http.Server;
  url: string;
  /** Stops accepting connections, lets open requests finish up to the deadline, then cuts them. */
  close(deadlineMs: number): Promise<void>;
}

export async function startServer(
  ctx: FleetContext,
  host: string,
  port: number,
): Promise<RunningServer> {
  const server = http.createServer(createApp(ctx));
  server.requestTimeout = 10 * 60_000;
  server.headersTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${shownHost}:${addr.port}`,
    close: (deadlineMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), deadlineMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
