import { Router } from 'express';
import type { FleetContext } from '../../queues/context.js';

export function healthRouter(ctx: FleetContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  /** Ready when Redis answers: the API can do nothing useful without it. */
  router.get('/readyz', async (_req, res) => {
    const ok = await Promise.race([
      ctx.redis.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref()),
    ]);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'redis unreachable' });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  return router;
}
