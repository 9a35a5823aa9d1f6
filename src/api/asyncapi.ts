import { z } from 'zod';
import { envelopeSchema } from '../shared/events/envelope.js';
import { fileProcessedNoticeSchema } from '../shared/events/notice.js';
import { eventDataSchemas } from '../shared/events/schemas.js';
import { EventType } from '../shared/events/vocabulary.js';
import { SIGNATURE_HEADER } from '../shared/webhooks.js';

/** What each event says, for the catalogue; a new event type does not compile without one. */
const summaries: Record<EventType, string> = {
  EssayContentProvisionedV1: 'A file of an upload was read and validated, and took a slot.',
  EssayValidationFailedV1:
    'A file failed: unreadable, empty, too short or long, or PROCESSING_FAILED when its job died.',
  EssayUploadFinishedV1: 'Every file of one upload request has its outcome.',
  EssayUploadAbandonedV1:
    'An upload the API announced never arrived (its web process died); it no longer holds the batch.',
  ExcessContentProvisionedV1: 'A readable file beyond the batch’s expected count, or too late.',
  BatchEssaysReadyV1: 'Every expected essay has its outcome: the batch is ready, exactly once.',
  BatchReadinessTimedOutV1: 'The batch’s deadline passed with essays missing (missing_n > 0).',
  BatchEssayRevivedV1:
    'A dead file retried from the board succeeded after its batch completed; it joins the phases.',
  SpellCheckCompletedV1: 'One essay was spellchecked (or its spellcheck died: status failed).',
  BatchPhaseCompletedV1: 'Every essay of the batch has its spellcheck result.',
};

/** JSON Schema (draft-07, which AsyncAPI schemas extend) of a zod schema, inlined. */
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { target: 'draft-07', io: 'output', reused: 'inline' });
  delete out.$schema;
  return out as Record<string, unknown>;
}

/** The envelope of one event type, its `data` that type's schema. */
function envelopeOf(type: EventType) {
  return envelopeSchema.extend({ event_type: z.literal(type), data: eventDataSchemas[type] });
}

/**
 * The AsyncAPI 3.0 document of the events the fleet sends: on each batch's event stream
 * (Server-Sent Events) and to the operator's webhook endpoints. Generated from the zod schemas
 * the publisher validates every event with, so it cannot drift from what is sent.
 */
export function asyncApiDocument() {
  const types = Object.values(EventType);
  const ref = (path: string) => ({ $ref: path });
  const schemas: Record<string, unknown> = {
    ...Object.fromEntries(types.map((t) => [t, jsonSchema(envelopeOf(t))])),
    FileProcessedNotice: jsonSchema(fileProcessedNoticeSchema),
    WebhookHeaders: {
      type: 'object',
      required: [SIGNATURE_HEADER, 'Essay-Event-Id', 'Essay-Event-Type'],
      properties: {
        [SIGNATURE_HEADER]: {
          type: 'string',
          pattern: '^t=\\d+,v1=[0-9a-f]{64}$',
          description:
            't: Unix seconds when sent; v1: hex HMAC-SHA256, keyed with the endpoint’s secret, of "<t>.<raw body>". Compare in constant time and refuse an old t.',
        },
        'Essay-Event-Id': { type: 'string', description: 'The event’s id: deduplicate on it.' },
        'Essay-Event-Type': { type: 'string' },
      },
    },
  };
  const messages: Record<string, unknown> = Object.fromEntries(
    types.map((t) => [
      t,
      { name: t, title: t, summary: summaries[t], payload: ref(`#/components/schemas/${t}`) },
    ]),
  );
  messages.FileProcessedNotice = {
    name: 'notice',
    title: 'File processed (live notice)',
    summary:
      'A file finished extraction. Sent only on the live stream as `event: notice`, without an id; not kept, not replayed, not delivered to webhooks.',
    payload: ref('#/components/schemas/FileProcessedNotice'),
  };
  const webhookMessages = Object.fromEntries(
    types.map((t) => [
      t,
      {
        name: t,
        title: t,
        summary: summaries[t],
        headers: ref('#/components/schemas/WebhookHeaders'),
        payload: ref(`#/components/schemas/${t}`),
      },
    ]),
  );
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Essay intake fleet events',
      version: '1',
      description:
        'Every event is a JSON envelope `{event_id, event_type, schema_version, event_timestamp, source, correlation_id, data}`. `event_id` is derived from what the event is about, so the same fact always has the same id: deduplicate on it. Events come in the order of the batch’s event log on the stream; webhook deliveries are retried and may arrive out of order.',
    },
    defaultContentType: 'application/json',
    servers: {
      fleet: {
        host: '{host}',
        protocol: 'http',
        description:
          'The web process (https behind a TLS proxy); /v1 wants a bearer token when API_TOKENS is set.',
        variables: { host: { default: 'localhost:8080' } },
      },
    },
    channels: {
      batchEvents: {
        address: '/v1/batches/{batch_id}/events',
        title: 'A batch’s event stream',
        description:
          'GET with `Accept: text/event-stream`: the event log replayed, then followed live. Each event is sent as `event: <event_type>`, `id: <position in the log>`, `data: <envelope>`; send `Last-Event-ID` to resume. Between them, live `notice` events without an id.',
        parameters: { batch_id: { description: 'The batch id from registration (a UUID).' } },
        messages: {
          ...Object.fromEntries(types.map((t) => [t, ref(`#/components/messages/${t}`)])),
          FileProcessedNotice: ref('#/components/messages/FileProcessedNotice'),
        },
      },
      webhooks: {
        address: null,
        title: 'Webhook deliveries',
        description:
          'POST to each endpoint of WEBHOOK_ENDPOINTS (set by the operator) for every event of the types it names: the envelope as the JSON body, signed in the Essay-Signature header. Answer 2xx; anything else (a redirect too), or no answer within WEBHOOK_TIMEOUT_MS, is retried with backoff for WEBHOOK_RETRY_SECONDS, then dead-lettered.',
        messages: webhookMessages,
      },
    },
    operations: {
      streamBatchEvents: {
        action: 'send',
        channel: ref('#/channels/batchEvents'),
        summary: 'The fleet streams a batch’s events to a client that follows them.',
        messages: [...types, 'FileProcessedNotice'].map((t) =>
          ref(`#/channels/batchEvents/messages/${t}`),
        ),
      },
      deliverWebhook: {
        action: 'send',
        channel: ref('#/channels/webhooks'),
        summary:
          'The fleet delivers each subscribed event to each webhook endpoint, once it is acknowledged.',
        messages: types.map((t) => ref(`#/channels/webhooks/messages/${t}`)),
      },
    },
    components: { schemas, messages },
  };
}
