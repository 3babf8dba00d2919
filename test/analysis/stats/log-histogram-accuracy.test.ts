/**
 * Percentiles of real k6 outputs against their exact values: a run's p50/p90/p95/p99 (from the
 * whole-run histograms, α = 0.1%) within 0.1% of the exact R-7 value, min and max exact.
 *
 * The exact values: numpy 2.4.6, `np.percentile(values, q)` (default method 'linear', which is R-7,
 * what k6 reports for p(N)) over the value of every `http_req_duration` Point line of each file, read
 * with Python's json module; min and max with `values.min()`, `values.max()`. Computed 2026-12-01 on
 * results-samples/demo (real k6 v2.2.0 runs, see its README).
 */
import { describe, expect, it } from 'vitest';
import { loadRuns } from '../../../analysis/model/load.ts';
import { groupsOf, runNumbers } from '../../../analysis/model/run.ts';
import { DEFAULT_ALPHA, LogHistogram } from '../../../analysis/stats/log-histogram.ts';

// file: [requests, p50, p90, p95, p99, min, max]
const EXACT: [string, number, number, number, number, number, number, number][] = [
  ['r1-tps-50', 601, 5.469538, 6.511446, 7.322109, 9.792908, 0.517545, 15.956264],
  ['r1-tps-150', 1800, 5.14931, 6.9855901000000005, 8.7899307, 15.572730849999997, 0.295571, 31.976594],
  ['r1-tps-250', 2998, 81.18621350000001, 143.73493520000002, 175.8653040500002, 255.91257893000025, 0.410997, 507.849553],
  ['r1-tps-350', 3358, 268.95007250000003, 561.3827109, 7763.9457774499915, 10263.983394959996, 6.860968, 10838.47999],
  ['r2-tps-50', 601, 5.674245, 7.279523, 9.161189, 14.162943, 0.682392, 23.679956],
  ['r2-tps-150', 1801, 5.528622, 7.901174, 10.219485, 16.087427, 0.432727, 31.803082],
  ['r2-tps-250', 3000, 5.541617499999999, 9.795694999999998, 12.359098149999998, 17.293600489999996, 0.228356, 24.520419],
  ['r2-tps-350', 4201, 7.156066, 17.694161, 21.994426, 33.192258, 0.200143, 47.106992],
];

const relative = (estimate: number | null, exact: number): number => Math.abs((estimate as number) - exact) / exact;

describe('percentiles of real k6 outputs', () => {
  it.each(EXACT)('%s: p50, p90, p95, p99 within a thousandth of numpy, min and max exact', async (level, requests, p50, p90, p95, p99, min, max) => {
    const { runs } = await loadRuns([`results-samples/demo/${level}/k6.json.gz`]);
    const run = runs[0];
    if (run === undefined) throw new Error(`no run in ${level}`);
    const latency = runNumbers(run).latency_ms;
    expect(runNumbers(run).requests).toBe(requests);
    for (const [estimate, exact] of [[latency.p50, p50], [latency.p90, p90], [latency.p95, p95], [latency.p99, p99]] as const) {
      expect(relative(estimate, exact)).toBeLessThanOrEqual(0.001);
    }
    expect([latency.min, latency.max]).toEqual([min, max]);
  });

  it('needs the fine histograms: the per-bucket ones (α = 0.5%) merged miss 0.1% on these files', async () => {
    const { runs } = await loadRuns(EXACT.map(([level]) => `results-samples/demo/${level}/k6.json.gz`));
    const worst = Math.max(
      ...EXACT.map(([level, , p50, p90, p95, p99]) => {
        const run = runs.find((r) => r.files[0]?.includes(`/${level}/`));
        const coarse = new LogHistogram(DEFAULT_ALPHA);
        for (const group of run === undefined ? [] : groupsOf(run, 'http_req_duration')) for (const stats of group.buckets.values()) if (stats.hist !== null) coarse.merge(stats.hist);
        return Math.max(relative(coarse.quantile(0.5), p50), relative(coarse.quantile(0.9), p90), relative(coarse.quantile(0.95), p95), relative(coarse.quantile(0.99), p99));
      }),
    );
    expect(worst).toBeGreaterThan(0.001);
    expect(worst).toBeLessThanOrEqual(0.005);
  });
});
