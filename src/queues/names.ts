import { CommandType, EventType } from '../shared/events/vocabulary.js';

/** Every queue of the fleet. Workers take these names (or a Procfile role) on `--queues`. */
export const QueueName = {
  extract: 'essay.extract',
  upload: 'essay.upload',
  ocr: 'essay.ocr',
  lifecycle: 'batch.lifecycle',
  orchestrate: 'batch.orchestrate',
  spellcheck: 'essay.spellcheck',
  webhook: 'webhook.deliver',
  dlq: 'essay.processing.dlq',
  maintenance: 'fleet.maintenance',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const queueNames = Object.values(QueueName);

/** Job names that are not event types (event jobs are named after their event type). */
export const JobName = {
  extractFile: 'extract file',
  ocrFile: 'ocr file',
  finishUpload: 'finish upload',
  readinessTimeout: 'readiness timeout',
  uploadLease: 'upload lease',
  keepHouse: 'keep house',
  spellcheckInitiate: CommandType.SpellcheckInitiate,
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** The Procfile roles and the queues each one consumes. */
export const Role = {
  extractor: [QueueName.extract, QueueName.upload],
  // deliveries wait on receivers, not on CPU, and grow with events like the rest of this role;
  // a worker of their own keeps a slow receiver to its own slots (see docs/operations.md)
  lifecycle: [QueueName.lifecycle, QueueName.orchestrate, QueueName.webhook, QueueName.maintenance],
  spellcheck: [QueueName.spellcheck],
  // OCR costs seconds of CPU per page: it scales apart from extraction
  ocr: [QueueName.ocr],
} as const satisfies Record<string, readonly QueueName[]>;
export type Role = keyof typeof Role;

/**
 * Which consumer queues receive each event type: a publisher adds one job per queue (and one
 * `webhook.deliver` job per endpoint that subscribes to the type, from WEBHOOK_ENDPOINTS). A file's
 * and an upload's events are facts for the event log only: the upload's flow parent applied
 * them to the batch in the step that caused them.
 */
export const subscriptions: Record<EventType, readonly QueueName[]> = {
  [EventType.EssayContentProvisionedV1]: [],
  [EventType.EssayValidationFailedV1]: [],
  [EventType.EssayUploadFinishedV1]: [],
  [EventType.EssayUploadAbandonedV1]: [],
  [EventType.ExcessContentProvisionedV1]: [],
  [EventType.BatchEssaysReadyV1]: [QueueName.orchestrate],
  [EventType.BatchReadinessTimedOutV1]: [QueueName.orchestrate],
  [EventType.BatchEssayRevivedV1]: [QueueName.orchestrate],
  [EventType.SpellCheckCompletedV1]: [QueueName.orchestrate],
  [EventType.BatchPhaseCompletedV1]: [],
};

/** Resolves `--queues` words (queue names or roles) to queue names, or says what is unknown. */
export function resolveQueues(words: string[]): QueueName[] {
  const out = new Set<QueueName>();
  for (const word of words) {
    if (word in Role) Role[word as Role].forEach((q) => out.add(q));
    else if ((queueNames as string[]).includes(word) && word !== QueueName.dlq)
      out.add(word as QueueName);
    else
      throw new Error(
        `unknown queue or role "${word}"; use one of: ${[...Object.keys(Role), ...queueNames.filter((q) => q !== QueueName.dlq)].join(', ')}`,
      );
  }
  return [...out];
}
