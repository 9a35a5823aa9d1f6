import { Redis } from 'ioredis';
import { runBareFlow } from './lib/bare-flow.js';
import { startRedisServer } from '../src/shared/redis-server.js';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bare-'));
const server = await startRedisServer({ dir, appendOnly: true });
const r = new Redis(server.url);
for (const mode of ['bare', 'design'] as const) {
  await runBareFlow(server.url, { batches: 4, filesPerBatch: 30, inFlight: 4, mode });
  const before = Number(/total_commands_processed:(\d+)/.exec(await r.info('stats'))![1]);
  await runBareFlow(server.url, { batches: 10, filesPerBatch: 30, inFlight: 8, mode });
  const after = Number(/total_commands_processed:(\d+)/.exec(await r.info('stats'))![1]);
  console.log(mode, ((after - before) / 300).toFixed(1), 'commands per file');
}
await r.quit(); await server.stop(); fs.rmSync(dir, { recursive: true, force: true });
