/**
 * Ingest throughput and memory on a ≥ 1 GB k6 NDJSON file and its gzip: the loader (on one thread and
 * by default), the whole `npm run analyze`, against baselines measured in the same run — reading the
 * bytes (`cat`, the I/O ceiling), Node's gunzip alone (the ceiling for gzip input) and the naive
 * readline + JSON.parse loader. Each variant runs in its own process (peak RSS is per process),
 * the variants alternate, medians over the rounds. The loader runs with its WebAssembly line scanner
 * and, as a baseline, without it (the JS reader). Goals (issue 10): `analyze` reads plain NDJSON at
 * ≥ 1 GB/s; on gzip it takes ≤ 1.25× gunzip's time.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import { median } from 'simple-statistics';
import { repoRoot } from '../scripts/lib/cli.ts';
import type { Mode, WorkerResult } from './ingest-worker.ts';
import { generateNdjson } from './ndjson-data.ts';

const execFileAsync = promisify(execFile);

interface Variant {
  readonly label: string;
  readonly mode: Mode;
  readonly gzip: boolean;
}

const VARIANTS: readonly Variant[] = [
  { label: 'read the bytes (cat)', mode: 'read', gzip: false },
  { label: 'naive (readline + JSON.parse)', mode: 'naive', gzip: false },
  { label: 'loader, one thread (default)', mode: 'loader-1', gzip: false },
  { label: 'loader, two threads', mode: 'loader-2', gzip: false },
  { label: 'loader, one thread, JS reader', mode: 'loader-1-js', gzip: false },
  { label: 'loader, two threads, JS reader', mode: 'loader-2-js', gzip: false },
  { label: 'npm run analyze', mode: 'analyze', gzip: false },
  { label: 'npm run analyze --threads 2', mode: 'analyze-2', gzip: false },
  { label: 'gunzip alone (node zlib)', mode: 'gunzip', gzip: true },
  { label: 'loader, one thread, gzip', mode: 'loader-1', gzip: true },
  { label: 'npm run analyze, gzip', mode: 'analyze', gzip: true },
  { label: 'npm run analyze --threads 2, gzip', mode: 'analyze-2', gzip: true },
];

export interface IngestBenchOptions {
  readonly bytes?: number;
  readonly rounds?: number;
  /** Only these modes (all by default). */
  readonly only?: readonly Mode[];
}

export async function ingestBench(options: IngestBenchOptions = {}): Promise<void> {
  const { bytes = 1.05e9, rounds = 3, only } = options;
  const dir = path.join(repoRoot, 'bench', 'data');
  mkdirSync(dir, { recursive: true });
  const plain = path.join(dir, `k6-${Math.round(bytes / 1e6)}mb.json`);
  if (!existsSync(plain) || statSync(plain).size < bytes) {
    process.stderr.write(`generating ${plain} (${(bytes / 1e9).toFixed(2)} GB of k6 NDJSON)…\n`);
    const made = generateNdjson(plain, bytes);
    process.stderr.write(`  ${made.requests} requests, ${(made.bytes / 1e9).toFixed(2)} GB\n`);
  }
  const gz = `${plain}.gz`;
  if (!existsSync(gz) || statSync(gz).mtimeMs < statSync(plain).mtimeMs) {
    process.stderr.write(`compressing it to ${gz} (gzip level 6, as k6's own .gz output)…\n`);
    await pipeline(createReadStream(plain), createGzip({ level: 6 }), createWriteStream(`${gz}.tmp`));
    renameSync(`${gz}.tmp`, gz);
  }
  const plainBytes = statSync(plain).size;
  const variants = VARIANTS.filter((v) => only === undefined || only.includes(v.mode));
  const results = variants.map(() => [] as WorkerResult[]);
  for (let round = 1; round <= rounds; round++) {
    for (const [i, variant] of variants.entries()) {
      const file = variant.gzip ? gz : plain;
      const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench', 'ingest-worker.ts'), variant.mode, file], {
        cwd: repoRoot,
        maxBuffer: 1 << 20,
      });
      const result = JSON.parse(stdout) as WorkerResult;
      results[i]?.push(result);
      process.stderr.write(`round ${round}/${rounds} ${variant.label}: ${(plainBytes / 1e6 / result.seconds).toFixed(0)} MB/s, peak RSS ${result.maxRssMb.toFixed(0)} MB\n`);
    }
  }
  const seconds = (label: string): number | null => {
    const i = variants.findIndex((v) => v.label === label);
    return i < 0 ? null : median((results[i] as WorkerResult[]).map((r) => r.seconds));
  };
  const rate = (s: number | null): string => (s === null ? '—' : (plainBytes / 1e6 / s).toFixed(0));
  const ratio = (a: number | null, b: number | null): string => (a === null || b === null ? '—' : `${(a / b).toFixed(2)}×`);
  const goal = (s: number, met: (s: number) => boolean): string => (!Number.isFinite(s) ? '—' : met(s) ? 'met' : 'NOT met');
  const lines = [
    `ingest · ${(plainBytes / 1e9).toFixed(2)} GB k6 NDJSON (gzip ${(statSync(gz).size / 1e6).toFixed(0)} MB) · ${os.availableParallelism()} cores · node ${process.version} · ${rounds} rounds, medians`,
    '',
    `${'variant'.padEnd(34)}${'MB/s'.padStart(8)}${'s'.padStart(8)}${'peak RSS MB'.padStart(14)}`,
    ...variants.map((v, i) => {
      const rs = results[i] as WorkerResult[];
      const s = median(rs.map((r) => r.seconds));
      return `${v.label.padEnd(34)}${rate(s).padStart(8)}${s.toFixed(2).padStart(8)}${Math.max(...rs.map((r) => r.maxRssMb)).toFixed(0).padStart(14)}`;
    }),
    '',
    '(MB/s of the uncompressed NDJSON for every variant.)',
  ];
  const naive = seconds('naive (readline + JSON.parse)');
  const cat = seconds('read the bytes (cat)');
  const gunzip = seconds('gunzip alone (node zlib)');
  const loader = seconds('loader, one thread (default)');
  const loader2 = seconds('loader, two threads');
  const analyze = seconds('npm run analyze');
  const analyze2 = seconds('npm run analyze --threads 2');
  const analyzeGz = seconds('npm run analyze, gzip');
  const analyze2Gz = seconds('npm run analyze --threads 2, gzip');
  const loaderGz = seconds('loader, one thread, gzip');
  const loaderJs = seconds('loader, one thread, JS reader');
  const loader2Js = seconds('loader, two threads, JS reader');
  lines.push(
    `loader: ${ratio(naive, loader)} the naive baseline's speed (two threads ${ratio(naive, loader2)}), ${ratio(loader, cat)} the time of reading the bytes`,
    `WebAssembly scanner: ${ratio(loaderJs, loader)} the JS reader's speed (two threads ${ratio(loader2Js, loader2)})`,
    `npm run analyze: ${rate(analyze)} MB/s, --threads 2 ${rate(analyze2)} MB/s (goal ≥ 1000 MB/s: ${goal(Math.min(analyze ?? Infinity, analyze2 ?? Infinity), (s) => plainBytes / 1e6 / s >= 1000)}), ${ratio(naive, analyze)} the naive baseline's speed`,
    `gzip: the loader takes ${ratio(loaderGz, gunzip)} gunzip's time, npm run analyze ${ratio(analyzeGz, gunzip)}, --threads 2 ${ratio(analyze2Gz, gunzip)} (goal ≤ 1.25×: ${goal(Math.min(analyzeGz ?? Infinity, analyze2Gz ?? Infinity), (s) => gunzip !== null && s / gunzip <= 1.25)})`,
  );
  // Every loader must read the same samples with the same p95.
  const loaders = results.flat().filter((r) => r.samples !== null);
  const agree = loaders.every((r) => r.samples === loaders[0]?.samples && Math.abs((r.p95 as number) - (loaders[0]?.p95 as number)) <= 1e-9 * Math.abs(loaders[0]?.p95 as number));
  lines.push(`same samples and p95 from every loader: ${loaders.length === 0 ? '—' : agree ? 'yes' : 'NO'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
