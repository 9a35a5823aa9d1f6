import { CliError, type FleetClient } from './http.js';

/** One Server-Sent Event: a logged event has an `id` (its position); a live notice has none. */
export interface StreamMessage {
  event: string;
  id?: string;
  data: unknown;
}

/** Parses an SSE byte stream into messages (the `text/event-stream` format, `retry:` ignored). */
export async function* parseEventStream(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<StreamMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let id: string | undefined;
  let data: string[] = [];
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length) {
          const text = data.join('\n');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: handed on as text
          }
          yield { event, id, data: parsed };
        }
        event = 'message';
        id = undefined;
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
    }
  }
}

/**
 * Follows a batch's event stream from its start (or after `lastId`), reconnecting with
 * `Last-Event-ID` when the connection drops, until the caller stops reading.
 */
export async function* followBatch(
  client: FleetClient,
  batchId: string,
  opts: { lastId?: string; signal?: AbortSignal } = {},
): AsyncGenerator<StreamMessage> {
  let lastId = opts.lastId;
  let failures = 0;
  for (;;) {
    try {
      const res = await client.request(`/v1/batches/${encodeURIComponent(batchId)}/events`, {
        headers: { accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
        signal: opts.signal,
      });
      failures = 0;
      for await (const message of parseEventStream(res.body!)) {
        if (message.id !== undefined) lastId = message.id;
        yield message;
      }
    } catch (err) {
      if (opts.signal?.aborted) return;
      // the batch or the token is wrong: reconnecting will not help
      if (
        err instanceof CliError &&
        err.code !== 'UNREACHABLE' &&
        !/^HTTP_5|SERVICE_UNAVAILABLE/.test(err.code)
      )
        throw err;
      if (++failures > 30) throw err;
    }
    if (opts.signal?.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** failures, 5000)));
  }
}
