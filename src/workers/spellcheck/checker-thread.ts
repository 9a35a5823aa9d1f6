// The spellcheck thread: loads the dictionaries once and checks texts the main thread sends.
import { parentPort, workerData } from 'node:worker_threads';
import { SpellChecker, type CheckerOptions } from './checker.js';
import type { CheckReply, CheckRequest } from './checker-thread-protocol.js';

const port = parentPort!;
const checker = await SpellChecker.load(
  (workerData as { options?: Partial<CheckerOptions> })?.options,
);
port.on('message', (req: CheckRequest) => {
  port.postMessage({ started: req.id }); // the main thread's time limit starts now
  let reply: CheckReply;
  try {
    reply = { id: req.id, result: checker.check(req.text, req.language) };
  } catch (err) {
    reply = { id: req.id, error: (err as Error).message };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
