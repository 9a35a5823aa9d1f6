import { createHash } from 'node:crypto';
import type { Phase } from './vocabulary.js';

/**
 * `event_id = sha256(batch_id + essay_or_file_id + phase + outcome)`: the same fact always gets
 * the same id, so a replayed or re-published event is recognised everywhere it lands.
 */
export function eventId(batchId: string, subjectId: string, phase: Phase, outcome: string): string {
  return createHash('sha256').update(`${batchId}${subjectId}${phase}${outcome}`).digest('hex');
}
