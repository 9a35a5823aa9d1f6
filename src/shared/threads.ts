import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on `entry`, the URL of a module next to the caller, named without its
 * extension: `new URL('./checker-thread', import.meta.url)`. Built code runs the .js file. Run
 * from TypeScript sources (tests and benchmarks under tsx), the thread loads the .ts file
 * through tsx's API: tsx's loader flags do not take effect in a worker thread on Node 20.
 */
export function startThread(entry: URL, callerUrl: string, options: WorkerOptions = {}): Worker {
  const ext = fileURLToPath(callerUrl).endsWith('.ts') ? '.ts' : '.js';
  const url = `${entry.href}${ext}`;
  if (ext === '.js') return new Worker(new URL(url), options);
  // tsx's ESM API: its package exports map gives require() the CommonJS build, which will not do
  const tsxRoot = path.dirname(createRequire(callerUrl).resolve('tsx/package.json'));
  const tsx = pathToFileURL(path.join(tsxRoot, 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((t) => t.tsImport(${JSON.stringify(url)}, ${JSON.stringify(url)}))`;
  return new Worker(boot, { ...options, eval: true });
}
