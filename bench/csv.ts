/**
 * k6 CSV ingest speed (issue 10: the CSV loader reads at least 100 MB/s). On one generated k6 CSV of a
 * few hundred MB and its gzip copy, each measurement in its own process (bench/csv-worker.ts), rounds
 * alternating, medians:
 *   - the loader (analysis/ingest/k6-csv.ts) into an Aggregator, on the plain and on the gzip file;
 *   - the csv-parse loader it replaced (bench/csv-baseline.ts), on the plain file: the baseline;
 *   - the bytes alone through the loader's reader: `cat` (plain), gunzip alone (gzip): the ceilings.
 * MB/s count CSV bytes (after gunzip), so every line is comparable. The machine may be shared: the
 * ratios are what carries over, each measured against its baseline in the same round, and MB/CPU-s
 * (MB per second of the worker's user + system CPU time, all threads: zlib's included) shows the cost
 * without the waits for a core.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { median } from 'simple-statistics';
import { repoRoot } from '../scripts/lib/cli.ts';
import { generateCsv } from './csv-data.ts';
import type { CsvMode, CsvResult } from './csv-worker.ts';

const execFileAsync = promisify(execFile);

/** The goal of issue 10 for the loader on a plain file, in MB/s. */
const GOAL_MB_S = 100;

interface Run {
  readonly name: string;
  readonly mode: CsvMode;
  readonly gzip: boolean;
}

const RUNS: readonly Run[] = [
  { name: 'loader (analysis/ingest/k6-csv.ts)', mode: 'scanner', gzip: false },
  { name: 'csv-parse loader (the old one)', mode: 'baseline', gzip: false },
  { name: 'cat (readChunks, bytes only)', mode: 'raw', gzip: false },
  { name: 'loader, gzip file', mode: 'scanner', gzip: true },
  { name: 'gunzip alone (readChunks)', mode: 'raw', gzip: true },
];

export async function csvBench({ bytes = 300e6, rounds = 3 }: { bytes?: number; rounds?: number } = {}): Promise<void> {
  const dir = path.join(repoRoot, 'bench', 'data');
  mkdirSync(dir, { recursive: true });
  const plain = path.join(dir, `k6-${Math.round(bytes / 1e6)}mb.csv`);
  const gzip = `${plain}.gz`;
  if (!existsSync(plain) || statSync(plain).size < bytes) {
    process.stderr.write(`generating ${plain} (${(bytes / 1e6).toFixed(0)} MB of k6 CSV)…\n`);
    const made = generateCsv(plain, bytes);
    process.stderr.write(`  ${made.requests} requests, ${(made.bytes / 1e6).toFixed(0)} MB\n`);
  } else {
    process.stderr.write(`reusing ${plain}\n`);
  }
  if (!existsSync(gzip) || statSync(gzip).mtimeMs < statSync(plain).mtimeMs) {
    process.stderr.write(`compressing to ${gzip} (zlib's default level, as k6's gzip output)…\n`);
    await pipeline(createReadStream(plain), createGzip(), createWriteStream(gzip));
  }

  const results = new Map<Run, CsvResult[]>(RUNS.map((run) => [run, []]));
  // Wall-clock MB/s depend on what else the machine runs: its load is printed with them.
  const loadBefore = os.loadavg()[0]!;
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order too, so no variant always runs right after the same one.
    const order = round % 2 === 1 ? RUNS : [...RUNS].reverse();
    for (const run of order) {
      const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench', 'csv-worker.ts'), run.mode, run.gzip ? gzip : plain], {
        cwd: repoRoot,
        maxBuffer: 1 << 20,
      });
      const result = JSON.parse(stdout) as CsvResult;
      results.get(run)!.push(result);
      process.stderr.write(
        `round ${round}/${rounds} ${run.name}: ${mbPerS(result).toFixed(0)} MB/s (${mbPerCpuS(result).toFixed(0)} per CPU second), peak RSS ${result.maxRssMb.toFixed(0)} MB\n`,
      );
    }
  }

  const wall = (run: Run): number => median(results.get(run)!.map(mbPerS));
  const cpu = (run: Run): number => median(results.get(run)!.map(mbPerCpuS));
  const rss = (run: Run): number => Math.max(...results.get(run)!.map((r) => r.maxRssMb));
  /** Median over rounds of the per-round ratio a/b (both measured in the same round). */
  const ratio = (a: Run, b: Run): number => {
    const as = results.get(a)!;
    const bs = results.get(b)!;
    return median(as.map((r, i) => mbPerS(r) / mbPerS(bs[i]!)));
  };
  const [loader, baseline, cat, loaderGz, gunzip] = RUNS as [Run, Run, Run, Run, Run];
  const first = results.get(loader)![0]!;
  const agree = [baseline, loaderGz].every((run) => results.get(run)!.every((r) => r.digest === first.digest && r.rows === first.rows));
  const plainMb = first.bytes / 1e6;
  const gzipMb = statSync(gzip).size / 1e6;
  const lines = [
    `csv · ${plainMb.toFixed(0)} MB k6 CSV (${gzipMb.toFixed(0)} MB gzip; ${first.rows} rows, ${first.groups} groups) · ` +
      `${os.availableParallelism()} cores (load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0]!.toFixed(1)} after) · ` +
      `node ${process.version} · ${rounds} rounds, medians`,
    '',
    `${'reader'.padEnd(40)}${'MB/s'.padStart(8)}${'MB/CPU-s'.padStart(10)}${'peak RSS MB'.padStart(13)}`,
    ...RUNS.map((run) => `${run.name.padEnd(40)}${wall(run).toFixed(0).padStart(8)}${cpu(run).toFixed(0).padStart(10)}${rss(run).toFixed(0).padStart(13)}`),
    '',
    `loader vs csv-parse loader: ${ratio(loader, baseline).toFixed(2)}×; vs cat: ${ratio(loader, cat).toFixed(2)}×; ` +
      `gzip loader vs gunzip alone: ${ratio(loaderGz, gunzip).toFixed(2)}×`,
    `goal ≥ ${GOAL_MB_S} MB/s on the plain file: ${wall(loader) >= GOAL_MB_S ? 'met' : 'NOT met'} (${wall(loader).toFixed(0)} MB/s); ` +
      `same aggregates as the csv-parse loader and on the gzip file: ${agree ? 'yes' : 'NO'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function mbPerS(result: CsvResult): number {
  return result.bytes / 1e6 / result.seconds;
}

function mbPerCpuS(result: CsvResult): number {
  return result.bytes / 1e6 / result.cpuSeconds;
}
