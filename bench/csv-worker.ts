/**
 * One measured read of a k6 CSV file, in its own process (a fresh heap and its own peak RSS): prints
 * one JSON line.
 *   node --import tsx bench/csv-worker.ts scanner|baseline|raw FILE
 * `scanner` is analysis/ingest/k6-csv.ts, `baseline` the csv-parse loader it replaced
 * (bench/csv-baseline.ts), both into an Aggregator; `raw` only pulls the file's bytes through
 * `readChunks`, the loader's own reader: `cat` for a plain file, gunzip alone for a gzip one.
 */
import { createHash } from 'node:crypto';
import { Aggregator } from '../analysis/ingest/aggregate.ts';
import { loadK6Csv } from '../analysis/ingest/k6-csv.ts';
import { readChunks } from '../analysis/ingest/open.ts';
import { loadK6CsvBaseline } from './csv-baseline.ts';

export type CsvMode = 'scanner' | 'baseline' | 'raw';

export interface CsvResult {
  readonly mode: CsvMode;
  /** Bytes of CSV read (after gunzip). */
  readonly bytes: number;
  readonly seconds: number;
  /** CPU time (user + system) of the read: less disturbed than wall time on a shared machine. */
  readonly cpuSeconds: number;
  /** Rows the loader read (its report's `lines`). */
  readonly rows: number;
  /** Samples in the aggregates (the Aggregator may keep some metrics without time buckets). */
  readonly samples: number;
  readonly groups: number;
  /** A hash of every group's metric, tag key and bucket statistics: equal when the loaders agree. */
  readonly digest: string;
  readonly maxRssMb: number;
}

const [mode, file] = process.argv.slice(2);
if ((mode !== 'scanner' && mode !== 'baseline' && mode !== 'raw') || file === undefined) {
  process.stderr.write('usage: csv-worker.ts scanner|baseline|raw FILE\n');
  process.exit(1);
}
const aggregator = new Aggregator();
let bytes = 0;
let rows = 0;
const started = performance.now();
const cpuStarted = process.cpuUsage();
if (mode === 'raw') {
  for await (const chunk of readChunks(file)) bytes += chunk.length;
} else {
  const report = mode === 'scanner' ? await loadK6Csv(file, aggregator) : await loadK6CsvBaseline(file, aggregator);
  rows = report.lines;
  if (report.problems_total > 0) throw new Error(`csv-worker: ${mode} found ${report.problems_total} problems in \`${file}\`: expected none`);
}
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuStarted);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
if (mode !== 'raw') for await (const chunk of readChunks(file)) bytes += chunk.length;

let samples = 0;
const hash = createHash('sha1');
const groups = aggregator.groups();
for (const group of [...groups].sort((a, b) => (a.metric + a.tagsKey < b.metric + b.tagsKey ? -1 : 1))) {
  hash.update(`${group.metric}\u0000${group.tagsKey}\n`);
  for (const [bucket, stats] of [...group.buckets].sort((a, b) => a[0] - b[0])) {
    samples += stats.count;
    hash.update(`${bucket} ${stats.count} ${stats.sum} ${stats.min} ${stats.max} ${stats.nonzero} ${stats.last}\n`);
  }
}
const result: CsvResult = {
  mode,
  bytes,
  seconds,
  cpuSeconds,
  rows,
  samples,
  groups: groups.length,
  digest: hash.digest('hex'),
  maxRssMb: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
