import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import type { FleetContext } from '../queues/context.js';
import { boardRouter } from './board.js';
import { asyncApiDocument } from './asyncapi.js';
import { openApiDocument } from './openapi.js';
import { allowedHostsOf } from '../shared/http-access.js';
import { AuthFailures } from './middleware/auth-failures.js';
import { authMode, requireMetricsToken, requireToken } from './middleware/auth.js';
import { errorHandler, notFound } from './middleware/errors.js';
import { requireAllowedHost } from './middleware/host-check.js';
import { observeHttp } from './middleware/http-metrics.js';
import { rateLimitPerToken } from './middleware/rate-limit.js';
import { securityHeaders } from './middleware/security-headers.js';
import { batchesRouter } from './routes/batches.js';
import { deadLettersRouter } from './routes/dead-letters.js';
import { essaysRouter } from './routes/essays.js';
import { filesRouter } from './routes/files.js';
import { healthRouter } from './routes/health.js';

/** The upload page's static files: beside this file under tsx, in the source tree under dist/. */
const here = path.dirname(fileURLToPath(import.meta.url));
export const publicDir = [
  path.join(here, 'public'),
  path.resolve(here, '../../../src/api/public'),
].find((dir) => existsSync(dir))!;

/** jsdiff's browser build, served from this origin (the page's CSP loads nothing from others). */
const diffScript = path.join(
  path.dirname(createRequire(import.meta.url).resolve('diff/package.json')),
  'dist/diff.min.js',
);

export function createApp(ctx: FleetContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // behind a proxy, the client is the address its X-Forwarded-For names (rate limits, logs)
  app.set('trust proxy', ctx.config.TRUST_PROXY);
  app.use(observeHttp(ctx.metrics, ctx.logger));
  // before any route: a foreign Host is refused whatever it asks for
  app.use(requireAllowedHost(allowedHostsOf(ctx.config)));
  const failures = new AuthFailures(ctx);
  if (ctx.config.METRICS_TOKEN)
    app.use('/metrics', requireMetricsToken(ctx.config.METRICS_TOKEN, failures));
  app.use(healthRouter(ctx));
  app.use(securityHeaders());
  // every /v1 route, data and uploads, needs a token when tokens are configured
  if (authMode(ctx.config) === 'tokens')
    app.use('/v1', requireToken(ctx.config.API_TOKENS, failures));
  app.use('/v1', rateLimitPerToken(ctx));
  app.use(express.json({ limit: '64kb' }));
  app.use(batchesRouter(ctx));
  app.use(filesRouter(ctx));
  app.use(essaysRouter(ctx));
  app.use(deadLettersRouter(ctx));
  app.use(boardRouter(ctx, failures));
  const openapi = openApiDocument(ctx.config.MAX_EXPECTED_ESSAYS);
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  const asyncapi = asyncApiDocument();
  app.get('/asyncapi.json', (_req, res) => {
    res.json(asyncapi);
  });
  app.get('/docs/events', (_req, res) => {
    res.sendFile(path.join(publicDir, 'docs-events.html'));
  });
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.get('/vendor/diff.min.js', (_req, res) => {
    res.type('text/javascript').sendFile(diffScript);
  });
  app.get('/docs', (_req, res) => {
    res.sendFile(path.join(publicDir, 'docs.html'));
  });
  app.use(express.static(publicDir, { index: 'index.html' }));
  app.use(notFound);
  app.use(errorHandler(ctx.logger));
  return app;
}
