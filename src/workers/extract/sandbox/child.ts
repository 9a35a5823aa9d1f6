// A sandbox child: extracts one file at a time for the pool in its parent. It has its own heap
// cap (--max-old-space-size) and is killed by the parent on timeout or when it grows too large,
// so a hostile file costs at most this process.
import { getResolvedPDFJS } from 'unpdf';
import { ContentError } from '../../../shared/errors.js';
import { extractDocument } from '../extract-document.js';
import type { SandboxRequest, SandboxResponse } from './protocol.js';

// pdf.js and friends warn on the console; the parent owns logging
console.log = console.warn = console.info = () => undefined;

process.on('message', (req: SandboxRequest) => {
  void (async () => {
    let res: SandboxResponse;
    try {
      const { format, text } = await extractDocument(
        Buffer.from(req.bytes),
        req.fileName,
        req.limits,
      );
      res = { id: req.id, status: 'ok', format, text };
    } catch (err) {
      res =
        err instanceof ContentError
          ? { id: req.id, status: 'failed', code: err.code, message: err.message }
          : { id: req.id, status: 'crashed', message: (err as Error).message };
    }
    process.send!(res);
  })();
});
process.on('disconnect', () => process.exit(0));
// load pdf.js before saying ready, so the first PDF does not pay for it
await getResolvedPDFJS();
process.send!({ ready: true });
