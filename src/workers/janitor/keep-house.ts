import type { Logger } from '../../shared/logger.js';

export interface KeepHouseDeps {
  trimDeadLetters(): Promise<number>;
  cleanFinishedJobs(): Promise<number>;
  /** Blob ids that batches and jobs name now. */
  namedBlobs(): Promise<Set<string>>;
  /** Deletes the blobs nothing names that are past their grace, and staging leftovers. */
  collectBlobs(named: Set<string>): Promise<{ examined: number; deleted: number; staging: number }>;
  log: Logger;
}

/**
 * The janitor's round (a repeatable job on `fleet.maintenance`, in a lifecycle process): what a
 * fleet running for a school year must let go of, so Redis and the blob store stay flat: dead
 * letters and finished jobs past their retention, and blobs no batch within its retention, no
 * job and no upload in flight names. Batch keys expire by themselves.
 */
export async function keepHouse(deps: KeepHouseDeps) {
  const deadLetters = await deps.trimDeadLetters();
  const jobs = await deps.cleanFinishedJobs();
  // what is named is read before the store is listed: a blob stored after this is younger than
  // the grace, or claimed, and is left alone either way
  const named = await deps.namedBlobs();
  const blobs = await deps.collectBlobs(named);
  const summary = { dead_letters_removed: deadLetters, jobs_removed: jobs, ...blobs };
  deps.log.info('janitor round done', summary);
  return summary;
}
