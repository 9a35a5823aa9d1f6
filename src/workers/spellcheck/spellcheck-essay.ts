import type { SpellcheckJob } from '../../queues/jobs.js';

/**
 * Placeholder until the spellcheck phase lands: nothing sends SpellcheckInitiate yet, but the
 * spellcheck process starts, consumes its queue and stops cleanly like every other role.
 */
export async function spellcheckEssay(job: SpellcheckJob) {
  return { status: 'skipped', essay_id: job.essay_id };
}
