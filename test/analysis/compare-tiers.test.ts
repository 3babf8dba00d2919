/**
 * Tiers as targets: three sweeps of one service, each its own target of another size (targets.json's
 * sample-small / sample-medium / sample-large), compared with `npm run compare`. The comparison adds the
 * vertical scaling report of the three, judged together (test/helpers/matrix-fixture.ts writes them):
 *
 *   target   size          10/s        20/s          30/s          40/s          max sustainable
 *   small    250m, 256Mi   10, 20 ms   16, 600 ms    —             —             10 (20/s: 80% held)
 *   medium   500m, 512Mi   10, 12 ms   20, 14 ms     30, 16 ms     32, 700 ms    30 (40/s: 80% held)
 *   large    1, 1Gi        10, 10 ms   20, 10 ms     30, 11 ms     40, 12 ms     ≥ 40 (held every level)
 *
 * Rate per core: 10 / 0.25 = 40, 30 / 0.5 = 60, 40 / 1 = 40; efficiency against small: 1, 1.5, 1
 * (large's is a lower bound). p95 at the highest rate all three hold, 10/s: 20, 12 and 10 ms.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../analysis/compare-cli.ts';
import { MIB, writeMatrix, type CellSpec } from '../helpers/matrix-fixture.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-compare-tiers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function tier(id: string, cores: number, memoryBytes: number, cells: CellSpec[], startMs: number): void {
  writeMatrix(work, { id, mode: 'sweep', startMs, target: { name: `sample-${id}`, resources: { cores, memory_bytes: memoryBytes, replicas: 1, nodes: null } }, cells });
}

let result: { exitCode: number; stdout: string; stderr: string };

beforeAll(async () => {
  const hour = 3_600_000;
  const start = Date.UTC(2026, 10, 24, 12, 0, 0);
  tier('small', 0.25, 256 * MIB, [{ level: 10, latencyMs: 20 }, { level: 20, rate: 16, latencyMs: 600, status: 'thresholds-failed' }], start);
  tier('medium', 0.5, 512 * MIB, [{ level: 10, latencyMs: 12 }, { level: 20, latencyMs: 14 }, { level: 30, latencyMs: 16 }, { level: 40, rate: 32, latencyMs: 700, status: 'thresholds-failed' }], start + hour);
  tier('large', 1, 1024 * MIB, [{ level: 10, latencyMs: 10 }, { level: 20, latencyMs: 10 }, { level: 30, latencyMs: 11 }, { level: 40, latencyMs: 12 }], start + 2 * hour);
  let stdout = '';
  let stderr = '';
  const run = await runCompare(['small', 'medium', 'large', '--out', 'report'], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd: work });
  result = { exitCode: run.exitCode, stdout, stderr };
});

describe('npm run compare of tier targets', () => {
  it('adds the vertical scaling report of the sides, judged together', () => {
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const md = readFileSync(path.join(work, 'report', 'report.md'), 'utf8');
    const section = md.slice(md.indexOf('## Vertical scaling (tiers)'));
    expect(section.split('\n').slice(0, 9)).toEqual([
      '## Vertical scaling (tiers)',
      '',
      "small holds 10 req/s; medium holds 30 req/s; large holds at least 40 req/s. Per core, medium is the most efficient (1.5 times the smallest tier's rate per core).",
      '',
      '| Tier   | CPU (cores) | Memory (MiB) | Max sustainable /s | Per core /s | Per GiB /s | Efficiency | p95 ms at 10/s | Throttled | Memory peak | OOM kills |',
      '| :----- | ----------: | -----------: | -----------------: | ----------: | ---------: | ---------: | -------------: | --------: | ----------: | --------: |',
      '| small  |        0.25 |        256.0 |                 10 |          40 |         40 |          1 |           20.0 |         — |           — |         — |',
      '| medium |         0.5 |        512.0 |                 30 |          60 |         60 |        1.5 |           12.0 |         — |           — |         — |',
      '| large  |           1 |       1024.0 |               ≥ 40 |          40 |         40 |          1 |           10.0 |         — |           — |         — |',
    ]);
    const json = JSON.parse(readFileSync(path.join(work, 'report', 'analysis.json'), 'utf8'));
    expect(json.scaling.vertical[0].tiers.map((t: { sweep: string; max_sustainable_rps: number; efficiency: number }) => [t.sweep, t.max_sustainable_rps, t.efficiency])).toEqual([
      ['small', 10, 1],
      ['medium', 30, 1.5],
      ['large', 40, 1],
    ]);
  });
});
