import { waitFor } from './wait.js';

export interface UploadFile {
  name: string;
  content: string | Uint8Array;
  type?: string;
}

/** A small client for the fleet's HTTP API, as a platform team would write one. */
export class ApiClient {
  constructor(readonly base: string) {}

  async json(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: (text ? JSON.parse(text) : null) as any,
    };
  }

  async register(body: Record<string, unknown>) {
    const res = await this.json('POST', '/v1/batches/register', body);
    if (res.status !== 202)
      throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { batch_id: string; correlation_id: string; status: string };
  }

  async upload(batchId: string, files: UploadFile[], headers: Record<string, string> = {}) {
    const form = new FormData();
    form.append('batch_id', batchId);
    for (const f of files)
      form.append('files', new Blob([f.content], { type: f.type ?? 'text/plain' }), f.name);
    const res = await fetch(`${this.base}/v1/files/batch`, { method: 'POST', body: form, headers });
    return { status: res.status, body: (await res.json()) as any };
  }

  async batch(batchId: string): Promise<any> {
    return (await this.json('GET', `/v1/batches/${batchId}`)).body;
  }

  async events(
    batchId: string,
  ): Promise<{ event_type: string; event_id: string; data: Record<string, unknown> }[]> {
    return (await this.json('GET', `/v1/batches/${batchId}/events`)).body.events;
  }

  /** Waits until the batch leaves `awaiting_content`, and returns it. */
  async waitForBatch(batchId: string, timeoutMs = 20_000) {
    return waitFor<any>(
      `batch ${batchId} to complete`,
      async () => {
        const b = await this.batch(batchId);
        if (b?.status !== 'ready' && b?.status !== 'timed_out') return undefined;
        // the status changes in the same step that queues the event; the log has it a moment later
        const terminal = b.status === 'ready' ? 'BatchEssaysReadyV1' : 'BatchReadinessTimedOutV1';
        return (await this.events(batchId)).some((e) => e.event_type === terminal) ? b : undefined;
      },
      timeoutMs,
    );
  }
}

/** An essay text long enough to pass validation. */
export function essay(topic: string, words = 60): string {
  const base = `My essay on ${topic}. `;
  const filler = 'The argument develops with care and evidence across several paragraphs of prose';
  return base + Array.from({ length: Math.ceil(words / 12) }, () => filler).join('. ') + '.';
}
