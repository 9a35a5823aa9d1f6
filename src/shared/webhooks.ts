import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { EventType } from './events/vocabulary.js';

/** The header that carries a delivery's signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'Essay-Signature';

const eventTypes = Object.values(EventType) as [EventType, ...EventType[]];

/**
 * One receiver, configured by the operator (never by a client's request). Only http and https:
 * anything else (file:, ftp:, gopher: …) is refused at start. Credentials in the URL are refused
 * too: they would show in logs and on the board; the signature is how a receiver knows us.
 */
export const webhookEndpointSchema = z
  .object({
    url: z
      .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
      .refine((u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password), {
        message: 'no user:password@ in the URL (the signature authenticates deliveries)',
      }),
    secret: z.string().min(16, 'the signing secret needs at least 16 characters'),
    /** Event types to deliver; `*` for every type. */
    events: z.array(z.union([z.enum(eventTypes), z.literal('*')])).min(1),
  })
  .strict();
export type WebhookEndpointConfig = z.infer<typeof webhookEndpointSchema>;

/** An endpoint as the fleet uses it: `key` names it in job ids and payloads, never the secret. */
export interface WebhookEndpoint {
  key: string;
  url: string;
  secret: string;
  events: ReadonlySet<EventType>;
}

/** The endpoint's key: a short hash of its URL, the same in every process with the same setting. */
export function endpointKey(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}

/** `WEBHOOK_ENDPOINTS`: a JSON list of endpoints, each URL at most once. */
export const webhookEndpointsSetting = z
  .string()
  .optional()
  .transform((s, ctx): unknown => {
    if (!s?.trim()) return [];
    try {
      return JSON.parse(s);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message:
          'a JSON list: [{"url": "https://…", "secret": "…", "events": ["BatchEssaysReadyV1"]}]',
      });
      return z.NEVER;
    }
  })
  .pipe(z.array(webhookEndpointSchema))
  .refine((list) => new Set(list.map((e) => e.url)).size === list.length, 'each url only once')
  .transform((list): WebhookEndpoint[] =>
    list.map((e) => ({
      key: endpointKey(e.url),
      url: e.url,
      secret: e.secret,
      events: new Set(e.events.includes('*') ? eventTypes : (e.events as EventType[])),
    })),
  );

/** The signature header's value for `body` sent at `unixSeconds`, the way Stripe signs. */
export function signatureHeader(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}
