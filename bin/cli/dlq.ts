import type { FleetClient } from './http.js';
import { printJson, table } from './output.js';

interface DeadLetter {
  id: string;
  source_queue: string;
  job_id: string;
  job_name: string;
  reason: string;
  attempts: number;
  correlation_id: string;
  failed_at: number;
  job_state: string;
}

/** `dlq list`: the dead letters, newest first, with where each job stands now. */
export async function dlqList(client: FleetClient, opts: { json: boolean; limit: number }) {
  const { dead_letters: letters } = await client.json<{ dead_letters: DeadLetter[] }>(
    `/v1/dead-letters?limit=${opts.limit}`,
  );
  if (opts.json) return printJson(letters);
  if (!letters.length) return void process.stdout.write('no dead letters\n');
  process.stdout.write(
    `${table(
      ['ID', 'QUEUE', 'JOB NOW', 'ATTEMPTS', 'FAILED AT', 'REASON'],
      letters.map((l) => [
        l.id,
        l.source_queue,
        l.job_state,
        String(l.attempts),
        new Date(l.failed_at).toISOString(),
        l.reason,
      ]),
      90,
    )}\n`,
  );
}

/** `dlq redrive <id>`: the dead letter's job runs again (the board's Retry). */
export async function dlqRedrive(client: FleetClient, id: string, opts: { json: boolean }) {
  const letter = await client.json<DeadLetter>(
    `/v1/dead-letters/${encodeURIComponent(id)}/redrive`,
    {},
  );
  if (opts.json) return printJson(letter);
  process.stdout.write(
    `redriven: ${letter.source_queue} job ${letter.job_id} is ${letter.job_state}\n`,
  );
}
