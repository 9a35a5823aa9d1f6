/** The fleet's HTTP API as the CLI uses it: a base URL, an optional token, JSON errors. */

/** Exit codes of the CLI: 0 ready, 2 timed out or files failed, 1 anything else. */
export const Exit = { ok: 0, error: 1, notReady: 2 } as const;

/** An error to print as one line and exit with; `code` is the API's error code when it gave one. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code = 'CLI_ERROR',
    readonly exitCode: number = Exit.error,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface Connection {
  url: string;
  token?: string;
}

export class FleetClient {
  readonly base: string;

  constructor(private readonly conn: Connection) {
    let parsed: URL;
    try {
      parsed = new URL(conn.url);
    } catch {
      throw new CliError(`not a URL: ${conn.url} (--url or ESSAY_INTAKE_URL)`, 'INVALID_URL');
    }
    if (!/^https?:$/.test(parsed.protocol))
      throw new CliError(
        `the fleet's URL must be http:// or https://, not ${conn.url}`,
        'INVALID_URL',
      );
    this.base = conn.url.replace(/\/+$/, '');
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'user-agent': 'essay-intake-cli/1',
      ...(this.conn.token ? { authorization: `Bearer ${this.conn.token}` } : {}),
      ...extra,
    };
  }

  /** A request whose answer must be 2xx; anything else becomes a CliError with the API's code. */
  async request(path: string, init: RequestInit & { duplex?: 'half' } = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        ...init,
        headers: this.headers(init.headers as Record<string, string>),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: { code?: string } }).cause?.code;
      throw new CliError(
        `cannot reach ${this.base}: ${cause ?? (err as Error).message}`,
        'UNREACHABLE',
      );
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    let code = `HTTP_${res.status}`;
    let message = text.slice(0, 300) || res.statusText;
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (body.error?.code) code = body.error.code;
      if (body.error?.message) message = body.error.message;
    } catch {
      // not JSON: keep the text
    }
    if (res.status === 401)
      message += this.conn.token
        ? ' (the token was refused)'
        : ' (give a token: --token or ESSAY_INTAKE_TOKEN)';
    const error = new CliError(`${res.status} ${code}: ${message}`, code);
    (error as CliError & { retryAfter?: number }).retryAfter = Number(
      res.headers.get('retry-after'),
    );
    throw error;
  }

  async json<T>(
    path: string,
    body?: unknown,
    method = body === undefined ? 'GET' : 'POST',
  ): Promise<T> {
    const res = await this.request(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as T;
  }
}
