/**
 * Ingest throughput and memory: the streaming NDJSON loader against the naive baseline on the same
 * ≥ 1 GB k6 output, each in its own process (peak RSS measured per process), alternating.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { median } from 'simple-statistics';
import { repoRoot } from '../scripts/lib/cli.ts';
import { generateNdjson } from './ndjson-data.ts';

const execFileAsync = promisify(execFile);

interface Result {
  mode: 'fast' | 'naive';
  bytes: number;
  seconds: number;
  samples: number;
  groups: number;
  p95: number;
  maxRssMb: number;
}

export async function ingestBench({ bytes = 1.05e9, rounds = 3 }: { bytes?: number; rounds?: number } = {}): Promise<void> {
  const dir = path.join(repoRoot, 'bench', 'data');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `k6-${Math.round(bytes / 1e6)}mb.json`);
  if (!existsSync(file) || statSync(file).size < bytes) {
    process.stderr.write(`generating ${file} (${(bytes / 1e9).toFixed(2)} GB of k6 NDJSON)…\n`);
    const made = generateNdjson(file, bytes);
    process.stderr.write(`  ${made.requests} requests, ${(made.bytes / 1e9).toFixed(2)} GB\n`);
  } else {
    process.stderr.write(`reusing ${file}\n`);
  }
  const results: Result[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const mode of ['fast', 'naive'] as const) {
      const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench', 'ingest-worker.ts'), mode, file], {
        cwd: repoRoot,
        maxBuffer: 1 << 20,
      });
      const result = JSON.parse(stdout) as Result;
      results.push(result);
      process.stderr.write(
        `round ${round}/${rounds} ${mode}: ${(result.bytes / 1e6 / result.seconds).toFixed(0)} MB/s, peak RSS ${result.maxRssMb.toFixed(0)} MB\n`,
      );
    }
  }
  const of = (mode: Result['mode']): Result[] => results.filter((r) => r.mode === mode);
  const fast = of('fast');
  const naive = of('naive');
  const rate = (rs: Result[]): number => median(rs.map((r) => r.bytes / 1e6 / r.seconds));
  const rss = (rs: Result[]): number => Math.max(...rs.map((r) => r.maxRssMb));
  const [f0, n0] = [fast[0] as Result, naive[0] as Result];
  const agree = f0.samples === n0.samples && Math.abs(f0.p95 - n0.p95) <= 1e-9 * Math.abs(n0.p95);
  const lines = [
    `ingest · ${(f0.bytes / 1e9).toFixed(2)} GB k6 NDJSON (${f0.samples} samples, ${f0.groups} groups) · ${os.availableParallelism()} cores · node ${process.version} · ${rounds} rounds, medians`,
    '',
    `${'loader'.padEnd(40)}${'MB/s'.padStart(8)}${'peak RSS MB'.padStart(14)}`,
    `${'naive (readline + JSON.parse)'.padEnd(40)}${rate(naive).toFixed(0).padStart(8)}${rss(naive).toFixed(0).padStart(14)}`,
    `${'streaming (analysis/ingest/k6-ndjson.ts)'.padEnd(40)}${rate(fast).toFixed(0).padStart(8)}${rss(fast).toFixed(0).padStart(14)}`,
    '',
    `speed-up: ${(rate(fast) / rate(naive)).toFixed(2)}× (goal ≥ 5×: ${rate(fast) / rate(naive) >= 5 ? 'met' : 'NOT met'}); ` +
      `peak RSS ${rss(fast).toFixed(0)} MB (goal < 300 MB: ${rss(fast) < 300 ? 'met' : 'NOT met'}); ` +
      `same samples and p95 as the baseline: ${agree ? 'yes' : 'NO'}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
