import type { Redis } from 'ioredis';
import { batchKeys, essayIndexKey } from '../keys.js';
import type { PhaseResult } from './phases.js';
import type {
  BatchStatus,
  BatchView,
  EssayRecord,
  FileOutcomeRecord,
  FileRef,
  PhaseView,
} from './types.js';

/** What the API answers about batches and essays, read from their state. Writes nothing. */
export class BatchReadModel {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(batchId: string): Promise<BatchView | null> {
    const k = batchKeys(this.prefix, batchId);
    const [meta, slots, essays, files, spellcheck] = await Promise.all([
      this.redis.hgetall(k.meta),
      this.redis.lrange(k.allSlots, 0, -1),
      this.redis.hgetall(k.essays),
      this.redis.hvals(k.files),
      this.phase(batchId, 'spellcheck'),
    ]);
    if (!meta.batch_id) return null;
    const outcomes = files.map((f) => JSON.parse(f) as FileOutcomeRecord);
    return {
      batch_id: batchId,
      status: meta.status as BatchStatus,
      course_code: meta.course_code ?? '',
      language: meta.language ?? '',
      expected_count: Number(meta.expected_count),
      received_count_from_uploads: Number(meta.received_count_from_uploads),
      ready_count: Number(meta.ready_count),
      failed_count: Number(meta.failed_count),
      excess_count: Number(meta.excess_count),
      created_at: new Date(Number(meta.created_at_ms)).toISOString(),
      completed_at: meta.completed_at_ms
        ? new Date(Number(meta.completed_at_ms)).toISOString()
        : null,
      correlation_id: meta.correlation_id ?? '',
      essays: slots.flatMap((id) =>
        essays[id]
          ? [
              {
                ...(JSON.parse(essays[id]) as EssayRecord),
                spellcheck: spellcheck.results[id] ?? null,
              },
            ]
          : [],
      ),
      phases: { spellcheck: spellcheck.view },
      validation_failures: outcomes.flatMap((o) =>
        o.kind === 'failed'
          ? [
              {
                file_upload_id: o.file_upload_id,
                original_file_name: o.original_file_name,
                error_code: o.error_code,
                message: o.message,
              },
            ]
          : [],
      ),
      excess: outcomes.flatMap((o) =>
        o.kind === 'excess'
          ? [
              {
                file_upload_id: o.file_upload_id,
                original_file_name: o.original_file_name,
                reason: o.reason,
                ...(o.duplicate_of ? { duplicate_of: o.duplicate_of } : {}),
              },
            ]
          : [],
      ),
    };
  }

  /**
   * What a new upload's files will meet: the batch's status, and for each of these raw bytes the
   * file whose essay holds them already (a duplicate takes no slot).
   */
  async intake(
    batchId: string,
    rawStorageIds: string[],
  ): Promise<{ status: BatchStatus | null; holders: Record<string, FileRef> }> {
    const k = batchKeys(this.prefix, batchId);
    const [status, found] = await Promise.all([
      this.redis.hget(k.meta, 'status'),
      rawStorageIds.length
        ? this.redis.hmget(k.contents, ...rawStorageIds.map((id) => `raw:${id}`))
        : Promise.resolve([]),
    ]);
    const holders: Record<string, FileRef> = {};
    rawStorageIds.forEach((id, i) => {
      if (found[i]) holders[id] = JSON.parse(found[i]) as FileRef;
    });
    return { status: status as BatchStatus | null, holders };
  }

  /**
   * Where one file of an upload stands: whether its batch exists, whether the upload has been
   * applied, and the error code of its outcome ('ready' or 'excess' when it has one without).
   */
  async fileState(
    batchId: string,
    uploadId: string,
    fileUploadId: string,
  ): Promise<{ registered: boolean; uploadApplied: boolean; outcome: string | null }> {
    const k = batchKeys(this.prefix, batchId);
    const [registered, upload, file] = await Promise.all([
      this.redis.exists(k.meta),
      this.redis.hget(k.uploads, uploadId),
      this.redis.hget(k.files, fileUploadId),
    ]);
    const outcome = file ? (JSON.parse(file) as FileOutcomeRecord) : null;
    return {
      registered: registered === 1,
      uploadApplied: upload ? (JSON.parse(upload) as { state: string }).state === 'applied' : false,
      outcome: outcome ? (outcome.kind === 'failed' ? outcome.error_code : outcome.kind) : null,
    };
  }

  /** Finds an essay's record from its id alone (via the essay index written at registration). */
  async findEssay(essayId: string): Promise<(EssayRecord & { batch_id: string }) | null> {
    const batchId = await this.redis.get(essayIndexKey(this.prefix, essayId));
    if (!batchId) return null;
    const raw = await this.redis.hget(batchKeys(this.prefix, batchId).essays, essayId);
    return raw ? { ...(JSON.parse(raw) as EssayRecord), batch_id: batchId } : null;
  }

  /** An essay's result in a phase, or null while it has none. */
  async phaseResultOf(
    batchId: string,
    phase: string,
    essayId: string,
  ): Promise<PhaseResult | null> {
    const raw = await this.redis.hget(batchKeys(this.prefix, batchId).phaseResults(phase), essayId);
    return raw ? (JSON.parse(raw) as PhaseResult) : null;
  }

  async phase(
    batchId: string,
    phase: string,
  ): Promise<{ view: PhaseView | null; results: Record<string, PhaseResult> }> {
    const k = batchKeys(this.prefix, batchId);
    const [meta, results] = await Promise.all([
      this.redis.hgetall(k.phase(phase)),
      this.redis.hgetall(k.phaseResults(phase)),
    ]);
    const view: PhaseView | null = meta.status
      ? {
          status: meta.status as PhaseView['status'],
          outcome: meta.outcome ?? null,
          expected: Number(meta.expected),
          succeeded: Number(meta.succeeded),
          failed: Number(meta.failed),
        }
      : null;
    return {
      view,
      results: Object.fromEntries(
        Object.entries(results).map(([id, r]) => [id, JSON.parse(r) as PhaseResult]),
      ),
    };
  }
}
