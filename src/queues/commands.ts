import type { Queue } from 'bullmq';
import { eventId } from '../shared/events/event-id.js';
import { Phase } from '../shared/events/vocabulary.js';
import { spellcheckJobSchema, type SpellcheckJob } from './jobs.js';
import { JobName, QueueName } from './names.js';

/**
 * Sends SpellcheckInitiate for each essay, in one round trip. Each job id is derived from its
 * essay, so sending the same command again (a retried orchestrator) is a no-op while the job is
 * kept.
 */
export async function sendSpellcheckInitiates(
  queue: (name: QueueName) => Queue,
  commands: SpellcheckJob[],
): Promise<void> {
  if (commands.length === 0) return;
  await queue(QueueName.spellcheck).addBulk(
    commands.map((command) => {
      const cmd = spellcheckJobSchema.parse(command);
      return {
        name: JobName.spellcheckInitiate,
        data: cmd,
        opts: { jobId: eventId(cmd.batch_id, cmd.essay_id, Phase.spellcheck, 'initiate') },
      };
    }),
  );
}
