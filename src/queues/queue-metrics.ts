import client from 'prom-client';
import type { Metrics } from '../shared/metrics.js';
import type { FleetContext } from './context.js';
import { queueNames } from './names.js';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/**
 * `queue_jobs{queue,state}`: jobs per queue and state, read from Redis when scraped. Registered
 * by the web process only, so N workers do not poll Redis for the same numbers.
 */
export function registerQueueGauges(metrics: Metrics, queue: FleetContext['queue']): void {
  new client.Gauge({
    name: 'queue_jobs',
    help: 'Jobs in each queue by state (waiting, active, delayed, failed), read when scraped.',
    labelNames: ['queue', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      const counts = await Promise.all(queueNames.map((q) => queue(q).getJobCounts(...STATES)));
      counts.forEach((c, i) => {
        for (const state of STATES) this.set({ queue: queueNames[i]!, state }, c[state] ?? 0);
      });
    },
  });
}
