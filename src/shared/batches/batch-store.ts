import type { Redis } from 'ioredis';
import { EventLog } from './event-log.js';
import { PhaseTracker } from './phases.js';
import { BatchReadModel } from './read-model.js';
import { BatchRegistry } from './registration.js';
import { BatchTransitions } from './transitions.js';

/**
 * A batch's state in Redis, by concern: its registration, the steps that change it, the read
 * model the API answers from, its event log (and outbox), and its processing phases. Only these
 * read or write a batch's keys; every key of one batch shares its hash tag.
 */
export interface BatchStore {
  registry: BatchRegistry;
  transitions: BatchTransitions;
  view: BatchReadModel;
  log: EventLog;
  phases: PhaseTracker;
}

export function createBatchStore(
  redis: Redis,
  prefix: string,
  retentionSeconds: number,
): BatchStore {
  return {
    registry: new BatchRegistry(redis, prefix, retentionSeconds),
    transitions: new BatchTransitions(redis, prefix, retentionSeconds),
    view: new BatchReadModel(redis, prefix),
    log: new EventLog(redis, prefix, retentionSeconds),
    phases: new PhaseTracker(redis, prefix, retentionSeconds),
  };
}
