/**
 * Capacity of a sweep from its runs' rows (pure): which level is the maximum sustainable rate, where
 * the scan stops, where the knee is, and where the SLO comes from.
 */
import { describe, expect, it } from 'vitest';
import { capacityOf, latencyKnee } from '../../../analysis/analyses/capacity.ts';
import type { RunRow } from '../../../analysis/analyses/context.ts';
import type { Sweep } from '../../../analysis/model/sweeps.ts';

/** A level of a sweep: steady-state numbers as the runs table has them, healthy unless told. */
function row(level: number, change: Partial<RunRow> = {}): RunRow {
  return {
    run: `s-${level}`, label: `tps-${level}`, sweep: 's', target: 'svc', scenario: 'constant', level, replicas: null, status: 'ok', source: 'raw',
    duration_s: 30, requests: level * 30, error_rate: 0, rps: level, dropped_iterations: 0, p50_ms: 5, p95_ms: 10, p99_ms: 20,
    steady_s: 26, warmup_s: 3, steady_requests: level * 26, steady_rps: level, steady_error_rate: 0, steady_dropped: 0, steady_iterations: level * 26,
    steady_p50_ms: 5, steady_p95_ms: 10, steady_p99_ms: 20, achieved_share: 1, loadgen_cpu_m: 100, loadgen_cpu_limited: false, out_of_vus: null,
    iteration_ms: 5, slo_p95_ms: null, slo_p99_ms: null, slo_error_rate: null, thresholds: '[]',
    ...change,
  };
}

const sweepOf = (rows: readonly RunRow[]): Sweep => ({ id: 's', label: 's', target: 'svc', scenario: 'constant', replicas: null, resources: null, runs: rows.map((r) => r.run), source: 'folder' });

describe('capacityOf', () => {
  it('takes the highest level that holds with every lower one holding, and names what broke next', () => {
    const rows = [row(100), row(200, { steady_p95_ms: 40 }), row(300, { steady_p95_ms: 480 }), row(400, { steady_p95_ms: 900, achieved_share: 0.8 }), row(500)];
    const capacity = capacityOf(sweepOf(rows), rows);
    expect(capacity.max_sustainable).toEqual({ run: 's-300', level: 300, rps: 300 });
    expect(capacity.first_failure).toMatchObject({ level: 400, violations: ['p95', 'achieved'] });
    // A level that holds again after a failure is not capacity: the scan stopped at the first failure.
    expect(capacity.points.map((p) => p.ok)).toEqual([true, true, true, false, true]);
    expect(capacity.slo).toMatchObject({ p95_ms: 500, error_rate: 0.01, source: 'defaults' });
  });

  it('stops before a level the load generator limited: capacity beyond is not measured', () => {
    const rows = [row(100), row(200, { loadgen_cpu_limited: true, steady_p95_ms: 900 }), row(300)];
    const capacity = capacityOf(sweepOf(rows), rows);
    expect(capacity.max_sustainable?.level).toBe(100);
    expect(capacity.inconclusive_from).toBe(200);
    expect(capacity.first_failure).toBeNull();
    expect(capacity.points[1]).toMatchObject({ limited: 'loadgen-cpu', ok: false, violations: ['p95'] });
    // Out of VUs because the target slowed down is the target's limit, judged as any other level.
    const slowed = [row(100), row(200, { out_of_vus: 'target', steady_p95_ms: 2000 })];
    expect(capacityOf(sweepOf(slowed), slowed)).toMatchObject({ inconclusive_from: null, first_failure: { level: 200, limited: null } });
  });

  it('takes the SLO from the flags, else from the runs, per bound', () => {
    const rows = [row(100, { slo_p95_ms: 50, slo_error_rate: 0.001, steady_p95_ms: 60 })];
    expect(capacityOf(sweepOf(rows), rows).slo).toMatchObject({ p95_ms: 50, error_rate: 0.001, source: 'thresholds' });
    expect(capacityOf(sweepOf(rows), rows).max_sustainable).toBeNull();
    const flagged = capacityOf(sweepOf(rows), rows, { p95Ms: 100 });
    expect(flagged.slo).toMatchObject({ p95_ms: 100, error_rate: 0.001, source: 'flags', sources: { p95_ms: 'flags', error_rate: 'thresholds' } });
    expect(flagged.max_sustainable?.level).toBe(100);
  });

  it('reads a k6 summary\'s thresholds when the run has no SLO of ours', () => {
    const rows = [row(100, { thresholds: JSON.stringify([{ metric: 'http_req_duration', expression: 'p(95)<8', ok: false }]) })];
    expect(capacityOf(sweepOf(rows), rows).slo).toMatchObject({ p95_ms: 8, source: 'thresholds' });
  });
});

describe('latencyKnee', () => {
  it.each([
    // Flat, then climbing: normalised x (0, ⅓, ⅔, 1) minus y ((p95 − 10) / 290 of the envelope) is largest at 300.
    [[[100, 10], [200, 12], [300, 20], [400, 300]], { x: 300, y: 20, difference: 2 / 3 - 10 / 290 }],
    // A dip at a higher load is noise: the envelope keeps p95 non-decreasing (160 counts as 157).
    [[[40, 11.8], [80, 27.8], [120, 157], [160, 132], [200, 172]], { x: 80, y: 27.8, difference: 0.25 - 16 / 160.2 }],
  ])('%j', (points, expected) => {
    const knee = latencyKnee(points.map(([x, y]) => ({ x: x as number, y: y as number })));
    expect(knee).toMatchObject({ x: expected.x, y: expected.y });
    expect(knee?.difference).toBeCloseTo(expected.difference, 12);
  });

  it.each([
    ['fewer than 3 levels', [[100, 10], [200, 50]]],
    ['p95 rising less than 1.5-fold', [[100, 10], [200, 11], [300, 14.9]]],
    ['a straight line', [[100, 10], [200, 20], [300, 30]]],
    ['the steepest rise at the start (concave)', [[100, 10], [200, 100], [300, 110]]],
  ])('none for %s', (_what, points) => {
    expect(latencyKnee(points.map(([x, y]) => ({ x: x as number, y: y as number })))).toBeNull();
  });
});
