import type { AppViewRoute } from '@bull-board/api/typings/app';
import { Router, type RequestHandler } from 'express';
import type { FleetContext } from '../queues/context.js';
import { queueNames } from '../queues/names.js';
import { isLoopback } from '../shared/http-access.js';
import type { AuthFailures } from './middleware/auth-failures.js';
import { requireBoardLogin } from './middleware/auth.js';

export const BOARD_PATH = '/admin/queues';

export type BoardMode = 'login' | 'read-only' | 'off';

/**
 * The board shows every job's payload (batch and essay ids, students' file names, misspelt
 * words) and has no auth of its own; its readOnlyMode is its only real write lock. So: with
 * BOARD_USERNAME/BOARD_PASSWORD it is behind that login and may retry jobs. Without, it is
 * read-only for the developer mode only (no API_TOKENS, loopback HOST). Wherever API tokens
 * guard the data, a login-less board would be the way around them (a proxy on the same machine,
 * a DNS-rebinding page), so it is off.
 */
export function boardMode(config: FleetContext['config']): BoardMode {
  if (config.BOARD_USERNAME && config.BOARD_PASSWORD) return 'login';
  return !config.API_TOKENS.length && isLoopback(config.HOST) ? 'read-only' : 'off';
}

export function boardRouter(ctx: FleetContext, failures: AuthFailures): Router {
  const router = Router();
  const mode = boardMode(ctx.config);
  if (mode === 'off') return router;
  if (mode === 'login')
    router.use(
      BOARD_PATH,
      requireBoardLogin(ctx.config.BOARD_USERNAME!, ctx.config.BOARD_PASSWORD!, failures),
    );
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

  /**
   * Bull Board's page links its fonts from a public font service: every operator who opens the
   * board would tell that service so, and the board's CSP refuses it anyway. The page is served
   * without any link to another origin; its CSS falls back to the system's sans-serif and
   * monospace fonts.
   */
  class SameOriginAdapter extends ExpressAdapter {
    override setEntryRoute(route: AppViewRoute) {
      const handler: RequestHandler = (_req, res, next) => {
        const { name, params } = route.handler({
          basePath: this.basePath,
          uiConfig: this.uiConfig,
        });
        res.render(name, params, (err: Error | null, html: string) =>
          err ? next(err) : res.type('html').send(withoutForeignLinks(html)),
        );
      };
      this.app[route.method](route.route, handler);
      return this;
    }
  }

  const serverAdapter = new SameOriginAdapter();
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

/** `<link>` elements (stylesheets, fonts, preconnects) whose href is an absolute URL. */
export function withoutForeignLinks(html: string): string {
  return html.replace(/<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?\/\/[^>]*>/gi, '');
}
