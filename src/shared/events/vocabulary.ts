/**
 * The registry of message names. Events are past-tense facts with a version suffix
 * (`EssayContentProvisionedV1`); commands are imperative present (`SpellcheckInitiate`).
 */
export const EventType = {
  EssayContentProvisionedV1: 'EssayContentProvisionedV1',
  EssayValidationFailedV1: 'EssayValidationFailedV1',
  EssayUploadFinishedV1: 'EssayUploadFinishedV1',
  EssayUploadAbandonedV1: 'EssayUploadAbandonedV1',
  ExcessContentProvisionedV1: 'ExcessContentProvisionedV1',
  BatchEssaysReadyV1: 'BatchEssaysReadyV1',
  BatchReadinessTimedOutV1: 'BatchReadinessTimedOutV1',
  BatchEssayRevivedV1: 'BatchEssayRevivedV1',
  SpellCheckCompletedV1: 'SpellCheckCompletedV1',
  BatchPhaseCompletedV1: 'BatchPhaseCompletedV1',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export const CommandType = {
  SpellcheckInitiate: 'SpellcheckInitiate',
} as const;
export type CommandType = (typeof CommandType)[keyof typeof CommandType];

/** Phases that name where an outcome happened; part of every event id. */
export const Phase = {
  upload: 'upload',
  extraction: 'extraction',
  lifecycle: 'lifecycle',
  readiness: 'readiness',
  spellcheck: 'spellcheck',
} as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/** Past participles and states that do not end in -ed but may end an event name. */
const IRREGULAR_PAST = [
  'Ready',
  'Sent',
  'Built',
  'Done',
  'Found',
  'Lost',
  'Made',
  'Paid',
  'Read',
  'Run',
  'Set',
  'Taken',
  'Written',
  'Begun',
  'Chosen',
  'Held',
  'Kept',
  'Left',
  'Won',
  'Given',
  'Known',
];

/**
 * The naming rule, checked by a test over the whole registry: an event is a past-tense fact
 * with a version suffix (`EssayContentProvisionedV1`, `BatchEssaysReadyV1`); a command is an
 * imperative in the present with no version (`SpellcheckInitiate`). Returns the violations.
 */
export function vocabularyViolations(
  events: readonly string[],
  commands: readonly string[],
): string[] {
  const problems: string[] = [];
  // a phrasal verb's particle is skipped: TimedOut ends in "Timed"
  const lastWord = (name: string) =>
    /([A-Z][a-z]*?)(?:Out|Up|Down|Off|Over|Back)?$/.exec(name)?.[1] ?? '';
  const isPast = (word: string) => /[a-z]ed$/.test(word) || IRREGULAR_PAST.includes(word);
  for (const name of events) {
    const m = /^([A-Z][A-Za-z]*?)V\d+$/.exec(name);
    if (!m) problems.push(`event ${name}: needs a version suffix (V1, V2, ...)`);
    else if (!isPast(lastWord(m[1]!)))
      problems.push(
        `event ${name}: must end in a past-tense verb (a fact), not "${lastWord(m[1]!)}"`,
      );
  }
  for (const name of commands) {
    if (/V\d+$/.test(name)) problems.push(`command ${name}: commands carry no version suffix`);
    else if (!/^[A-Z][A-Za-z]*$/.test(name)) problems.push(`command ${name}: must be PascalCase`);
    else if (isPast(lastWord(name)) || /ing$/.test(lastWord(name)))
      problems.push(`command ${name}: must end in an imperative verb, not "${lastWord(name)}"`);
  }
  return problems;
}
