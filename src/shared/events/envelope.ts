import { z } from 'zod';
import { eventId } from './event-id.js';
import { eventDataSchemas, type EventData } from './schemas.js';
import { EventType, type Phase } from './vocabulary.js';

export const envelopeSchema = z.object({
  event_id: z.string().regex(/^[0-9a-f]{64}$/),
  event_type: z.enum(Object.values(EventType) as [EventType, ...EventType[]]),
  schema_version: z.literal(1),
  event_timestamp: z.string(),
  source: z.string(),
  correlation_id: z.string(),
  data: z.record(z.string(), z.unknown()),
});

export interface Envelope<T extends EventType = EventType> {
  event_id: string;
  event_type: T;
  schema_version: 1;
  event_timestamp: string;
  source: string;
  correlation_id: string;
  data: EventData<T>;
}

export interface EnvelopeIdentity {
  batchId: string;
  subjectId: string;
  phase: Phase;
  outcome: string;
}

/** Builds a validated envelope; its id is derived from what the event is about, never random. */
export function makeEnvelope<T extends EventType>(
  type: T,
  data: EventData<T>,
  meta: { identity: EnvelopeIdentity; source: string; correlationId: string; now?: Date },
): Envelope<T> {
  const { batchId, subjectId, phase, outcome } = meta.identity;
  return {
    event_id: eventId(batchId, subjectId, phase, outcome),
    event_type: type,
    schema_version: 1,
    event_timestamp: (meta.now ?? new Date()).toISOString(),
    source: meta.source,
    correlation_id: meta.correlationId,
    data: eventDataSchemas[type].parse(data) as EventData<T>,
  };
}

/** Parses an envelope received from a queue or the outbox, data included. */
export function parseEnvelope(raw: unknown): Envelope {
  const env = envelopeSchema.parse(raw);
  const data = eventDataSchemas[env.event_type].parse(env.data);
  return { ...env, data } as Envelope;
}
