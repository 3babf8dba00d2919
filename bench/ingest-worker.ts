/**
 * One measured ingest, in its own process so its peak RSS is its own: prints one JSON line.
 *   node --import tsx bench/ingest-worker.ts fast|naive FILE
 */
import { statSync } from 'node:fs';
import { Aggregator } from '../analysis/ingest/aggregate.ts';
import { loadK6Ndjson } from '../analysis/ingest/k6-ndjson.ts';
import { LogHistogram } from '../analysis/stats/log-histogram.ts';
import { naiveNdjson } from './naive-ndjson.ts';

const [mode, file] = process.argv.slice(2);
if ((mode !== 'fast' && mode !== 'naive') || file === undefined) {
  process.stderr.write('usage: ingest-worker.ts fast|naive FILE\n');
  process.exit(1);
}
const aggregator = new Aggregator();
const started = performance.now();
if (mode === 'fast') await loadK6Ndjson(file, aggregator);
else await naiveNdjson(file, aggregator);
const seconds = (performance.now() - started) / 1000;

// What both must agree on: the sample count and the p95 of every request's duration.
let samples = 0;
const duration = new LogHistogram();
for (const group of aggregator.groups()) {
  for (const stats of group.buckets.values()) {
    samples += stats.count;
    if (group.metric === 'http_req_duration' && stats.hist !== null) duration.merge(stats.hist);
  }
}
process.stdout.write(
  `${JSON.stringify({
    mode,
    bytes: statSync(file).size,
    seconds,
    samples,
    groups: aggregator.groups().length,
    p95: duration.quantile(0.95),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
