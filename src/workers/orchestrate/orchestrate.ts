import { sendSpellcheckInitiates } from '../../queues/commands.js';
import type { FleetContext } from '../../queues/context.js';
import type { Envelope } from '../../shared/events/envelope.js';
import { parseEnvelope } from '../../shared/events/envelope.js';
import { EventType } from '../../shared/events/vocabulary.js';

type Deps = Pick<FleetContext, 'batches' | 'publisher' | 'queue'>;

const PHASE = 'spellcheck';

type ReadyEssay = Envelope<typeof EventType.BatchEssaysReadyV1>['data']['ready_essays'][number];

/**
 * Phase orchestration. A ready batch (or a timed-out one, with the essays that are ready) gets
 * one SpellcheckInitiate command per essay, and so does an essay revived later (its file's job
 * had died and was retried); each SpellCheckCompletedV1 is recorded once; when every essay has a
 * result, BatchPhaseCompletedV1 is published with the phase's outcome.
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
      detail = await include(deps, batchId, env, d.ready_essays);
      break;
    }
    case EventType.BatchEssayRevivedV1: {
      const d = env.data as Envelope<typeof EventType.BatchEssayRevivedV1>['data'];
      detail = await include(deps, batchId, env, [d.essay]);
      break;
    }
    case EventType.SpellCheckCompletedV1: {
      const d = env.data as Envelope<typeof EventType.SpellCheckCompletedV1>['data'];
      detail = await deps.batches.phases.record(batchId, PHASE, env.event_id, d.essay_id, {
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

/** Puts essays in the phase and (re)sends the commands of those without a result. */
async function include(
  deps: Deps,
  batchId: string,
  env: Envelope,
  essays: ReadyEssay[],
): Promise<string> {
  const byId = new Map(essays.map((e) => [e.essay_id, e]));
  const included = await deps.batches.phases.include(batchId, PHASE, env.event_id, [
    ...byId.keys(),
  ]);
  const language = await deps.batches.registry.language(batchId);
  // their ids make repeated commands harmless
  await sendSpellcheckInitiates(
    deps.queue,
    included.pending.map((essayId) => ({
      batch_id: batchId,
      essay_id: essayId,
      text_storage_id: byId.get(essayId)!.text_storage_id,
      language,
      correlation_id: env.correlation_id,
    })),
  );
  return `${included.result}:${included.pending.length}`;
}
