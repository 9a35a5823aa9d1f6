import type { Queue } from 'bullmq';
import type { BatchStore, OutboxEntry } from '../shared/batches/batch-store.js';
import { makeEnvelope, type Envelope } from '../shared/events/envelope.js';
import type { EventData } from '../shared/events/schemas.js';
import type { EventType } from '../shared/events/vocabulary.js';
import { subscriptions, type QueueName } from './names.js';

/**
 * Publishes an event: appends it to its batch's event log (once per id) and adds one job per
 * subscribing queue with the event id as job id, so a re-publish of the same fact is a no-op
 * while the job is kept, and is recognised by the consumer's processed set after that.
 */
export class Publisher {
  constructor(
    private readonly batches: BatchStore,
    private readonly queue: (name: QueueName) => Queue,
    private readonly source: string,
  ) {}

  async publish(envelope: Envelope): Promise<void> {
    const batchId = (envelope.data as { batch_id: string }).batch_id;
    await this.batches.appendEvent(batchId, envelope);
    await Promise.all(
      subscriptions[envelope.event_type].map((q) =>
        this.queue(q).add(envelope.event_type, envelope, { jobId: envelope.event_id }),
      ),
    );
  }

  /** Builds and publishes an event about one subject (file, upload or batch). */
  async emit<T extends EventType>(
    type: T,
    data: EventData<T>,
    identity: Parameters<typeof makeEnvelope>[2]['identity'],
    correlationId: string,
  ): Promise<Envelope<T>> {
    const envelope = makeEnvelope(type, data, { identity, source: this.source, correlationId });
    await this.publish(envelope);
    return envelope;
  }

  /**
   * Publishes what a batch's state changes left in its outbox, then removes each entry. Safe to
   * run by any number of processes at once and after any crash: ids make every publish idempotent.
   */
  async drainOutbox(
    batchId: string,
    correlationId: string,
    afterPublish?: () => void,
  ): Promise<Envelope[]> {
    return this.publishOutbox(
      batchId,
      await this.batches.pendingOutbox(batchId),
      correlationId,
      afterPublish,
    );
  }

  /** Publishes outbox entries already read (a transition returns them), removing each after. */
  async publishOutbox(
    batchId: string,
    entries: OutboxEntry[],
    correlationId: string,
    afterPublish?: () => void,
  ): Promise<Envelope[]> {
    const published: Envelope[] = [];
    for (const entry of entries) {
      const envelope = this.envelopeOf(batchId, entry, correlationId);
      await this.publish(envelope);
      afterPublish?.();
      await this.batches.ackOutbox(batchId, entry);
      published.push(envelope);
    }
    return published;
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
