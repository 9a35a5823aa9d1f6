import winston from 'winston';

/** The standard keys every phase transition logs (design: Observability). */
export interface LogFields {
  corr_id?: string;
  batch_id?: string;
  essay_id?: string;
  phase?: string;
  status?: string;
  duration_ms?: number;
  [key: string]: unknown;
}

export type Logger = winston.Logger;

export function createLogger(opts: { level: string; json: boolean; service: string }): Logger {
  const pretty = !opts.json && process.stdout.isTTY;
  return winston.createLogger({
    level: opts.level,
    defaultMeta: { service: opts.service },
    format: pretty
      ? winston.format.combine(
          winston.format.colorize(),
          winston.format.timestamp({ format: 'HH:mm:ss' }),
          winston.format.printf(({ level, message, timestamp, service, ...rest }) => {
            const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
            return `${timestamp} ${service} ${level} ${message}${extra}`;
          }),
        )
      : winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}

/** A logger that writes nothing: for tests and tools. */
export function silentLogger(): Logger {
  return winston.createLogger({ silent: true, transports: [new winston.transports.Console()] });
}
