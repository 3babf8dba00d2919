/**
 * One measured variant of the ingest benchmark, in its own process so that its peak RSS is its own:
 * prints one JSON line.
 *   node --import tsx bench/ingest-worker.ts MODE FILE
 * MODE: read (the bytes, as `cat` would: the I/O ceiling), gunzip (Node's zlib alone), naive
 * (readline + JSON.parse), loader-1 / loader-2 (analysis/ingest/k6-ndjson.ts on one thread, its
 * default, or two), analyze / analyze-2 (the whole `npm run analyze`, report files included, with
 * `--threads 2` for the second).
 */
import { closeSync, createReadStream, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import { Aggregator, groupTotals } from '../analysis/ingest/aggregate.ts';
import { loadK6Ndjson } from '../analysis/ingest/k6-ndjson.ts';
import { runCli } from '../analysis/cli.ts';
import { LogHistogram } from '../analysis/stats/log-histogram.ts';
import { naiveNdjson } from './naive-ndjson.ts';

export const MODES = ['read', 'gunzip', 'naive', 'loader-1', 'loader-2', 'analyze', 'analyze-2'] as const;
export type Mode = (typeof MODES)[number];

export interface WorkerResult {
  readonly mode: Mode;
  readonly file: string;
  /** Bytes of NDJSON read (decompressed for gzip files). */
  readonly bytes: number;
  readonly seconds: number;
  /** Loaders: samples and the p95 of every request's duration, which all loaders must agree on. */
  readonly samples: number | null;
  readonly p95: number | null;
  readonly maxRssMb: number;
}

async function measure(mode: Mode, file: string): Promise<WorkerResult> {
  const started = performance.now();
  let bytes = 0;
  let aggregator: Aggregator | null = null;
  if (mode === 'read') {
    const fd = openSync(file, 'r');
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) bytes += n;
    closeSync(fd);
  } else if (mode === 'gunzip') {
    for await (const chunk of createReadStream(file).pipe(createGunzip({ chunkSize: 1 << 18 }))) bytes += (chunk as Buffer).length;
  } else if (mode === 'analyze' || mode === 'analyze-2') {
    const out = mkdtempSync(path.join(os.tmpdir(), 'k6-capacity-bench-report-'));
    try {
      const result = await runCli([file, '--out', out, ...(mode === 'analyze-2' ? ['--threads', '2'] : [])], { cwd: process.cwd(), stdout: () => {}, stderr: () => {} });
      if (result.exitCode !== 0) throw new Error(`analyze exited ${result.exitCode}`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  } else {
    aggregator = new Aggregator();
    if (mode === 'naive') await naiveNdjson(file, aggregator);
    else await loadK6Ndjson(file, aggregator, { workers: mode === 'loader-2' ? 2 : 1 });
  }
  const seconds = (performance.now() - started) / 1000;
  let samples: number | null = null;
  let p95: number | null = null;
  if (aggregator !== null) {
    samples = 0;
    const duration = new LogHistogram();
    for (const group of aggregator.groups()) {
      samples += groupTotals(group).count;
      if (group.metric !== 'http_req_duration') continue;
      for (const stats of group.buckets.values()) if (stats.hist !== null) duration.merge(stats.hist);
    }
    p95 = duration.quantile(0.95);
  }
  return { mode, file, bytes, seconds, samples, p95, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

const [mode, file] = process.argv.slice(2);
if (!MODES.includes(mode as Mode) || file === undefined) {
  process.stderr.write(`usage: ingest-worker.ts ${MODES.join('|')} FILE\n`);
  process.exit(1);
}
const result = await measure(mode as Mode, file);
process.stdout.write(`${JSON.stringify({ ...result, bytes: result.bytes || statSync(file).size })}\n`);
