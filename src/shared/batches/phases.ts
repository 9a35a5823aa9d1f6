import type { Redis } from 'ioredis';
import { batchKeys } from '../keys.js';
import { phaseLua } from './phase-script.js';

/** One essay's result in a processing phase. */
export interface PhaseResult {
  status: 'completed' | 'failed';
  corrections_made: number;
  corrected_text_storage_id: string | null;
  /** The language the essay was found to be in (spellcheck). */
  language_detected?: 'en' | 'sv' | 'und';
  /** Why the essay was not corrected, when it was not (spellcheck). */
  skipped?: string | null;
}

type ScriptedRedis = Redis & {
  batchPhase(...args: (string | number)[]): Promise<[string, string[]]>;
};

/** The processing phases of batches (spellcheck): which essays are in, their results, the outcome. */
export class PhaseTracker {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
  ) {
    redis.defineCommand('batchPhase', { numberOfKeys: 5, lua: phaseLua });
    this.redis = redis as ScriptedRedis;
  }

  /**
   * Starts a phase with the given essays, or adds them to it (once per event); answers which of
   * them still lack a result.
   */
  async include(
    batchId: string,
    phase: string,
    eventId: string,
    essayIds: string[],
  ): Promise<{ result: string; pending: string[] }> {
    const [result, pending] = await this.op(batchId, phase, eventId, 'include', {
      essay_ids: essayIds,
    });
    return { result, pending };
  }

  /** Records one essay's result (the first one counts); completes the phase with its outcome. */
  async record(
    batchId: string,
    phase: string,
    eventId: string,
    essayId: string,
    result: PhaseResult,
  ): Promise<string> {
    return (await this.op(batchId, phase, eventId, 'result', { essay_id: essayId, result }))[0];
  }

  private op(batchId: string, phase: string, eventId: string, op: string, fields: object) {
    const k = batchKeys(this.prefix, batchId);
    return this.redis.batchPhase(
      k.phase(phase),
      k.phaseResults(phase),
      k.phaseMembers(phase),
      k.processed('orchestrate'),
      k.outbox,
      eventId,
      op,
      // cjson would turn an empty essay list into {}: the script only iterates it, so that is fine
      JSON.stringify({ batch_id: batchId, phase, ...fields }),
      this.retentionSeconds,
    );
  }
}
