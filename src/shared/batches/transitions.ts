import type { Redis } from 'ioredis';
import { batchEventsChannel, batchKeys, essayIndexKey } from '../keys.js';
import { outboxEntry, type OutboxEntry } from './event-log.js';
import { transitionLua } from './transition-script.js';
import type { FileOutcome, UploadedFile } from './types.js';

export interface TransitionResult {
  detail: string;
  /** Set when this step completed the batch. */
  completed: 'ready' | 'timed_out' | null;
  createdAtMs: number | null;
  /** What waits in the outbox after the step (its events and any an earlier step left). */
  outbox: OutboxEntry[];
  /** Files of an applied upload whose outcome is PROCESSING_FAILED: their deaths go to the DLQ. */
  dead: string[];
}

/** Files of one upload applied in one script call; a larger upload is applied in chunks. */
export const APPLY_CHUNK = 200;

type ScriptedRedis = Redis & {
  batchTransition(
    ...args: (string | number)[]
  ): Promise<[string, string, string[], string[], string[]]>;
};

/**
 * Every change of a batch's state: one Lua script (`transition-script.ts`) per step, so any
 * number of processes can change batches at once, and a step is applied whole or not at all.
 */
export class BatchTransitions {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
  ) {
    redis.defineCommand('batchTransition', { numberOfKeys: 8, lua: transitionLua });
    this.redis = redis as ScriptedRedis;
  }

  /** The API accepted an upload: the batch waits for it (until it is applied, or its lease ends). */
  announce(batchId: string, uploadId: string, expectedCount: number) {
    return this.run(batchId, 'announce', { upload_id: uploadId, expected_count: expectedCount });
  }

  /**
   * Applies a whole upload: each file's outcome (slot, failure or excess), then the upload's
   * count and, if that completes the batch, its readiness. Chunked for very large uploads:
   * every chunk is applied whole, and the upload counts with its last chunk.
   */
  async applyUpload(
    batchId: string,
    upload: {
      upload_id: string;
      expected_count: number;
      upload_ts: string;
      correlation_id: string;
    },
    files: (UploadedFile & { outcome: FileOutcome })[],
  ): Promise<TransitionResult> {
    const dead: string[] = [];
    const chunks = Math.max(1, Math.ceil(files.length / APPLY_CHUNK));
    for (let i = 0; ; i++) {
      const result = await this.run(batchId, 'apply', {
        ...upload,
        last: i === chunks - 1,
        files: files.slice(i * APPLY_CHUNK, (i + 1) * APPLY_CHUNK),
      });
      dead.push(...result.dead);
      if (i === chunks - 1) return { ...result, dead };
    }
  }

  /**
   * A child's outcome, as it finishes: a live notice on the batch's channel, and, when its
   * upload was applied already (a job that died and was retried), the outcome applied now.
   */
  report(
    batchId: string,
    uploadId: string,
    file: UploadedFile & { outcome: FileOutcome },
    notice: object,
  ) {
    return this.run(batchId, 'report', {
      upload_id: uploadId,
      file,
      channel: batchEventsChannel(this.prefix, batchId),
      notice: JSON.stringify(notice),
    });
  }

  /** An announced upload's lease ran out: unless its flow exists, it stops holding the batch. */
  expireLease(batchId: string, uploadId: string, flowExists: boolean, reason: string) {
    return this.run(batchId, 'lease', { upload_id: uploadId, flow_exists: flowExists, reason });
  }

  /** The readiness deadline: the batch times out, or (while an upload is open) when it is applied. */
  deadline(batchId: string) {
    return this.run(batchId, 'timeout', {});
  }

  private async run(batchId: string, op: string, fields: object): Promise<TransitionResult> {
    const k = batchKeys(this.prefix, batchId);
    const [detail, createdAt, outbox, revived, dead] = await this.redis.batchTransition(
      k.meta,
      k.freeSlots,
      k.allSlots,
      k.essays,
      k.files,
      k.uploads,
      k.outbox,
      k.contents,
      op,
      JSON.stringify({ batch_id: batchId, ...fields }),
      this.retentionSeconds,
      Date.now(),
    );
    // an essay revived after its batch moved on may outlive the index written at registration
    await Promise.all(
      revived.map((essayId) =>
        this.redis.expire(essayIndexKey(this.prefix, essayId), this.retentionSeconds, 'GT'),
      ),
    );
    return {
      detail,
      completed: detail.endsWith(';ready')
        ? 'ready'
        : detail.endsWith(';timed_out')
          ? 'timed_out'
          : null,
      createdAtMs: createdAt ? Number(createdAt) : null,
      outbox: outbox.map(outboxEntry),
      dead,
    };
  }
}
