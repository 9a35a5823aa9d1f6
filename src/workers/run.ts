import type { Worker } from 'bullmq';
import type { FleetContext } from '../queues/context.js';
import type { QueueName } from '../queues/names.js';
import { startWorkers } from './registry.js';

export interface RunningWorkers {
  workers: Worker[];
  /** Takes no new jobs, lets active ones finish up to the deadline, then stops regardless. */
  close(deadlineMs: number): Promise<void>;
}

export async function runWorkers(ctx: FleetContext, queues: QueueName[]): Promise<RunningWorkers> {
  const { workers, release } = await startWorkers(ctx, queues);
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    workers,
    async close(deadlineMs) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>(
        (r) => (timer = setTimeout(() => r('late'), deadlineMs)),
      );
      const outcome = await Promise.race([Promise.all(workers.map((w) => w.close())), deadline]);
      clearTimeout(timer);
      // past the deadline the process goes anyway (BullMQ ignores a second, forced close): the
      // unfinished jobs stall and another worker runs them again
      if (outcome === 'late') {
        // leave the sandbox children be: killing them would fail the active jobs (and use up
        // their attempts); they exit with this process, and the jobs run again as stalled
        ctx.logger.warn(
          'active jobs did not finish before the shutdown deadline; they will run again',
        );
        return;
      }
      await release();
    },
  };
}
