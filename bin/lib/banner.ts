import { boardMode } from '../../src/api/board.js';
import { authMode } from '../../src/api/middleware/auth.js';
import type { Config } from '../../src/shared/config.js';

/**
 * What `npm start` prints once every process has said it is ready: the addresses of what is on,
 * and how each is guarded. What is off is not listed (its process logged why at start).
 */
export function banner(
  config: Config,
  running: { web: string; workerMetrics: { name: string; url: string }[]; redis: string },
): string {
  const base = running.web;
  const api = {
    tokens: 'a Bearer token from API_TOKENS',
    'open-loopback': 'open, loopback only',
    disabled: 'no token check (AUTH_DISABLED): your proxy guards it',
  }[authMode(config)];
  const metricsGuard = config.METRICS_TOKEN ? 'Bearer METRICS_TOKEN' : 'open';
  const board = boardMode(config);
  const lines = [
    '',
    'Essay intake fleet is running (web, extractor, lifecycle, spellcheck and ocr ready):',
    `  upload page   ${base}/`,
    `  API           ${base}/v1/batches/register  (${api})`,
    `  API reference ${base}/docs`,
    `  health        ${base}/healthz  ${base}/readyz`,
    `  metrics       ${base}/metrics  (${metricsGuard})`,
    ...running.workerMetrics.map((w) => `                ${w.url}  (${w.name})`),
    ...(board === 'off'
      ? []
      : [
          `  queue board   ${base}/admin/queues  (${board === 'login' ? 'BOARD_USERNAME login' : 'read-only, no login'})`,
        ]),
    `  Redis         ${running.redis}`,
    'Ctrl-C stops everything.',
    '',
  ];
  return lines.join('\n');
}
