import type { LocalFile } from './files.js';
import { CliError, type FleetClient } from './http.js';
import { printJson, table } from './output.js';
import { followBatch } from './sse.js';

/** The parts of `GET /v1/batches/{id}` the CLI shows. */
export interface BatchView {
  batch_id: string;
  status: 'awaiting_content' | 'ready' | 'timed_out';
  course_code: string;
  expected_count: number;
  received_count_from_uploads: number;
  ready_count: number;
  failed_count: number;
  excess_count: number;
  essays: { essay_id: string; file_upload_id: string; original_file_name: string }[];
  validation_failures: {
    file_upload_id: string;
    original_file_name: string;
    error_code: string;
    message: string;
  }[];
  excess: { file_upload_id: string; original_file_name: string; reason: string }[];
  phases?: { spellcheck: { status: string; outcome: string | null } | null };
}

export interface FileOutcome {
  file: string;
  file_upload_id: string;
  outcome: 'ready' | 'failed' | 'excess' | 'pending';
  detail: string;
  essay_id?: string;
  error_code?: string;
}

/**
 * Each file's outcome from the batch, named as the user named it when `local` knows the file
 * (the upload's own files), else by the name the fleet keeps.
 */
export function batchOutcomes(batch: BatchView, local?: Map<string, LocalFile>): FileOutcome[] {
  const rows: FileOutcome[] = [];
  const name = (id: string, kept: string) => local?.get(id)?.shown ?? kept;
  for (const e of batch.essays)
    rows.push({
      file: name(e.file_upload_id, e.original_file_name),
      file_upload_id: e.file_upload_id,
      outcome: 'ready',
      detail: `essay ${e.essay_id}`,
      essay_id: e.essay_id,
    });
  for (const f of batch.validation_failures)
    rows.push({
      file: name(f.file_upload_id, f.original_file_name),
      file_upload_id: f.file_upload_id,
      outcome: 'failed',
      detail: `${f.error_code}: ${f.message}`,
      error_code: f.error_code,
    });
  for (const x of batch.excess)
    rows.push({
      file: name(x.file_upload_id, x.original_file_name),
      file_upload_id: x.file_upload_id,
      outcome: 'excess',
      detail: x.reason,
    });
  const known = new Set(rows.map((r) => r.file_upload_id));
  for (const [id, f] of local ?? [])
    if (!known.has(id))
      rows.push({
        file: f.shown,
        file_upload_id: id,
        outcome: 'pending',
        detail: 'no outcome yet',
      });
  return rows.sort((a, b) => a.file.localeCompare(b.file));
}

export function batchPath(batchId: string): string {
  if (!/^[0-9a-fA-F-]{36}$/.test(batchId))
    throw new CliError(`not a batch id: ${batchId}`, 'INVALID_BATCH_ID');
  return `/v1/batches/${batchId}`;
}

/** `status <batch>`: the batch's counts and each file's outcome. */
export async function status(client: FleetClient, batchId: string, json: boolean): Promise<void> {
  const batch = await client.json<BatchView>(batchPath(batchId));
  if (json) return printJson(batch);
  const spell = batch.phases?.spellcheck;
  process.stdout.write(
    [
      `batch ${batch.batch_id} (${batch.course_code}): ${batch.status}`,
      `expected ${batch.expected_count}, received ${batch.received_count_from_uploads}: ${batch.ready_count} ready, ${batch.failed_count} failed, ${batch.excess_count} excess`,
      `spellcheck: ${spell ? `${spell.status}${spell.outcome ? ` (${spell.outcome})` : ''}` : 'not started'}`,
      '',
      table(
        ['FILE', 'OUTCOME', 'DETAIL'],
        batchOutcomes(batch).map((r) => [r.file, r.outcome, r.detail]),
      ),
      '',
    ].join('\n'),
  );
}

interface Envelope {
  event_type: string;
  event_timestamp: string;
  data: Record<string, unknown>;
}

/** One line about an event: its time, type and the fields a reader looks for first. */
function eventLine(position: string, e: Envelope): string {
  const d = e.data;
  const about = [
    d.original_file_name,
    d.error_code,
    d.reason,
    d.outcome,
    d.status,
    d.missing_n === undefined ? undefined : `missing ${String(d.missing_n)}`,
    Array.isArray(d.ready_essays) ? `${d.ready_essays.length} ready` : undefined,
  ]
    .filter((v) => v !== undefined && v !== null)
    .join(' ');
  return `${position.padStart(4)}  ${e.event_timestamp}  ${e.event_type}${about ? `  ${about}` : ''}`;
}

/** `events <batch> [--follow]`: the event log; following, the live stream with its notices. */
export async function events(
  client: FleetClient,
  batchId: string,
  opts: { follow: boolean; json: boolean },
): Promise<void> {
  if (!opts.follow) {
    const { events: log } = await client.json<{ events: Envelope[] }>(
      `${batchPath(batchId)}/events`,
    );
    for (const [i, e] of log.entries())
      process.stdout.write(opts.json ? `${JSON.stringify(e)}\n` : `${eventLine(String(i), e)}\n`);
    return;
  }
  await client.json(batchPath(batchId)); // a wrong id or token fails here, before the stream
  for await (const m of followBatch(client, batchId)) {
    if (opts.json) printJson(m.data);
    else if (m.event === 'notice') {
      const n = m.data as Record<string, string>;
      process.stdout.write(
        `   -  notice  ${n.original_file_name}: ${n.outcome}${n.error_code ? ` ${n.error_code}` : ''}\n`,
      );
    } else process.stdout.write(`${eventLine(m.id ?? '-', m.data as Envelope)}\n`);
  }
}
