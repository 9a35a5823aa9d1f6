import type { Redis } from 'ioredis';
import type { Envelope } from '../events/envelope.js';
import type { EventType, Phase } from '../events/vocabulary.js';
import { batchEventsChannel, batchKeys } from '../keys.js';

/**
 * append-events: appends envelopes to a batch's event log, each once per event id, removes the
 * outbox entries they came from, and tells live listeners (Server-Sent Events) that the log grew.
 * KEYS: 1 events (list of envelope JSON, oldest first)  2 eventIds (set)  3 outbox (list)
 * ARGV: 1 retention seconds  2 pub/sub channel of the batch  3 n, the number of envelopes
 *       4 .. 3+2n  event_id, envelope JSON, for each envelope
 *       4+2n ..    outbox entries (raw JSON) to remove
 * Returns the number of envelopes appended (the rest were in the log already).
 */
export const appendEventsLua = `
local events, ids, outbox = KEYS[1], KEYS[2], KEYS[3]
local retention, channel, n = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
-- unpack() has a limit (~8000 values): long lists go in slices
local SLICE = 1000
local appended, length = 0, nil
for from = 0, n - 1, SLICE do
  local to = math.min(from + SLICE, n) - 1
  local wanted = {}
  for i = from, to do wanted[#wanted + 1] = ARGV[4 + 2 * i] end
  local known = redis.call('SMISMEMBER', ids, unpack(wanted))
  local seen, new_ids, fresh = {}, {}, {}
  for i = from, to do
    local id = ARGV[4 + 2 * i]
    -- an id twice in one call is appended once
    if known[i - from + 1] == 0 and not seen[id] then
      seen[id] = true
      new_ids[#new_ids + 1] = id
      fresh[#fresh + 1] = ARGV[5 + 2 * i]
    end
  end
  if #fresh > 0 then
    redis.call('SADD', ids, unpack(new_ids))
    length = redis.call('RPUSH', events, unpack(fresh))
    appended = appended + #fresh
  end
end
if appended > 0 then
  for _, key in ipairs({events, ids}) do
    if redis.call('TTL', key) < retention then redis.call('EXPIRE', key, retention) end
  end
  redis.call('PUBLISH', channel, length)
end
-- the entries published are usually the whole outbox, from its head: one trim then; else each
-- goes by itself (another step added or published some meanwhile)
local first, acked = 4 + 2 * n, #ARGV - (3 + 2 * n)
if acked > 0 then
  local head = redis.call('LRANGE', outbox, 0, acked - 1)
  local same = #head == acked
  for i = 1, acked do
    if head[i] ~= ARGV[first + i - 1] then same = false break end
  end
  if same then
    redis.call('LTRIM', outbox, acked, -1)
  else
    for i = first, #ARGV do redis.call('LREM', outbox, 1, ARGV[i]) end
  end
end
return appended
`;

/** An event a batch's state change caused, waiting in the outbox to be published. */
export interface OutboxEntry {
  raw: string;
  event_type: EventType;
  subject_id: string;
  phase: Phase;
  outcome: string;
  data: Record<string, unknown>;
}

export function outboxEntry(raw: string): OutboxEntry {
  return { raw, ...(JSON.parse(raw) as Omit<OutboxEntry, 'raw'>) };
}

type ScriptedRedis = Redis & {
  batchAppendEvents(...args: (string | number)[]): Promise<number>;
};

/**
 * A batch's event log (what `GET /v1/batches/{id}/events` and its stream read) and the outbox
 * it is fed from. Only `append` writes the log, with envelopes validated when they were made.
 */
export class EventLog {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
  ) {
    redis.defineCommand('batchAppendEvents', { numberOfKeys: 3, lua: appendEventsLua });
    this.redis = redis as ScriptedRedis;
  }

  /** Appends the envelopes (once per id) and removes the outbox entries they were made from. */
  async append(batchId: string, envelopes: Envelope[], fromOutbox: string[] = []): Promise<number> {
    const k = batchKeys(this.prefix, batchId);
    return this.redis.batchAppendEvents(
      k.events,
      k.eventIds,
      k.outbox,
      this.retentionSeconds,
      this.channel(batchId),
      envelopes.length,
      ...envelopes.flatMap((e) => [e.event_id, JSON.stringify(e)]),
      ...fromOutbox,
    );
  }

  /** The pub/sub channel that says the log grew, and carries live notices of the batch. */
  channel(batchId: string): string {
    return batchEventsChannel(this.prefix, batchId);
  }

  async pendingOutbox(batchId: string): Promise<OutboxEntry[]> {
    return (await this.redis.lrange(batchKeys(this.prefix, batchId).outbox, 0, -1)).map(
      outboxEntry,
    );
  }

  /**
   * The log from position `from`, each envelope as stored (JSON): readers need not validate
   * them again (on the event stream that cost ~0.5 ms of CPU per event).
   */
  async read(batchId: string, from = 0): Promise<string[]> {
    return this.redis.lrange(batchKeys(this.prefix, batchId).events, from, -1);
  }

  async events(batchId: string, from = 0): Promise<Envelope[]> {
    return (await this.read(batchId, from)).map((r) => JSON.parse(r) as Envelope);
  }
}
