import http from 'node:http';
import net from 'node:net';

/**
 * HTTP as a hostile client sends it: any Host header (fetch picks its own), from any loopback
 * address (`localAddress` 127.0.0.2 … is another client to the server), raw bytes if need be.
 */
export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function request(
  url: string,
  opts: {
    method?: string;
    headers?: Record<string, string>;
    localAddress?: string;
    body?: string | Buffer;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        localAddress: opts.localAddress,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** `Authorization` headers: a bearer token, and a Basic login (`user:password`). */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const basic = (login: string) => ({
  authorization: `Basic ${Buffer.from(login).toString('base64')}`,
});

/** The error code of a JSON error answer, or undefined. */
export function codeOf(answer: Answer): string | undefined {
  try {
    return (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

/** Sends raw bytes as an HTTP request; resolves with the status line's code, or null if none came. */
export function rawRequest(
  url: string,
  head: string,
  body: Buffer,
  opts: { thenStop?: 'close' | 'wait' } = {},
): Promise<number | null> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.write(head);
      socket.write(body);
      if (opts.thenStop === 'close') socket.destroy();
    });
    let answer = '';
    const status = () => Number(/^HTTP\/1\.[01] (\d+)/.exec(answer)?.[1]) || null;
    socket.on('data', (c) => {
      answer += c.toString('latin1');
      if (status()) socket.destroy(); // the answer is in: no need to wait for keep-alive to end
    });
    socket.on('close', () => resolve(status()));
    socket.on('error', () => undefined);
  });
}
