/**
 * Every Redis key name of the fleet is built here, so no client-supplied string becomes a key
 * outside its namespace (ids are validated before they reach these functions).
 *
 * - BullMQ queues live under the prefix `{<prefix>}`: one hash tag, so a Redis Cluster keeps a
 *   queue's keys together.
 * - A batch's keys share the hash tag `{<batch_id>}`, so one Lua script can touch all of them.
 */
export function bullPrefix(prefix: string): string {
  return `{${prefix}}`;
}

export interface BatchKeys {
  meta: string;
  freeSlots: string;
  allSlots: string;
  essays: string;
  files: string;
  uploads: string;
  outbox: string;
  contents: string;
  events: string;
  eventIds: string;
  processed(consumer: string): string;
  phase(name: string): string;
  phaseResults(name: string): string;
  phaseMembers(name: string): string;
}

export function batchKeys(prefix: string, batchId: string): BatchKeys {
  const base = `${prefix}:batch:{${batchId}}`;
  return {
    meta: `${base}:meta`,
    freeSlots: `${base}:slots:free`,
    allSlots: `${base}:slots:all`,
    essays: `${base}:essays`,
    files: `${base}:files`,
    uploads: `${base}:uploads`,
    contents: `${base}:contents`,
    outbox: `${base}:outbox`,
    events: `${base}:events`,
    eventIds: `${base}:events:ids`,
    processed: (consumer) => `${base}:processed:${consumer}`,
    phase: (name) => `${base}:phase:${name}`,
    phaseResults: (name) => `${base}:phase:${name}:results`,
    phaseMembers: (name) => `${base}:phase:${name}:members`,
  };
}

/** Pub/sub channel on which a batch's event log announces its growth. */
export function batchEventsChannel(prefix: string, batchId: string): string {
  return `${prefix}:batch-events:${batchId}`;
}

/**
 * A blob's claim (a writer stores it, or just has: the blob is in use until something names it)
 * and its deletion lock; both share the blob's hash tag, so one script sees both.
 */
export function blobKeys(prefix: string, id: string): { claim: string; deleting: string } {
  return { claim: `${prefix}:blob:{${id}}:claim`, deleting: `${prefix}:blob:{${id}}:deleting` };
}

/** essay_id -> batch_id, so an essay's text can be found from its id alone. */
export function essayIndexKey(prefix: string, essayId: string): string {
  return `${prefix}:essay:${essayId}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
