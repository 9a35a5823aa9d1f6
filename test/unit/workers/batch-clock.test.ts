import { expect } from 'chai';
import type { TransitionResult } from '../../../src/shared/batches/transitions.js';
import { InfrastructureError } from '../../../src/shared/errors.js';
import { createMetrics } from '../../../src/shared/metrics.js';
import {
  keepBatchClock,
  strikeDeadClock,
  type BatchClockDeps,
} from '../../../src/workers/lifecycle/batch-clock.js';

const answer = (detail: string): TransitionResult => ({
  detail,
  completed: null,
  createdAtMs: null,
  outbox: [],
  dead: [],
});

function deps(detail: string, renewed: unknown[] = []): BatchClockDeps {
  return {
    publisher: { publishOutbox: async () => [] } as never,
    metrics: createMetrics(),
    transitions: {
      deadline: async () => answer(detail),
      expireLease: async () => answer(detail),
    } as never,
    uploadFlowExists: async () => true,
    renewLease: async (job) => void renewed.push(job),
  };
}

describe('the batch clocks', () => {
  const deadline = { kind: 'readiness_timeout' as const, batch_id: 'b', correlation_id: 'c' };

  it("a deadline that overtook its batch's registration waits for it (retries), then gives up", async () => {
    let thrown: unknown;
    await keepBatchClock(deadline, deps('not_registered'), Date.now()).catch((e) => (thrown = e));
    expect(thrown).to.be.instanceOf(InfrastructureError);
    const late = await keepBatchClock(deadline, deps('not_registered'), Date.now() - 120_000);
    expect(late.detail).to.equal('not_registered');
  });

  it('a dead deadline still strikes; one whose batch was never stored leaves no dead letter', async () => {
    expect(await strikeDeadClock(deadline, deps('not_registered'))).to.equal('skip');
    expect(await strikeDeadClock(deadline, deps('timed_out'))).to.equal(undefined);
  });

  it('renews a lease whose flow is there, and only then', async () => {
    const lease = {
      kind: 'upload_lease' as const,
      batch_id: 'b',
      upload_id: 'u',
      correlation_id: 'c',
      round: 2,
    };
    const renewed: unknown[] = [];
    await keepBatchClock(lease, deps('held', renewed), Date.now());
    await keepBatchClock(lease, deps('abandoned', renewed), Date.now());
    expect(renewed).to.deep.equal([lease]);
  });
});
