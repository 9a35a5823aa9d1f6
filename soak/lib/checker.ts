// The invariant checker: after the run, reads every batch, its event log (twice), the dead
// letters and Redis, and lists every violation of what the files each batch got call for.
import type { Redis } from 'ioredis';
import { batchKeys } from '../../src/shared/keys.js';
import type { BatchRecord } from './clients.js';

export interface CheckResult {
  violations: string[];
  /** What the run came to, for the summary. */
  stats: Record<string, number>;
  notes: string[];
}

const terminalEvents = ['BatchEssaysReadyV1', 'BatchReadinessTimedOutV1'];

async function getJson(urls: string[], path: string): Promise<any> {
  let last = '';
  for (let a = 0; a < 20; a++) {
    const url = urls[a % urls.length]!;
    try {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(30_000) });
      if (res.ok) return await res.json();
      last = `${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`GET ${path}: ${last}`);
}

/** A batch is done for the checker once it is terminal and its spellcheck phase completed. */
function settled(view: any): boolean {
  if (view?.status !== 'ready' && view?.status !== 'timed_out') return false;
  return view.phases?.spellcheck?.status === 'completed';
}

/** Waits until every batch has ended and its phase completed, or the deadline passes. */
export async function waitForBatches(
  urls: () => string[],
  records: BatchRecord[],
  deadlineMs: number,
  log: (line: string) => void,
): Promise<void> {
  const pending = new Set(records.filter((r) => r.batchId).map((r) => r.batchId!));
  let lastLog = 0;
  while (pending.size && Date.now() < deadlineMs) {
    for (const id of [...pending]) {
      const view = await getJson(urls(), `/v1/batches/${id}`).catch(() => null);
      if (settled(view)) pending.delete(id);
    }
    if (Date.now() - lastLog > 15_000) {
      log(`${pending.size} batches not yet settled`);
      lastLog = Date.now();
    }
    if (pending.size) await new Promise((r) => setTimeout(r, 2000));
  }
}

/** `b3-f7.r1a2i0.txt` → { label: 'b3-f7', request: 1, attempt: 2 } */
function parseName(name: string) {
  const m = /^(b\d+-f\d+)\.r(\d+)a(\d+)i\d+\.\w+$/.exec(name);
  return m ? { label: m[1]!, request: Number(m[2]), attempt: Number(m[3]) } : null;
}

export async function check(opts: {
  urls: string[];
  redis: Redis;
  prefix: string;
  records: BatchRecord[];
}): Promise<CheckResult> {
  const violations: string[] = [];
  const notes: string[] = [];
  const stats: Record<string, number> = {
    batches: 0,
    files_sent: 0,
    files_accepted_202: 0,
    files_from_lost_answers: 0,
    essays: 0,
    validation_failures: 0,
    excess: 0,
    processing_failed: 0,
    dlq_records: 0,
    ready: 0,
    timed_out: 0,
  };
  const processingFailed = new Map<string, string>(); // file_upload_id → batch
  for (const rec of opts.records) {
    const b = `batch #${rec.plan.n} (${rec.plan.scenario}, expected ${rec.plan.expected})`;
    for (const e of rec.errors) violations.push(`${b}: client gave up: ${e}`);
    if (!rec.batchId) continue;
    stats.batches!++;
    const at = `${b} ${rec.batchId}`;
    const view = await getJson(opts.urls, `/v1/batches/${rec.batchId}`);
    const log1 = (await getJson(opts.urls, `/v1/batches/${rec.batchId}/events`)).events as any[];
    const log2 = (await getJson(opts.urls, `/v1/batches/${rec.batchId}/events`)).events as any[];
    stats.files_sent! += rec.attempts.reduce((s, a) => s + a.names.length, 0);

    // the end: terminal, one terminal event that agrees, a log that replays the same
    if (view.status !== 'ready' && view.status !== 'timed_out') {
      violations.push(`${at}: still ${view.status} at the deadline`);
      continue;
    }
    stats[view.status === 'ready' ? 'ready' : 'timed_out']!++;
    const ids = (l: any[]) => l.map((e) => e.event_id).join(',');
    if (ids(log1) !== ids(log2)) violations.push(`${at}: its event log read twice differs`);
    if (new Set(log1.map((e) => e.event_id)).size !== log1.length)
      violations.push(`${at}: an event id appears twice in its log`);
    const terminal = log1.filter((e) => terminalEvents.includes(e.event_type));
    if (terminal.length !== 1)
      violations.push(
        `${at}: ${terminal.length} terminal events (${terminal.map((e) => e.event_type)})`,
      );
    const expectedTerminal = view.status === 'ready' ? terminalEvents[0] : terminalEvents[1];
    if (terminal.length && terminal[0].event_type !== expectedTerminal)
      violations.push(`${at}: status ${view.status} but its log has ${terminal[0].event_type}`);

    // every outcome, by file
    const outcomes = new Map<
      string,
      { kind: string; name: string; code?: string; reason?: string }[]
    >();
    const put = (id: string, o: { kind: string; name: string; code?: string; reason?: string }) =>
      outcomes.set(id, [...(outcomes.get(id) ?? []), o]);
    for (const e of view.essays)
      put(e.file_upload_id, { kind: 'ready', name: e.original_file_name });
    for (const f of view.validation_failures)
      put(f.file_upload_id, { kind: 'failed', name: f.original_file_name, code: f.error_code });
    for (const x of view.excess)
      put(x.file_upload_id, { kind: 'excess', name: x.original_file_name, reason: x.reason });
    stats.essays! += view.essays.length;
    stats.validation_failures! += view.validation_failures.length;
    stats.excess! += view.excess.length;
    for (const [id, list] of outcomes)
      if (list.length > 1) violations.push(`${at}: file ${id} has ${list.length} outcomes`);

    // every file of a 202 has exactly one outcome
    const answered = new Set<string>();
    for (const a of rec.attempts.filter((a) => a.status === 202)) {
      for (const f of a.answer ?? []) {
        answered.add(f.file_upload_id);
        stats.files_accepted_202!++;
        if (!outcomes.has(f.file_upload_id))
          violations.push(
            `${at}: file ${f.original_file_name} (${f.file_upload_id}) got a 202 and no outcome`,
          );
      }
    }
    // an outcome nobody was told of comes from an attempt whose answer was lost: counted, shown
    const sentNames = new Map(rec.attempts.flatMap((a) => a.names.map((n) => [n, a] as const)));
    for (const [id, list] of outcomes) {
      if (answered.has(id)) continue;
      const from = sentNames.get(list[0]!.name);
      if (!from) violations.push(`${at}: outcome for ${list[0]!.name} (${id}) that no client sent`);
      else if (from.status === 202)
        violations.push(`${at}: outcome for ${list[0]!.name} (${id}) missing from its 202 answer`);
      else stats.files_from_lost_answers!++;
    }
    const received = view.essays.length + view.validation_failures.length + view.excess.length;
    if (view.received_count_from_uploads !== received)
      violations.push(
        `${at}: received_count_from_uploads ${view.received_count_from_uploads} but ${received} file outcomes`,
      );

    // no essay holds two files, no content holds two essays
    const essayIds = new Set(view.essays.map((e: any) => e.essay_id));
    if (essayIds.size !== view.essays.length) violations.push(`${at}: an essay id appears twice`);
    const labelOf = (name: string) => parseName(name)?.label ?? name;
    const essayLabels = view.essays.map((e: any) => labelOf(e.original_file_name));
    const dupLabels = essayLabels.filter((l: string, i: number) => essayLabels.indexOf(l) !== i);
    if (dupLabels.length)
      violations.push(
        `${at}: one content holds several essays: ${[...new Set(dupLabels)].join(', ')}`,
      );
    const planned = new Map(rec.plan.files.map((f) => [f.label, f]));
    for (const l of essayLabels)
      if (!planned.get(l)?.valid) violations.push(`${at}: ${l} became an essay but is not valid`);
    for (const f of view.validation_failures) {
      const p = planned.get(labelOf(f.original_file_name));
      if (f.error_code === 'PROCESSING_FAILED') {
        processingFailed.set(f.file_upload_id, rec.batchId);
        stats.processing_failed!++;
      } else if (p?.valid)
        violations.push(`${at}: valid ${f.original_file_name} failed with ${f.error_code}`);
    }
    for (const x of view.excess)
      if (x.reason === 'DUPLICATE_CONTENT' && !essayLabels.includes(labelOf(x.original_file_name)))
        violations.push(`${at}: ${x.original_file_name} excess as a duplicate of no essay`);

    // counts per distinct content
    const byLabel = new Map<string, string[]>();
    for (const list of outcomes.values())
      for (const o of list) {
        const l = labelOf(o.name);
        byLabel.set(l, [...(byLabel.get(l) ?? []), o.kind === 'failed' ? (o.code ?? '') : o.kind]);
      }
    const valid = [...byLabel.keys()].filter((l) => planned.get(l)?.valid);
    const invalid = [...byLabel.keys()].filter((l) => planned.get(l) && !planned.get(l)!.valid);
    const dead = valid.filter((l) => byLabel.get(l)!.every((k) => k === 'PROCESSING_FAILED'));
    const ready = view.essays.length;
    const N = rec.plan.expected;
    const distinctSent = new Set(rec.plan.requests.flat()).size;
    if (valid.length + invalid.length !== distinctSent)
      violations.push(
        `${at}: ${distinctSent} distinct files sent, ${valid.length + invalid.length} have outcomes`,
      );
    if (rec.plan.scenario === 'underflow') {
      if (view.status !== 'timed_out') violations.push(`${at}: underflow batch is ${view.status}`);
      const missing = terminal[0]?.data?.missing_n;
      const allInTime = rec.attempts
        .filter((a) => a.status === 202)
        .every(
          (a) => a.answeredAtMs < rec.registeredAtMs! + rec.plan.readinessTimeoutSeconds * 1000,
        );
      const want = N - (valid.length + invalid.length);
      if (allInTime && missing !== want)
        violations.push(
          `${at}: missing_n ${missing}, want ${want} (every upload answered in time)`,
        );
      if (!allInTime)
        notes.push(`${at}: an upload was answered after its deadline (missing_n ${missing})`);
      if (missing !== N - view.ready_count - view.failed_count)
        violations.push(`${at}: missing_n ${missing} disagrees with its counts`);
    } else {
      if (view.status !== 'ready')
        violations.push(`${at}: ${rec.plan.scenario} batch is ${view.status}`);
      // a dead file is a failure, not an essay; in an overflow batch an extra file may take its
      // slot instead, so up to `hi`
      const hi = Math.min(N, valid.length);
      const lo = Math.min(N - invalid.length, valid.length) - dead.length;
      if (ready < lo || ready > hi)
        violations.push(
          `${at}: ${ready} essays, want ${lo === hi ? lo : `${lo}..${hi}`} (${valid.length} distinct valid, ${invalid.length} invalid, ${dead.length} dead-lettered)`,
        );
    }

    // the phase: every essay has its spellcheck result, every ready batch its phase event
    for (const e of view.essays)
      if (!e.spellcheck) violations.push(`${at}: essay ${e.essay_id} has no spellcheck result`);
    const phaseEvents = log1.filter((e) => e.event_type === 'BatchPhaseCompletedV1');
    if (view.status === 'ready' && phaseEvents.length !== 1)
      violations.push(`${at}: ${phaseEvents.length} BatchPhaseCompletedV1 events`);

    // Redis: nothing left in the outbox
    const outbox = await opts.redis.llen(batchKeys(opts.prefix, rec.batchId).outbox);
    if (outbox) violations.push(`${at}: ${outbox} events still in its outbox`);
  }

  // dead letters and PROCESSING_FAILED outcomes, one to one
  const letters = (await getJson(opts.urls, '/v1/dead-letters?limit=500')).dead_letters as any[];
  stats.dlq_records = letters.length;
  const extractLetters = new Map<string, number>();
  for (const l of letters) {
    if (l.source_queue === 'essay.extract')
      extractLetters.set(l.job_id, (extractLetters.get(l.job_id) ?? 0) + 1);
    else notes.push(`dead letter from ${l.source_queue} (${l.job_name}): ${l.reason}`);
  }
  for (const [id, n] of extractLetters) {
    if (n > 1) violations.push(`file ${id}: ${n} dead letters`);
    if (!processingFailed.has(id))
      violations.push(`file ${id}: dead letter without PROCESSING_FAILED`);
  }
  for (const [id, batch] of processingFailed)
    if (!extractLetters.has(id))
      violations.push(`file ${id} of ${batch}: PROCESSING_FAILED without a dead letter`);

  // registrations whose answer was lost: batches nobody knows of, reported
  const known = new Set(opts.records.map((r) => r.batchId));
  const orphans: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await opts.redis.scan(
      cursor,
      'MATCH',
      `${opts.prefix}:batch:*:meta`,
      'COUNT',
      1000,
    );
    cursor = next;
    for (const k of keys) {
      const id = /\{([^}]+)\}/.exec(k)?.[1];
      if (id && !known.has(id)) orphans.push(id);
    }
  } while (cursor !== '0');
  stats.unknown_batches = orphans.length;
  const lost = opts.records.reduce((s, r) => s + r.lostRegistrations, 0);
  if (orphans.length > lost)
    violations.push(
      `${orphans.length} batches in Redis no client registered (${lost} register answers lost)`,
    );
  return { violations, stats, notes };
}
