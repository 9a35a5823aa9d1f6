import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { LocalFile } from './files.js';

/** A file name inside a quoted multipart parameter, as browsers write it (raw UTF-8). */
const quoted = (name: string) =>
  name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/**
 * One upload request's body, streamed from disk: a `batch_id` field first (the API wants it
 * before any file), then one `files` part per file. Its exact length is known before the first
 * byte, so the server can refuse an oversized request at once. `onBytes` hears every chunk sent,
 * `onFile` each file once its last byte is handed over.
 */
export function multipartBody(
  batchId: string,
  files: LocalFile[],
  progress: { onBytes(n: number): void; onFile(file: LocalFile): void },
) {
  const boundary = `essay-intake-${randomBytes(12).toString('hex')}`;
  const enc = new TextEncoder();
  const field = enc.encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="batch_id"\r\n\r\n${batchId}\r\n`,
  );
  const heads = files.map((f) =>
    enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${quoted(f.name)}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
  );
  const crlf = enc.encode('\r\n');
  const end = enc.encode(`--${boundary}--\r\n`);
  const length =
    field.length +
    heads.reduce((n, h) => n + h.length, 0) +
    files.reduce((n, f) => n + f.size + crlf.length, 0) +
    end.length;

  async function* parts(): AsyncGenerator<Uint8Array> {
    yield field;
    for (const [i, file] of files.entries()) {
      yield heads[i]!;
      for await (const chunk of createReadStream(file.path, { highWaterMark: 256 * 1024 })) {
        progress.onBytes((chunk as Buffer).length);
        yield new Uint8Array(chunk as Buffer);
      }
      yield crlf;
      progress.onFile(file);
    }
    yield end;
  }
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    body: ReadableStream.from(parts()),
  };
}
