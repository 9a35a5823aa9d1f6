import type { Queue } from 'bullmq';
import type { EventLog, OutboxEntry } from '../shared/batches/event-log.js';
import { makeEnvelope, type Envelope } from '../shared/events/envelope.js';
import type { EventData } from '../shared/events/schemas.js';
import type { EventType } from '../shared/events/vocabulary.js';
import type { WebhookEndpoint } from '../shared/webhooks.js';
import type { WebhookJob } from './jobs.js';
import { QueueName, subscriptions } from './names.js';

/**
 * Publishes events: one job per subscribing queue with the event id as job id (a re-publish of
 * the same fact is a no-op while the job is kept, and is recognised by the consumer's processed
 * set after that), and one `webhook.deliver` job per endpoint subscribed to its type (job id:
 * the event id and the endpoint's key), then the batch's event log, once per id. The jobs go
 * first: a crash in between leaves the entries in the outbox, and the retry adds nothing twice.
 */
export class Publisher {
  constructor(
    private readonly log: EventLog,
    private readonly queue: (name: QueueName) => Queue,
    private readonly source: string,
    private readonly webhooks: readonly WebhookEndpoint[] = [],
  ) {}

  /** Builds and publishes an event about one subject that no batch step wrote to an outbox. */
  async emit<T extends EventType>(
    type: T,
    data: EventData<T>,
    identity: Parameters<typeof makeEnvelope>[2]['identity'],
    correlationId: string,
  ): Promise<Envelope<T>> {
    const envelope = makeEnvelope(type, data, { identity, source: this.source, correlationId });
    await this.enqueue([envelope]);
    await this.log.append(identity.batchId, [envelope]);
    return envelope;
  }

  /**
   * Publishes outbox entries already read (a transition answers with them), and removes them
   * from the outbox in the same step that appends them to the log. Safe to run by any number of
   * processes at once and after any crash: ids make every publish idempotent.
   */
  async publishOutbox(
    batchId: string,
    entries: OutboxEntry[],
    correlationId: string,
    afterEnqueue?: () => void,
  ): Promise<Envelope[]> {
    if (entries.length === 0) return [];
    const envelopes = entries.map((entry) => this.envelopeOf(batchId, entry, correlationId));
    await this.enqueue(envelopes);
    afterEnqueue?.();
    await this.log.append(
      batchId,
      envelopes,
      entries.map((e) => e.raw),
    );
    return envelopes;
  }

  /** Publishes what a batch's steps left in its outbox (a step that crashed before publishing). */
  async drainOutbox(batchId: string, correlationId: string): Promise<Envelope[]> {
    return this.publishOutbox(batchId, await this.log.pendingOutbox(batchId), correlationId);
  }

  private async enqueue(envelopes: Envelope[]): Promise<void> {
    const byQueue = new Map<QueueName, Envelope[]>();
    for (const envelope of envelopes)
      for (const q of subscriptions[envelope.event_type])
        byQueue.set(q, [...(byQueue.get(q) ?? []), envelope]);
    const deliveries = envelopes.flatMap((e) =>
      this.webhooks.filter((w) => w.events.has(e.event_type)).map((w) => webhookJob(w, e)),
    );
    await Promise.all([
      ...[...byQueue].map(([q, list]) =>
        this.queue(q).addBulk(
          list.map((e) => ({ name: e.event_type, data: e, opts: { jobId: e.event_id } })),
        ),
      ),
      deliveries.length ? this.queue(QueueName.webhook).addBulk(deliveries) : undefined,
    ]);
  }

  private envelopeOf(batchId: string, entry: OutboxEntry, correlationId: string): Envelope {
    return makeEnvelope(entry.event_type, entry.data as EventData<typeof entry.event_type>, {
      identity: {
        batchId,
        subjectId: entry.subject_id,
        phase: entry.phase,
        outcome: entry.outcome,
      },
      source: this.source,
      correlationId,
    });
  }
}

/** The delivery of one event to one endpoint: the same pair always has the same job id. */
function webhookJob(endpoint: WebhookEndpoint, event: Envelope) {
  const url = new URL(endpoint.url);
  const data: WebhookJob = {
    endpoint: endpoint.key,
    endpoint_url: `${url.origin}${url.pathname}`,
    event,
  };
  return { name: event.event_type, data, opts: { jobId: `${event.event_id}.${endpoint.key}` } };
}
