// The upload benchmark's baseline: a bare busboy-to-disk handler, each file piped to its own
// file, answering when all are written (`?fsync=1`: and flushed to disk, as the fleet does).
//   node --import tsx bench/lib/bare-upload-server.ts DIR
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';

const dir = process.argv[2]!;
let n = 0;
const server = http.createServer((req, res) => {
  const writes: Promise<void>[] = [];
  const durable = req.url?.includes('fsync=1');
  const bb = busboy({ headers: req.headers });
  bb.on('file', (_name, stream) => {
    const file = path.join(dir, `${n++}.part`);
    writes.push(
      pipeline(stream, createWriteStream(file)).then(async () => {
        if (!durable) return;
        const fh = await open(file, 'r');
        await fh.sync();
        await fh.close();
      }),
    );
  });
  bb.on('close', () => {
    void Promise.all(writes).then(() => res.writeHead(202).end('{}'));
  });
  req.pipe(bb);
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address() as { port: number };
  console.log(`listening on ${addr.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
