import type { Queue } from 'bullmq';
import { eventId } from '../shared/events/event-id.js';
import { Phase } from '../shared/events/vocabulary.js';
import { spellcheckJobSchema, type SpellcheckJob } from './jobs.js';
import { JobName, QueueName } from './names.js';

/**
 * Sends SpellcheckInitiate for one essay. The job id is derived from the essay, so sending the
 * same command again (a retried orchestrator) is a no-op while the job is kept.
 */
export async function sendSpellcheckInitiate(
  queue: (name: QueueName) => Queue,
  command: SpellcheckJob,
): Promise<void> {
  const cmd = spellcheckJobSchema.parse(command);
  await queue(QueueName.spellcheck).add(JobName.spellcheckInitiate, cmd, {
    jobId: eventId(cmd.batch_id, cmd.essay_id, Phase.spellcheck, 'initiate'),
  });
}
