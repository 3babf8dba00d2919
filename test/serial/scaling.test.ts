/**
 * Scaling reports from real matrices of the sample service with a costly /predict (150 units), each
 * replica in a cgroup with a CPU quota:
 *
 * - tiers: one replica of a quarter core and one of a whole core. A quarter core does about 60
 *   requests/s here, a core about four times that; the report must find the core tier holding clearly
 *   more (at least 2.5 times the quarter's throughput), throttling of the quarter core, and CPU use
 *   that never exceeds a limit by more than the sampling error;
 * - replicas: 1, 2 and 3 replicas of a quarter core (0.75 of this machine's two cores at most, so k6
 *   keeps a core): throughput must grow with the replicas, and the USL fit must be there with its
 *   points.
 *
 * Where cgroups cannot be used (not root, no v1/v2 controllers) the sweep must say so once and record
 * `enforced: false` with the reason; the limit assertions are then skipped, saying why.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroups } from '../../scripts/lib/cgroups.ts';
import { runScript, type ScriptResult } from '../helpers/run-script.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-scaling-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const support = detectCgroups();
const tiersOut = path.join(work, 'tiers');
const replicasOut = path.join(work, 'replicas');
let tiers: ScriptResult;
let replicas: ScriptResult;

interface AnalysisJson {
  scaling: {
    vertical?: { tiers: { sweep: string; cores: number; max_sustainable_rps: number | null; censored: boolean; throttled_share: number | null; efficiency: number | null }[] }[];
    horizontal?: { points: { replicas: number; rps: number | null; peak_rps: number | null; censored: boolean; fitted: boolean }[]; usl: { lambda: number; sigma: number; kappa: number; r2: number } | null; usl_reason: string | null }[];
  };
  resources: { run: string; pod: string; role: string; cpu_max_m: number | null }[];
  runs: { id: string; label: string }[];
}

const read = (dir: string): AnalysisJson => JSON.parse(readFileSync(path.join(dir, 'report', 'analysis.json'), 'utf8')) as AnalysisJson;

beforeAll(async () => {
  const targets = path.join(work, 'targets.json');
  writeFileSync(targets, JSON.stringify({ targets: { heavy: { kind: 'process', replicas: 1, predictCost: 150 } } }));
  const common = ['--targets', targets, '--target', 'heavy', '--duration', '6s', '--pause', '0s', '--cooldown', '0s', '--snapshot-interval', '2s'];
  tiers = await runScript('matrix.ts', [...common, '--cpu', '250m,1', '--replicas', '1', '--tps-levels', '40,120,200', '--out', tiersOut]);
  replicas = await runScript('matrix.ts', [...common, '--cpu', '250m', '--replicas', '1,2,3', '--tps-levels', '25,75,125,175,250', '--out', replicasOut]);
}, 600_000);

describe('a tiers matrix: a quarter core and a whole core', () => {
  it('runs every cell with its size in the manifest, enforced or said not to be', () => {
    expect(tiers.code, tiers.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(tiersOut, 'manifest.json'), 'utf8'));
    expect(manifest.levels.map((l: { id: string }) => l.id)).toEqual(['cpu250m-r1-tps-40', 'cpu250m-r1-tps-120', 'cpu250m-r1-tps-200', 'cpu1-r1-tps-40', 'cpu1-r1-tps-120', 'cpu1-r1-tps-200']);
    for (const level of manifest.levels) {
      expect(level.resources.cores).toBe(level.id.startsWith('cpu250m') ? 0.25 : 1);
      expect(level.resources.enforced).toBe(support.usable);
      if (!support.usable) expect(level.resources.reason).toBe(support.reason);
    }
    if (!support.usable) expect(tiers.stderr.split('\n').filter((line) => line.includes('WARNING limits not enforced'))).toHaveLength(1);
  });

  it.runIf(support.usable)('finds the whole core holding clearly more than the quarter core, and the quarter throttled', () => {
    const [vertical] = read(tiersOut).scaling.vertical ?? [];
    const [quarter, core] = vertical?.tiers ?? [];
    expect(quarter?.cores).toBe(0.25);
    expect(core?.cores).toBe(1);
    // The quarter core holds 40/s (about 60 at most), never 120.
    expect(quarter?.max_sustainable_rps).toBeGreaterThan(35);
    expect(quarter?.max_sustainable_rps).toBeLessThan(120);
    expect(core?.max_sustainable_rps).toBeGreaterThanOrEqual(2.5 * (quarter?.max_sustainable_rps as number));
    expect(quarter?.throttled_share).toBeGreaterThan(0.2);
    const md = readFileSync(path.join(tiersOut, 'report', 'report.md'), 'utf8');
    expect(md).toContain('## Vertical scaling (tiers)');
    expect(md).toMatch(/\* \*\*warn\*\* tiers · 250m CPU, 1 replica: CPU throttled in \d+\.\d\d% of its periods/);
  });

  it.runIf(support.usable)('never measures a replica above its CPU limit by more than the sampling error', () => {
    const json = read(tiersOut);
    const label = new Map(json.runs.map((r) => [r.id, r.label]));
    const target = json.resources.filter((r) => r.role === 'target' && r.cpu_max_m !== null);
    expect(target.length).toBeGreaterThan(0);
    for (const row of target) {
      const limitM = (label.get(row.run) ?? '').startsWith('cpu250m') ? 250 : 1000;
      // Each capture is CPU time over a window of about 2 s (--snapshot-interval): /proc counts in
      // 10 ms ticks (±10 ms / 2 s = 0.5% of a core) and the window may hold one CFS period's quota
      // more than its share (quota × 100 ms / 2 s = 5% of the limit).
      expect(row.cpu_max_m, `${row.run} ${row.pod}`).toBeLessThanOrEqual(limitM * 1.05 + 5);
    }
  });
});

describe('a replica matrix: 1, 2 and 3 replicas of a quarter core', () => {
  it.runIf(support.usable)('finds throughput growing with the replicas and fits the USL to the points', () => {
    expect(replicas.code, replicas.stderr).toBe(0);
    const [horizontal] = read(replicasOut).scaling.horizontal ?? [];
    const points = horizontal?.points ?? [];
    expect(points.map((p) => p.replicas)).toEqual([1, 2, 3]);
    // Each count is pushed past what it holds. Measured on a quiet host: 1 replica peaks at 56/s, 2 at
    // 112, 3 at 181 (holding 150): on a faster moment 3 held 200 (CI), so the levels go to 250. On a
    // slow one 1 replica reached only 44/s and held no level from 50 (CI): the lowest level is 25.
    expect(points.every((p) => !p.censored && p.peak_rps !== null && p.fitted), JSON.stringify(points)).toBe(true);
    const [one, two, three] = points.map((p) => p.peak_rps as number);
    expect(two).toBeGreaterThan((one as number) * 1.5);
    expect(three).toBeGreaterThan((two as number) * 1.2);
    expect(horizontal?.usl).not.toBeNull();
    expect(horizontal?.usl?.r2).toBeGreaterThan(0.9);
    // λ is the one-replica throughput the fit sees: within 20% of the measured one.
    expect(Math.abs((horizontal?.usl?.lambda as number) - (one as number)) / (one as number)).toBeLessThan(0.2);
    const md = readFileSync(path.join(replicasOut, 'report', 'report.md'), 'utf8');
    expect(md).toContain('## Horizontal scaling (replicas)');
    expect(md).toMatch(/replicas: 1 replica holds \d+(\.\d+)? req\/s \((\d+(\.\d+)? req\/s achieved; )?peak \d+(\.\d+)? req\/s\), 2 replicas hold .* USL fit \(R² (0\.\d+|1)\)/); // R² is written to 4 digits: 0.99996 is "1"
    const html = readFileSync(path.join(replicasOut, 'report', 'report.html'), 'utf8');
    expect(html).toContain('<figure class="chart" id="chart-horizontal-0-usl">');
  });
});
