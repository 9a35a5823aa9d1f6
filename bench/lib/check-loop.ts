// The spellcheck baseline's thread: the checker called directly in a loop, with a heap of its own
// like the worker's checker thread, so the two differ only by the queue around the checker.
import { parentPort } from 'node:worker_threads';
import { SpellChecker } from '../../src/workers/spellcheck/checker.js';

const checker = await SpellChecker.load();
parentPort!.on('message', ({ texts, essays }: { texts: string[]; essays: number }) => {
  const started = performance.now();
  for (let i = 0; i < essays; i++) checker.check(texts[i % texts.length]!, 'en');
  parentPort!.postMessage({ seconds: (performance.now() - started) / 1000 });
});
parentPort!.postMessage({ ready: true });
