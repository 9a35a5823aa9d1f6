import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { makeEnvelope } from '../../../src/shared/events/envelope.js';
import { eventId } from '../../../src/shared/events/event-id.js';

describe('event ids', () => {
  it('are sha256(batch_id + essay_or_file_id + phase + outcome)', () => {
    const expected = createHash('sha256')
      .update('b1' + 'f1' + 'extraction' + 'provisioned')
      .digest('hex');
    expect(eventId('b1', 'f1', 'extraction', 'provisioned')).to.equal(expected);
  });

  it('give the same fact the same envelope id, whenever it is built', () => {
    const data = {
      event: 'essay.upload.finished' as const,
      batch_id: 'b',
      upload_id: 'u',
      expected_count: 2,
      upload_ts: 'now',
      correlation_id: 'c',
    };
    const identity = {
      batchId: 'b',
      subjectId: 'u',
      phase: 'upload' as const,
      outcome: 'finished',
    };
    const a = makeEnvelope('EssayUploadFinishedV1', data, {
      identity,
      source: 's',
      correlationId: 'c',
    });
    const b = makeEnvelope('EssayUploadFinishedV1', data, {
      identity,
      source: 'other',
      correlationId: 'c',
    });
    expect(a.event_id).to.equal(b.event_id);
    expect(a).to.include.keys(
      'event_id',
      'event_type',
      'schema_version',
      'event_timestamp',
      'source',
      'correlation_id',
      'data',
    );
  });

  it('refuses data that does not match its event type', () => {
    const identity = {
      batchId: 'b',
      subjectId: 'u',
      phase: 'upload' as const,
      outcome: 'finished',
    };
    expect(() =>
      makeEnvelope('EssayUploadFinishedV1', { batch_id: 'b' } as never, {
        identity,
        source: 's',
        correlationId: 'c',
      }),
    ).to.throw();
  });
});
