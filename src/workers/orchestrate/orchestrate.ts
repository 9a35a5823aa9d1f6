import { sendSpellcheckInitiates } from '../../queues/commands.js';
import type { FleetContext } from '../../queues/context.js';
import type { Envelope } from '../../shared/events/envelope.js';
import { parseEnvelope } from '../../shared/events/envelope.js';
import { EventType } from '../../shared/events/vocabulary.js';

type Deps = Pick<FleetContext, 'batches' | 'publisher' | 'queue'>;

const PHASE = 'spellcheck';

/**
 * Phase orchestration. A ready batch (or a timed-out one, with the essays that are ready) gets
 * one SpellcheckInitiate command per essay; each SpellCheckCompletedV1 is recorded once; when
 * every essay has a result, BatchPhaseCompletedV1 is published once with the phase's outcome.
 */
export async function orchestrate(job: unknown, deps: Deps): Promise<{ detail: string }> {
  const env = parseEnvelope(job);
  const batchId = (env.data as { batch_id: string }).batch_id;
  await deps.publisher.drainOutbox(batchId, env.correlation_id);
  let detail = 'ignored';
  switch (env.event_type) {
    case EventType.BatchEssaysReadyV1:
    case EventType.BatchReadinessTimedOutV1: {
      const d = env.data as Envelope<typeof EventType.BatchEssaysReadyV1>['data'];
      const essays = new Map(d.ready_essays.map((e) => [e.essay_id, e]));
      const started = await deps.batches.phaseStart(batchId, PHASE, env.event_id, [
        ...essays.keys(),
      ]);
      const language = await deps.batches.language(batchId);
      // (re)send the commands of essays without a result: their ids make repeats harmless
      await sendSpellcheckInitiates(
        deps.queue,
        started.pending.map((essayId) => ({
          batch_id: batchId,
          essay_id: essayId,
          text_storage_id: essays.get(essayId)!.text_storage_id,
          language,
          correlation_id: env.correlation_id,
        })),
      );
      detail = `${started.result}:${started.pending.length}`;
      break;
    }
    case EventType.SpellCheckCompletedV1: {
      const d = env.data as Envelope<typeof EventType.SpellCheckCompletedV1>['data'];
      detail = await deps.batches.phaseResult(batchId, PHASE, env.event_id, d.essay_id, {
        status: d.status,
        corrections_made: d.corrections_made,
        corrected_text_storage_id: d.corrected_text_storage_id,
        language_detected: d.language_detected,
        skipped: d.skipped?.reason ?? null,
      });
      break;
    }
  }
  await deps.publisher.drainOutbox(batchId, env.correlation_id);
  return { detail };
}
