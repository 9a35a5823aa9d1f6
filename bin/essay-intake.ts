#!/usr/bin/env node
// essay-intake: the fleet from a terminal, over its HTTP API only (the CLI holds no Redis).
import { Command, InvalidArgumentError, Option } from 'commander';
import { dlqList, dlqRedrive } from './cli/dlq.js';
import { CliError, Exit, FleetClient } from './cli/http.js';
import { events, status } from './cli/status.js';
import { upload } from './cli/upload.js';

const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`${what} is a whole number above 0`);
  return n;
};

interface Globals {
  url: string;
  token?: string;
  json: boolean;
}

const program = new Command('essay-intake')
  .description('Upload batches of essays to an essay intake fleet and follow them.')
  .addOption(
    new Option('--url <url>', "the fleet's web process")
      .env('ESSAY_INTAKE_URL')
      .default('http://127.0.0.1:8080'),
  )
  .addOption(new Option('--token <token>', 'an API token (API_TOKENS)').env('ESSAY_INTAKE_TOKEN'))
  .option('--json', 'JSON on stdout for scripts, no progress bars', false)
  .showHelpAfterError()
  .addHelpText(
    'after',
    '\nExit codes: 0 done (upload: the batch is ready and no file failed), 2 the batch timed out or files failed, 1 any other error.',
  );

/** Runs a command's work with the global options, printing a CliError as one line. */
function run<A extends unknown[]>(
  work: (client: FleetClient, g: Globals, ...args: A) => Promise<number | void>,
) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const g = command.optsWithGlobals<Globals>();
    try {
      const code = await work(new FleetClient({ url: g.url, token: g.token }), g, ...(args as A));
      process.exitCode = code ?? Exit.ok;
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      if (g.json)
        process.stdout.write(
          `${JSON.stringify({ error: { code: err.code, message: err.message } })}\n`,
        );
      process.stderr.write(`essay-intake: ${err.message}\n`);
      process.exitCode = err.exitCode;
    }
  };
}

program
  .command('upload')
  .description(
    'register a batch for the files, upload them with progress, wait until it is ready, print each outcome',
  )
  .argument('<paths...>', 'files, and folders to take every (non-hidden) file from')
  .requiredOption(
    '--course <code>',
    'course code, e.g. ENG5 (a code starting with SV means Swedish)',
  )
  .option('--expect <n>', 'essays expected (default: the number of files)', positive('--expect'))
  .addOption(new Option('--language <language>', "the essays' language").choices(['en', 'sv']))
  .option(
    '--timeout <seconds>',
    "the batch's readiness timeout (default: the fleet's)",
    positive('--timeout'),
  )
  .option('--no-progress', 'no progress bars (they show only on a terminal anyway)')
  .action(
    run(
      (
        client,
        g,
        paths: string[],
        opts: {
          course: string;
          expect?: number;
          language?: 'en' | 'sv';
          timeout?: number;
          progress: boolean;
        },
      ) => upload(client, paths, { ...opts, json: g.json }),
    ),
  );

program
  .command('status')
  .description("a batch's counts and each file's outcome")
  .argument('<batch>', 'batch id')
  .action(run((client, g, batch: string) => status(client, batch, g.json)));

program
  .command('events')
  .description("a batch's event log, oldest first; --follow streams it live (Ctrl-C ends)")
  .argument('<batch>', 'batch id')
  .option('-f, --follow', 'keep following: new events and live file notices', false)
  .action(
    run((client, g, batch: string, opts: { follow: boolean }) =>
      events(client, batch, { follow: opts.follow, json: g.json }),
    ),
  );

const dlq = program.command('dlq').description('dead letters: jobs that ran out of attempts');
dlq
  .command('list')
  .description('dead letters, newest first, and where each job stands now')
  .option('--limit <n>', 'how many', positive('--limit'), 50)
  .action(
    run((client, g, opts: { limit: number }) =>
      dlqList(client, { json: g.json, limit: opts.limit }),
    ),
  );
dlq
  .command('redrive')
  .description("run a dead letter's job again (the board's Retry)")
  .argument('<job>', 'the dead letter id `dlq list` shows')
  .action(run((client, g, id: string) => dlqRedrive(client, id, { json: g.json })));

process.on('SIGINT', () => process.exit(130));
await program.parseAsync();
