import cliProgress from 'cli-progress';
import { bytes } from './output.js';

/** What an upload tells whoever watches it: bytes and files sent, files processed. */
export interface UploadProgress {
  start(totalBytes: number, totalFiles: number): void;
  sent(bytesSent: number): void;
  fileSent(n: number): void;
  processed(done: number, failed: number): void;
  /** A line above the bars (or on its own without them). */
  note(message: string): void;
  stop(): void;
}

/**
 * Two bars on stderr when it is a terminal: the upload (bytes and files) and the processing
 * (files with an outcome). Elsewhere (CI logs, pipes) a line at each milestone instead; with
 * `--json`, nothing (scripts read stdout, and stderr is for errors).
 */
export function uploadProgress(opts: { bars: boolean; quiet: boolean }): UploadProgress {
  if (opts.quiet)
    return { ...lineProgress(), note() {}, start() {}, fileSent() {}, processed() {} };
  return opts.bars && process.stderr.isTTY ? barProgress() : lineProgress();
}

function barProgress(): UploadProgress {
  const multi = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 30,
      autopadding: true,
      format: '{label} {bar} {percentage}% | {detail}',
    },
    cliProgress.Presets.shades_classic,
  );
  let upload: cliProgress.SingleBar | undefined;
  let processing: cliProgress.SingleBar | undefined;
  let totalBytes = 0;
  let totalFiles = 0;
  let sentBytes = 0;
  let sentFiles = 0;
  const uploadDetail = () => ({
    label: 'upload   ',
    detail: `${bytes(sentBytes)} / ${bytes(totalBytes)} | ${sentFiles}/${totalFiles} files`,
  });
  return {
    start(b, f) {
      totalBytes = b;
      totalFiles = f;
      upload = multi.create(Math.max(b, 1), 0, uploadDetail());
      processing = multi.create(f, 0, { label: 'processed', detail: `0/${f} files` });
    },
    sent(n) {
      sentBytes += n;
      upload?.update(sentBytes, uploadDetail());
    },
    fileSent(n) {
      sentFiles += n;
      upload?.update(sentBytes, uploadDetail());
    },
    processed(done, failed) {
      processing?.update(done, {
        label: 'processed',
        detail: `${done}/${totalFiles} files${failed ? `, ${failed} failed` : ''}`,
      });
    },
    note(message) {
      multi.log(`${message}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}

function lineProgress(): UploadProgress {
  let totalFiles = 0;
  let totalBytes = 0;
  let sentFiles = 0;
  let lastDone = -1;
  const say = (line: string) => process.stderr.write(`${line}\n`);
  return {
    start(b, f) {
      totalBytes = b;
      totalFiles = f;
      say(`uploading ${f} files (${bytes(b)})`);
    },
    sent() {},
    fileSent(n) {
      sentFiles += n;
      if (n > 0 && sentFiles === totalFiles)
        say(`uploaded ${sentFiles} files (${bytes(totalBytes)})`);
    },
    processed(done, failed) {
      if (done === lastDone) return;
      lastDone = done;
      // a line per tenth, not per file: CI logs stay short
      if (done === totalFiles || done % Math.max(1, Math.ceil(totalFiles / 10)) === 0)
        say(`processed ${done}/${totalFiles} files${failed ? `, ${failed} failed` : ''}`);
    },
    note: say,
    stop() {},
  };
}
