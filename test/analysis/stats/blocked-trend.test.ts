/**
 * blockedTrend: one stretch is exactly theilSen + mannKendall; several stretches are the seasonal
 * Kendall test and slope with the stretches as seasons (pymannkendall's `seasonal_test`), and the
 * interval is Gilbert's (1987, §17.6) over the within-stretch slopes.
 */
import { describe, expect, it } from 'vitest';
import { blockedTrend } from '../../../analysis/stats/blocked-trend.ts';
import { mannKendall } from '../../../analysis/stats/mann-kendall.ts';
import { theilSen } from '../../../analysis/stats/theil-sen.ts';

const relative = (actual: number, expected: number, tolerance: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
};

describe('blockedTrend', () => {
  it('is theilSen and mannKendall on one stretch', () => {
    const x = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90];
    const y = [100, 104, 103, 109, 111, 110, 118, 117, 121, 125];
    const one = blockedTrend([{ x, y }]);
    const fit = theilSen(x, y);
    const test = mannKendall(y);
    expect(one).toEqual({ slope: fit.slope, intercept: fit.intercept, low: fit.low, high: fit.high, confidence: 0.95, n: 10, pairs: 45, stretches: 1, s: test.s, varS: test.varS, z: test.z, pValue: test.pValue });
  });

  it('is the seasonal Kendall test and slope with the stretches as seasons', () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7];
    const stretches = [
      { x, y: [10.0, 10.5, 11.2, 11.0, 12.1, 12.9, 13.0, 13.8] },
      { x, y: [9.8, 10.9, 10.9, 11.7, 12.0, 12.4, 13.5, 13.1] },
      { x, y: [10.2, 10.1, 11.0, 11.9, 11.9, 12.8, 12.7, 14.0] },
    ];
    const result = blockedTrend(stretches);
    // pymannkendall 1.4.3 (Python 3.11, numpy 2.4.6, scipy 1.17.1):
    //   mk.seasonal_test([b[k][j] for j in range(8) for k in range(3)], period=3)
    //   → s=74.0, var_s=194.0, z=5.241094557909488, p=1.5962688548754045e-07, slope=0.5225000000000001
    expect(result.s).toBe(74);
    expect(result.varS).toBe(194);
    relative(result.z, 5.241094557909488, 1e-12);
    relative(result.pValue, 1.5962688548754045e-7, 1e-9);
    expect(result.slope).toBe(0.5225000000000001);
    expect(result.pairs).toBe(84);
    expect(result.stretches).toBe(3);
    // Gilbert's interval, computed independently with numpy (sorted within-stretch slopes; σ² the
    // sum of each stretch's [n(n−1)(2n+5) − Σ ties of x − Σ ties of y]/18; ranks round((N ∓ z·σ)/2)
    // with z = norm.ppf(0.025)): slopes[Rl] = 0.4500000000000002, slopes[Ru] = 0.5999999999999996.
    expect(result.low).toBe(0.4500000000000002);
    expect(result.high).toBe(0.5999999999999996);
  });

  it('does not join stretches: a sawtooth of rising stretches rises', () => {
    // Three rises of 10 per step, each dropping back to 0 (a replica leaking until OOM-killed).
    const stretch = (from: number) => ({ x: [0, 1, 2, 3, 4].map((i) => from + i), y: [0, 10, 20, 30, 40] });
    const result = blockedTrend([stretch(0), stretch(5), stretch(10)]);
    expect(result.slope).toBe(10);
    expect(result.low).toBe(10);
    expect(result.high).toBe(10);
    expect(result.s).toBe(30);
    // Over the whole sawtooth as one series the slope is far smaller.
    expect(theilSen([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], [0, 10, 20, 30, 40, 0, 10, 20, 30, 40, 0, 10, 20, 30, 40]).slope).toBeLessThan(5);
  });

  it('leaves out stretches without a pair, and refuses when none is left', () => {
    const result = blockedTrend([{ x: [0], y: [5] }, { x: [1, 2, 3], y: [1, 2, 3] }]);
    expect(result.stretches).toBe(1);
    expect(result.n).toBe(3);
    expect(() => blockedTrend([{ x: [0], y: [1] }])).toThrowError(new RangeError('blockedTrend: no stretch has two points with different x: expected at least one'));
    expect(() => blockedTrend([{ x: [0, 1], y: [1] }])).toThrowError(new RangeError('blockedTrend: a stretch has `2` x and `1` y: expected one y per x'));
    expect(() => blockedTrend([{ x: [0, 1], y: [1, 2] }], { confidence: 1 })).toThrowError(new RangeError('blockedTrend: confidence `1` is out of range: expected 0 < confidence < 1'));
  });
});
