import { Router, type RequestHandler } from 'express';
import type { FleetContext } from '../queues/context.js';
import { queueNames } from '../queues/names.js';
import { isLoopback, secretMatcher } from './middleware/credentials.js';

export const BOARD_PATH = '/admin/queues';

export type BoardMode = 'login' | 'read-only' | 'off';

/**
 * The board has no auth of its own and its readOnlyMode is its only real write lock, so:
 * with BOARD_USERNAME/BOARD_PASSWORD it is behind a login and may retry jobs; without them it
 * is read-only and served only when the web process listens on loopback; otherwise it is off.
 */
export function boardMode(config: FleetContext['config']): BoardMode {
  if (config.BOARD_USERNAME && config.BOARD_PASSWORD) return 'login';
  return isLoopback(config.HOST) ? 'read-only' : 'off';
}

export function boardRouter(ctx: FleetContext): Router {
  const router = Router();
  const mode = boardMode(ctx.config);
  if (mode === 'off') return router;
  if (mode === 'login')
    router.use(BOARD_PATH, basicAuth(ctx.config.BOARD_USERNAME!, ctx.config.BOARD_PASSWORD!));
  // the board's code (~7 MB resident) is loaded when the board is first opened
  let board: Promise<RequestHandler> | undefined;
  router.use(BOARD_PATH, (req, res, next) => {
    board ??= loadBoard(ctx, mode);
    board.then((handler) => handler(req, res, next)).catch(next);
  });
  return router;
}

async function loadBoard(ctx: FleetContext, mode: BoardMode): Promise<RequestHandler> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(BOARD_PATH);
  createBullBoard({
    queues: queueNames.map(
      (q) => new BullMQAdapter(ctx.queue(q), { readOnlyMode: mode === 'read-only' }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Essay intake queues' } },
  });
  return serverAdapter.getRouter() as RequestHandler;
}

/** HTTP Basic login, compared in constant time. */
function basicAuth(username: string, password: string): RequestHandler {
  const matches = secretMatcher([`${username}:${password}`]);
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    if (header.startsWith('Basic ') && matches(Buffer.from(header.slice(6), 'base64').toString()))
      return next();
    res.set('WWW-Authenticate', 'Basic realm="essay intake board", charset="UTF-8"');
    res.status(401).json({ error: { code: 'UNAUTHORIZED', message: 'the board needs its login' } });
  };
}
