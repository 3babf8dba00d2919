/**
 * Peak memory of `npm run analyze` against the 200 MB budget, whatever the length of the run: on
 * generated k6 outputs of about the same size but very different lengths (1 hour at 120 req/s, 24
 * hours at 5 req/s), on a 24-run matrix folder, and on a tiny real run (the fixed cost of Node, tsx,
 * the loaders and the renderers). Each is one `npm run analyze` under `/usr/bin/time -f %M` (GNU time:
 * the peak resident set size of the largest process, worker threads included).
 *
 *   npm run bench -- memory
 *   node --import tsx bench/memory.ts --scale 0.1     shorter runs (6 min, 2.4 h, 30 s levels) while developing
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { fail, isMain, repoRoot } from '../scripts/lib/cli.ts';
import { generateNdjson } from './ndjson-data.ts';

const execFileAsync = promisify(execFile);

/** The goal of the issue: peak RSS of an analysis at or below this, whatever the input. */
export const MEMORY_BUDGET_MB = 200;

interface Case {
  readonly name: string;
  readonly input: string;
  readonly describe: string;
}

interface Measured {
  readonly name: string;
  readonly describe: string;
  readonly bytes: number;
  readonly runs: number;
  readonly buckets: string;
  readonly peakMb: number;
  readonly seconds: number;
}

export async function memoryBench({ scale = 1 }: { scale?: number } = {}): Promise<void> {
  const dir = path.join(repoRoot, 'bench', 'data');
  mkdirSync(dir, { recursive: true });
  const tag = scale === 1 ? '' : `-x${scale}`;
  const single = (name: string, rate: number, seconds: number): string => {
    const file = path.join(dir, `memory-${name}${tag}.json`);
    if (!existsSync(file)) {
      process.stderr.write(`generating ${path.relative(repoRoot, file)} (${seconds} s at ${rate} req/s)…\n`);
      generateNdjson(file, Number.POSITIVE_INFINITY, { rate, seconds, runId: `memory-${name}` });
    }
    return file;
  };
  const matrix = (): string => {
    const folder = path.join(dir, `memory-matrix-24${tag}`);
    const done = path.join(folder, '.complete');
    if (!existsSync(done)) {
      process.stderr.write(`generating ${path.relative(repoRoot, folder)} (24 levels of ${Math.round(300 * scale)} s, 5 to 120 req/s)…\n`);
      for (let i = 1; i <= 24; i++) {
        const rate = 5 * i;
        const level = path.join(folder, `tps-${String(rate).padStart(3, '0')}`);
        mkdirSync(level, { recursive: true });
        generateNdjson(path.join(level, 'k6.json'), Number.POSITIVE_INFINITY, { rate, seconds: 300 * scale, seed: i, runId: `matrix-tps-${rate}` });
      }
      // Marks a matrix written to the end, so an interrupted generation is not reused.
      writeFileSync(done, '');
    }
    return folder;
  };
  const cases: Case[] = [
    { name: 'tiny real run', input: path.join(repoRoot, 'results-samples', 'demo', 'r1-tps-50', 'k6.json.gz'), describe: 'results-samples/demo r1-tps-50 (12 s, 50 req/s)' },
    { name: '1 h at 120 req/s', input: single('1h-120rps', 120, 3600 * scale), describe: `${3600 * scale} s at 120 req/s` },
    { name: '24 h at 5 req/s', input: single('24h-5rps', 5, 86_400 * scale), describe: `${86_400 * scale} s at 5 req/s` },
    { name: '24-run matrix', input: matrix(), describe: `24 runs of ${300 * scale} s, 5–120 req/s` },
  ];

  const results: Measured[] = [];
  for (const c of cases) {
    const out = mkdtempSync(path.join(os.tmpdir(), 'memory-bench-'));
    try {
      // `npm run analyze` itself: GNU time reports the largest process it waited for (analyze's node,
      // which npm execs; npm's own is smaller), worker threads included.
      const { stderr } = await execFileAsync('/usr/bin/time', ['-f', 'peak-kb %M elapsed %e', 'npm', 'run', '--silent', 'analyze', '--', c.input, '--out', out], {
        cwd: repoRoot,
        maxBuffer: 1 << 24,
      });
      const match = /peak-kb (\d+) elapsed ([\d.]+)/.exec(stderr);
      if (match === null) throw new Error(`bench memory: no peak in the output of /usr/bin/time for \`${c.input}\`: ${stderr.slice(-300)}`);
      const analysis = JSON.parse(readFileSync(path.join(out, 'analysis.json'), 'utf8')) as { runs: { bucket_s: number | null }[] };
      const buckets = [...new Set(analysis.runs.map((r) => r.bucket_s))].map((s) => (s === null ? '—' : `${s} s`)).join(', ');
      const result: Measured = { name: c.name, describe: c.describe, bytes: sizeOf(c.input), runs: analysis.runs.length, buckets, peakMb: Number(match[1]) / 1024, seconds: Number(match[2]) };
      results.push(result);
      process.stderr.write(`${c.name}: peak RSS ${result.peakMb.toFixed(0)} MB in ${result.seconds.toFixed(1)} s\n`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }

  const lines = [
    `memory · npm run analyze, each in its own process, peak RSS (GNU time %M) · ${os.availableParallelism()} cores · node ${process.version}${scale === 1 ? '' : ` · scale ${scale}`}`,
    '',
    `${'input'.padEnd(20)}${'what'.padEnd(34)}${'size MB'.padStart(9)}${'runs'.padStart(6)}${'bucket'.padStart(9)}${'peak MB'.padStart(9)}${'÷ 200 MB'.padStart(10)}${'time s'.padStart(8)}`,
    ...results.map(
      (r) =>
        `${r.name.padEnd(20)}${r.describe.padEnd(34)}${(r.bytes / 1e6).toFixed(0).padStart(9)}${String(r.runs).padStart(6)}${r.buckets.padStart(9)}${r.peakMb.toFixed(0).padStart(9)}${(r.peakMb / MEMORY_BUDGET_MB).toFixed(2).padStart(10)}${r.seconds.toFixed(1).padStart(8)}`,
    ),
    '',
    `goal: peak RSS ≤ ${MEMORY_BUDGET_MB} MB for every input: ${results.every((r) => r.peakMb <= MEMORY_BUDGET_MB) ? 'met' : 'NOT met'} (largest ${Math.max(...results.map((r) => r.peakMb)).toFixed(0)} MB)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function sizeOf(input: string): number {
  const stat = statSync(input);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(input, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({ options: { scale: { type: 'string' } } });
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  if (!(scale > 0)) fail(new Error(`bench memory: \`--scale\` is \`${values.scale}\`: expected a number > 0`));
  else memoryBench({ scale }).catch(fail);
}
