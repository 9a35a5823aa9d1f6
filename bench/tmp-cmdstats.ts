import { startBenchFleet } from './lib/fleet.js';
import { runBatches } from './lib/client.js';
import { words } from './lib/corpus.js';
const fleet = await startBenchFleet(['web', 'extractor', 'lifecycle']);
const txt = (b: number, i: number) => ({ name: `e-${b}-${i}.txt`, type: 'text/plain', content: Buffer.from(`Essay ${b}.${i}. ${words(300, b * 31 + i)}.`) });
await runBatches({ url: fleet.url, batches: 4, filesPerBatch: 30, inFlight: 4, file: txt });
const parse = (s: string) => Object.fromEntries(s.split('\n').filter((l) => l.startsWith('cmdstat_')).map((l) => { const m = /cmdstat_([^:]+):calls=(\d+)/.exec(l)!; return [m[1], Number(m[2])]; }));
const before = parse(await fleet.redis.info('commandstats'));
const files = 300;
await runBatches({ url: fleet.url, batches: files / 30, filesPerBatch: 30, inFlight: 8, file: txt });
const after = parse(await fleet.redis.info('commandstats'));
const rows = Object.keys(after).map((k) => [k, ((after[k] - (before[k] ?? 0)) / files)] as const).filter(([, v]) => v > 0.05).sort((a, b) => b[1] - a[1]);
let total = 0; for (const [k, v] of rows) { total += v; console.log(k.padEnd(20), v.toFixed(2)); }
console.log('total', total.toFixed(1));
await fleet.stop();
