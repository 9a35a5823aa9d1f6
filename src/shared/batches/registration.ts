import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { batchKeys, essayIndexKey } from '../keys.js';
import type { BatchRegistration, Language } from './types.js';

/** A batch's expectation: stored once, at registration, and read by everything after. */
export class BatchRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
  ) {}

  async register(input: BatchRegistration, now = new Date()): Promise<void> {
    const k = batchKeys(this.prefix, input.batch_id);
    const slots = Array.from({ length: input.expected_count }, () => randomUUID());
    const ttl = this.retentionSeconds + input.readiness_timeout_seconds;
    // the essay-id index lives in other slots than the batch (a cluster refuses one MULTI across
    // them): it is written first, so a crash in between leaves only index entries that point
    // at no batch (and expire), never a batch whose essays cannot be found
    await Promise.all(
      slots.map((essayId) =>
        this.redis.set(
          essayIndexKey(this.prefix, essayId),
          input.batch_id,
          'EX',
          // a retention longer than the batch at registration: its keys live on for the
          // retention after their last change (a phase ending after the deadline), and a
          // lookup by essay id must not fail while the batch is there
          ttl + this.retentionSeconds,
        ),
      ),
    );
    const multi = this.redis.multi();
    multi.hset(k.meta, {
      batch_id: input.batch_id,
      status: 'awaiting_content',
      expected_count: input.expected_count,
      received_count_from_uploads: 0,
      ready_count: 0,
      failed_count: 0,
      excess_count: 0,
      open_uploads: 0,
      course_code: input.course_code,
      language: input.language,
      essay_instructions: input.essay_instructions ?? '',
      class_designation: input.class_designation ?? '',
      teacher_name: input.teacher_name ?? '',
      correlation_id: input.correlation_id,
      readiness_timeout_seconds: input.readiness_timeout_seconds,
      created_at_ms: now.getTime(),
    });
    multi.rpush(k.freeSlots, ...slots);
    multi.rpush(k.allSlots, ...slots);
    for (const key of [k.meta, k.freeSlots, k.allSlots]) multi.expire(key, ttl);
    await multi.exec();
  }

  /** The batch's correlation id, or null when the batch is not registered. */
  async correlationId(batchId: string): Promise<string | null> {
    const meta = await this.redis.hmget(
      batchKeys(this.prefix, batchId).meta,
      'batch_id',
      'correlation_id',
    );
    return meta[0] ? (meta[1] ?? '') : null;
  }

  async exists(batchId: string): Promise<boolean> {
    return (await this.redis.exists(batchKeys(this.prefix, batchId).meta)) === 1;
  }

  /** The language the batch's course is taught in (the prior for its essays). */
  async language(batchId: string): Promise<Language> {
    const language = await this.redis.hget(batchKeys(this.prefix, batchId).meta, 'language');
    return language === 'sv' ? 'sv' : 'en';
  }
}
