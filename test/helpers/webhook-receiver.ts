import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got, with what it made of it. */
export interface Delivery {
  path: string;
  answered: number;
  signatureValid: boolean;
  eventId: string;
  eventType: string;
  body: any;
}

/**
 * A real webhook receiver, written as a platform team would write one from the README: it checks
 * `Essay-Signature` itself (its own HMAC, not the fleet's code) and answers what `answer` says.
 */
export async function startReceiver(
  secret: string,
  answer: (req: { path: string; eventId: string; attempt: number }) => number | 'hang' = () => 200,
) {
  const deliveries: Delivery[] = [];
  const attempts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const header = String(req.headers['essay-signature'] ?? '');
      const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2)));
      const expected = createHmac('sha256', secret).update(`${parts.t}.${raw}`).digest('hex');
      const given = Buffer.from(String(parts.v1 ?? ''), 'utf8');
      const signatureValid =
        given.length === expected.length &&
        timingSafeEqual(given, Buffer.from(expected, 'utf8')) &&
        Math.abs(Date.now() / 1000 - Number(parts.t)) < 300;
      let body: any = null;
      try {
        body = JSON.parse(raw);
      } catch {
        // recorded as it came
      }
      const eventId = String(body?.event_id ?? '');
      const key = `${path} ${eventId}`;
      const attempt = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, attempt);
      const status = signatureValid ? answer({ path, eventId, attempt }) : 401;
      if (status === 'hang') return; // never answers: the sender's timeout must end it
      deliveries.push({
        path,
        answered: status,
        signatureValid,
        eventId,
        eventType: String(body?.event_type ?? ''),
        body,
      });
      res.writeHead(status, status >= 300 && status < 400 ? { location: '/elsewhere' } : {});
      res.end(status >= 400 ? 'not now' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deliveries,
    /** Event ids answered 2xx on `path`, with how often each was. */
    accepted(path: string): Map<string, number> {
      const counts = new Map<string, number>();
      for (const d of deliveries)
        if (d.path === path && d.answered < 300)
          counts.set(d.eventId, (counts.get(d.eventId) ?? 0) + 1);
      return counts;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
