#!/usr/bin/env node
// The `web` process: the HTTP API, the upload page and /metrics.
import { boardMode } from '../src/api/board.js';
import { authMode, type AuthMode } from '../src/api/middleware/auth.js';
import { startServer } from '../src/api/server.js';
import { createContext } from '../src/queues/context.js';
import { registerQueueGauges } from '../src/queues/queue-metrics.js';
import { allowedHostsOf } from '../src/shared/http-access.js';
import { createLogger } from '../src/shared/logger.js';
import {
  bootConfig,
  exitOnStartupError,
  onShutdown,
  prepareDataDir,
  reportReady,
  requireRedisUrl,
} from './lib/boot.js';

const config = bootConfig();
requireRedisUrl(config, 'web');
const logger = createLogger({ level: config.LOG_LEVEL, json: config.LOG_JSON, service: 'web' });
let mode: AuthMode;
try {
  mode = authMode(config);
} catch (err) {
  exitOnStartupError(err);
}
if (mode === 'open-loopback')
  logger.warn(`no API_TOKENS: the API is open, and served on loopback (${config.HOST}) only`);
if (mode === 'disabled')
  logger.warn(`AUTH_DISABLED: the API on ${config.HOST} checks no tokens; a proxy must`);
if (boardMode(config) === 'off')
  logger.info(
    'the queue board is off: it needs BOARD_USERNAME and BOARD_PASSWORD wherever API_TOKENS are set or HOST is not loopback',
  );
if (!allowedHostsOf(config))
  logger.warn(
    `ALLOWED_HOSTS is unset on ${config.HOST}: any Host header is answered; set it to the names clients use`,
  );
if (config.TRUST_PROXY === true)
  logger.warn(
    'TRUST_PROXY=true believes any X-Forwarded-For: a client reaching the port directly can pick its own address; name the proxy (TRUST_PROXY=loopback, or its address)',
  );
if (config.BLOB_STORE === 'fs') prepareDataDir(config, logger);
const ctx = await createContext(config, { role: 'producer', logger, source: 'web' }).catch(
  exitOnStartupError,
);
registerQueueGauges(ctx.metrics, ctx.queue);
const server = await startServer(ctx, config.HOST, config.PORT).catch(exitOnStartupError);
logger.info(`web listening on ${server.url}`, { status: 'listening' });
reportReady({ url: server.url });
onShutdown(logger, async () => {
  await server.close(config.SHUTDOWN_TIMEOUT_MS);
  await ctx.close();
});
