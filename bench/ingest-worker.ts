/**
 * One measured variant of the ingest benchmark, in its own process so that its peak RSS is its own:
 * prints one JSON line.
 *   node --import tsx bench/ingest-worker.ts MODE FILE
 * MODE: read (the bytes, as `cat` would: the I/O ceiling), gunzip (Node's zlib alone), naive
 * (readline + JSON.parse), loader-1 / loader-2 (analysis/ingest/k6-ndjson.ts on one thread, its
 * default, or two), loader-1-js / loader-2-js (the same without the WebAssembly scanner: every line
 * read by the JS path), analyze / analyze-2 (the whole `npm run analyze` as package.json runs it, in
 * its own process, start-up and report files included, with `--threads 2` for the second).
 */
import { execFile } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import { Aggregator, groupTotals } from '../analysis/ingest/aggregate.ts';
import { loadK6Ndjson } from '../analysis/ingest/k6-ndjson.ts';
import { LogHistogram } from '../analysis/stats/log-histogram.ts';
import { repoRoot } from '../scripts/lib/cli.ts';
import { naiveNdjson } from './naive-ndjson.ts';

const execFileAsync = promisify(execFile);

/** Node's arguments for `npm run analyze`, from package.json (`exec node FLAGS… PROGRAM…`). */
export function analyzeCommand(): string[] {
  const script = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.analyze ?? '';
  const words = script.split(/\s+/);
  if (words[0] !== 'exec' || words[1] !== 'node') throw new Error(`bench: package.json's analyze script is \`${script}\`: expected \`exec node …\``);
  return words.slice(2);
}

export const MODES = ['read', 'gunzip', 'naive', 'loader-1', 'loader-2', 'loader-1-js', 'loader-2-js', 'analyze', 'analyze-2'] as const;
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
  let childRssMb: number | null = null;
  if (mode === 'read') {
    const fd = openSync(file, 'r');
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) bytes += n;
    closeSync(fd);
  } else if (mode === 'gunzip') {
    for await (const chunk of createReadStream(file).pipe(createGunzip({ chunkSize: 1 << 18 }))) bytes += (chunk as Buffer).length;
  } else if (mode === 'analyze' || mode === 'analyze-2') {
    // The command a user runs, as package.json starts it (its Node flags, the bundled program), in a
    // process of its own: start-up and the report files are part of the time, and its peak RSS is
    // GNU time's %M of that process.
    const out = mkdtempSync(path.join(os.tmpdir(), 'k6-capacity-bench-report-'));
    try {
      const { stderr } = await execFileAsync('/usr/bin/time', ['-f', 'peak-kb %M', process.execPath, ...analyzeCommand(), file, '--out', out, ...(mode === 'analyze-2' ? ['--threads', '2'] : [])], {
        cwd: repoRoot,
        maxBuffer: 1 << 22,
      });
      const peak = /peak-kb (\d+)/.exec(stderr);
      if (peak === null) throw new Error(`analyze: no peak RSS from GNU time in \`${stderr.slice(-200)}\``);
      childRssMb = Number(peak[1]) / 1024;
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  } else {
    aggregator = new Aggregator();
    if (mode === 'naive') await naiveNdjson(file, aggregator);
    else await loadK6Ndjson(file, aggregator, { workers: mode.startsWith('loader-2') ? 2 : 1, wasm: !mode.endsWith('-js') });
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
  return { mode, file, bytes, seconds, samples, p95, maxRssMb: childRssMb ?? process.resourceUsage().maxRSS / 1024 };
}

const [mode, file] = process.argv.slice(2);
if (!MODES.includes(mode as Mode) || file === undefined) {
  process.stderr.write(`usage: ingest-worker.ts ${MODES.join('|')} FILE\n`);
  process.exit(1);
}
const result = await measure(mode as Mode, file);
process.stdout.write(`${JSON.stringify({ ...result, bytes: result.bytes || statSync(file).size })}\n`);
