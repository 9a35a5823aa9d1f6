import { QueueName } from '../../src/queues/names.js';
import type { FleetContext } from '../../src/queues/context.js';

/**
 * Runs `steps` with the batch clocks held: the lifecycle queue is paused, so a readiness
 * deadline that falls due meanwhile waits, and strikes once `steps` are done. A test with a
 * one- or two-second deadline then gets its uploads answered before the deadline strikes
 * however loaded the machine is (a condition, not a race with the clock).
 */
export async function withDeadlinesHeld<T>(
  fleet: { web: FleetContext },
  steps: () => Promise<T>,
): Promise<T> {
  const lifecycle = fleet.web.queue(QueueName.lifecycle);
  await lifecycle.pause();
  try {
    return await steps();
  } finally {
    await lifecycle.resume();
  }
}
