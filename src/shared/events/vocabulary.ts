/**
 * The registry of message names. Events are past-tense facts with a version suffix
 * (`EssayContentProvisionedV1`); commands are imperative present (`SpellcheckInitiate`).
 */
export const EventType = {
  EssayContentProvisionedV1: 'EssayContentProvisionedV1',
  EssayValidationFailedV1: 'EssayValidationFailedV1',
  EssayUploadFinishedV1: 'EssayUploadFinishedV1',
  ExcessContentProvisionedV1: 'ExcessContentProvisionedV1',
  BatchEssaysReadyV1: 'BatchEssaysReadyV1',
  BatchReadinessTimedOutV1: 'BatchReadinessTimedOutV1',
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
