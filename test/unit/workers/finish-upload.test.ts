import { expect } from 'chai';
import type { ChildrenOutcomes } from '../../../src/queues/create-worker.js';
import type { FinishUploadJob } from '../../../src/queues/jobs.js';
import type { TransitionResult } from '../../../src/shared/batches/transitions.js';
import { createMetrics } from '../../../src/shared/metrics.js';
import { finishUpload } from '../../../src/workers/upload/finish-upload.js';

const sha = (n: number) => n.toString(16).padStart(64, '0');
const job: FinishUploadJob = {
  batch_id: 'b',
  upload_id: 'u',
  expected_count: 2,
  upload_ts: 'now',
  correlation_id: 'c',
  files: ['a', 'x'].map((id, n) => ({
    file_upload_id: id,
    original_file_name: `${id}.txt`,
    raw_storage_id: sha(n),
    size_bytes: 10,
  })),
};
const value = (id: string) => ({
  file_upload_id: id,
  outcome: { kind: 'content', text_storage_id: sha(9), text_length: 100 },
});

type AppliedFile = { file_upload_id: string; outcome: Record<string, unknown> };

/** A parent's steps with the batch store faked: each applied upload and each recording kept. */
function recordingDeps(applied: AppliedFile[][], recorded: { queue: string; id: string }[][]) {
  return {
    publisher: { publishOutbox: async () => [] } as never,
    metrics: createMetrics(),
    transitions: {
      applyUpload: async (_b: string, _u: unknown, files: AppliedFile[]) => {
        applied.push(files);
        return {
          detail: 'applied',
          completed: null,
          createdAtMs: null,
          outbox: [],
          dead: files.filter((f) => f.outcome.kind === 'dead').map((f) => f.file_upload_id),
        } as TransitionResult;
      },
    } as never,
    recordDeadChildren: async (dead: { queue: string; id: string }[]) => void recorded.push(dead),
  };
}

describe('the reconciling parent', () => {
  it('reads its children again when one was dead: a retry that finished meanwhile replaces the dead letter', async () => {
    const applied: AppliedFile[][] = [];
    const recorded: { queue: string; id: string }[][] = [];
    const reads: ChildrenOutcomes[] = [
      // x died; then, retried from the board while the parent applied the upload, it finished
      { values: { a: value('a') }, failures: { x: 'boom' } },
      { values: { a: value('a'), x: value('x') }, failures: {} },
    ];
    await finishUpload(job, recordingDeps(applied, recorded), async () => reads.shift()!);
    expect(
      applied.map((files) => files.map((f) => `${f.file_upload_id}:${f.outcome.kind}`)),
    ).to.deep.equal([
      ['a:content', 'x:dead'],
      ['a:content', 'x:content'],
    ]);
    expect(recorded.map((dead) => dead.map((d) => d.id))).to.deep.equal([[]]);
  });

  it("takes a file's outcome from its OCR child when its extract child handed it over, and records a dead OCR child in its own queue", async () => {
    const applied: AppliedFile[][] = [];
    const recorded: { queue: string; id: string }[][] = [];
    const ocrValue = {
      file_upload_id: 'a',
      outcome: {
        kind: 'content',
        text_storage_id: sha(8),
        text_length: 120,
        text_source: 'ocr',
        ocr_confidence: 91.5,
      },
    };
    const reads: ChildrenOutcomes[] = [
      {
        values: {
          a: { file_upload_id: 'a', handed_to_ocr: true },
          'a-ocr': ocrValue,
          x: { file_upload_id: 'x', handed_to_ocr: true },
        },
        failures: { 'x-ocr': 'tesseract crashed' },
      },
    ];
    await finishUpload(job, recordingDeps(applied, recorded), async () => reads[0]!);
    expect(applied[0]![0]!.outcome).to.deep.equal(ocrValue.outcome);
    expect(applied[0]![1]!.outcome).to.deep.include({ kind: 'dead' });
    expect(String(applied[0]![1]!.outcome.message)).to.include('tesseract crashed');
    expect(recorded.at(-1)).to.deep.equal([{ queue: 'essay.ocr', id: 'x-ocr' }]);
  });
});
