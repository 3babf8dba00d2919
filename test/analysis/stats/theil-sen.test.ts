import { describe, expect, it } from 'vitest';
import { normalQuantile } from '../../../analysis/stats/normal-quantile.ts';
import { mulberry32 } from '../../../analysis/stats/random.ts';
import { type TheilSenOptions, theilSen } from '../../../analysis/stats/theil-sen.ts';

/** |actual − expected| ≤ rel·|expected| (exact equality when expected is 0). */
function expectRelative(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

// The series of the mann-kendall tests, typed in, and the same in the Python below.
const INCREASING = [1.2, 2.9, 2.1, 4.4, 3.8, 5.6, 5.1, 7.3, 6.8, 8.9, 8.2, 10.4];
const FLAT = [3.1, 5.4, 2.2, 4.8, 3.9, 5.0, 2.7, 4.1, 3.3, 4.6, 5.2, 2.9];
const DECREASING = [20.5, 19.1, 19.8, 17.2, 18.0, 15.9, 16.4, 14.1, 15.0, 12.8, 13.3, 11.0, 11.9, 9.7, 10.2];
const TIES = [3, 3, 4, 2, 5, 5, 5, 6, 4, 7, 7, 8, 6, 8, 9, 9];
// Built from formulas. Python: sin_series = lambda n, a, b: [round((a * i + b * math.sin(i)) * 100) / 100 for i in range(n)]
// (no v·100 here is within 0.004 of a half, so Python's round and Math.round agree; the arrays were
// compared element by element, and mann-kendall.test.ts checks sums of the two).
const sinSeries = (n: number, a: number, b: number): number[] => Array.from({ length: n }, (_, i) => Math.round((a * i + b * Math.sin(i)) * 100) / 100);
const steps = (n: number): number[] => Array.from({ length: n }, (_, i) => i); // list(range(n))
const STEPS_12 = steps(12);
const STEPS_15 = steps(15);
const STEPS_16 = steps(16);
const STEPS_300 = steps(300);
const STRONG_300 = sinSeries(300, 0.5, 10); // sin_series(300, 0.5, 10)
const THIRDS_300 = Array.from({ length: 300 }, (_, i) => Math.floor(i / 3)); // [i // 3 for i in range(300)]: 100 groups of 3 equal x
const WEAK_300 = sinSeries(300, 0.02, 10); // sin_series(300, 0.02, 10)
const HALVES_2000 = Array.from({ length: 2000 }, (_, i) => i * 0.5); // [i * 0.5 for i in range(2000)]
const MOD_2000 = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 211) + 0.05 * i); // [((i * 7919) % 211) + 0.05 * i for i in range(2000)]

/*
 * Expected values from scipy 1.17.1 (Python 3.11.7, numpy 2.4.6), its default method='separate':
 *
 *   import numpy as np, scipy.stats as st
 *   r = st.theilslopes(y, x, alpha=a)            # y first; for a in (0.95, 0.9, 0.99)
 *   r.slope, r.intercept, r.low_slope, r.high_slope
 *   int((np.subtract.outer(np.array(x, float), np.array(x, float)) > 0).sum())   # pairs
 *
 * Columns: name, x, y, pairs, slope, intercept, [low, high] at 0.95, 0.9 and 0.99.
 * theilSen returns these to the last bit (checked with tolerance 0); the 1e-12 leaves room for a
 * platform's Math.sin in the formula series and for Φ⁻¹ rounding.
 */
const CASES: [string, number[], number[], number, number, number, [[number, number], [number, number], [number, number]]][] = [
  ['increasing with noise', STEPS_12, INCREASING, 66, 0.75, 1.2249999999999996, [[0.6499999999999999, 0.8714285714285713], [0.6749999999999999, 0.8500000000000001], [0.5428571428571427, 1.02]]],
  [
    'uneven x',
    [0.5, 1.3, 2, 3.7, 4.1, 5.9, 6.2, 8, 9.4, 11.1],
    [2.1, 2.6, 3.9, 4.2, 5.8, 6.1, 7.9, 7.5, 9.9, 10.3],
    45,
    0.7857142857142859,
    2.0214285714285696,
    [[0.65625, 1], [0.6666666666666666, 1], [0.6, 1.0857142857142859]],
  ],
  ['flat', STEPS_12, FLAT, 66, 0.03249999999999996, 3.82125, [[-0.25000000000000006, 0.25], [-0.21666666666666679, 0.21000000000000002], [-0.35000000000000003, 0.3799999999999999]]],
  [
    'decreasing',
    STEPS_15,
    DECREASING,
    105,
    -0.7749999999999999,
    20.424999999999997,
    [[-0.8500000000000005, -0.6833333333333336], [-0.8307692307692308, -0.6999999999999993], [-0.9142857142857144, -0.6333333333333334]],
  ],
  ['ties in y', STEPS_16, TIES, 120, 0.4166666666666667, 2.375, [[0.3333333333333333, 0.5], [0.36363636363636365, 0.5], [0.3333333333333333, 0.5]]],
  // Pairs with equal x are left out: 45 − (1 + 3 + 1) = 40 slopes.
  ['ties in x and y', [1, 1, 2, 2, 2, 3, 4, 4, 5, 6], [2, 3, 3, 5, 4, 5, 6, 6, 8, 7], 40, 1, 2.5, [[0.6666666666666666, 1.5], [0.8, 1.5], [0.5, 2]]],
  [
    'unsorted x with ties',
    [4, 1, 3, 1, 5, 3, 2, 4],
    [7.5, 2, 5.5, 3.1, 9, 6.2, 4.4, 8.1],
    25,
    1.6666666666666667,
    0.8499999999999996,
    [[1.3000000000000003, 2], [1.4, 1.8999999999999995], [1.0999999999999996, 2.4000000000000004]],
  ],
  // Two wild points barely move the slope (least squares would); the 99% interval reaches one of them.
  [
    'outliers',
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2.1, 2.9, 4.2, 40, 6.1, 6.8, -30, 9.1, 10.2],
    45,
    1,
    0.6500000000000004,
    [[0.7000000000000002, 1.0666666666666667], [0.7999999999999998, 1.0666666666666667], [-6.58, 1.15]],
  ],
  ['n = 2', [1, 3], [2, 7], 1, 2.5, -0.5, [[2.5, 2.5], [2.5, 2.5], [2.5, 2.5]]],
  ['n = 3', [0, 1, 2], [1, 3, 2], 3, 0.5, 1.5, [[-1, 2], [-1, 2], [-1, 2]]],
  ['n = 4', [2.5, 0.5, 1.5, 3.5], [4, 1, 3.5, 4.5], 6, 0.8333333333333334, 2.083333333333333, [[0.5, 2.5], [0.5, 2.5], [0.5, 2.5]]],
  ['n = 5', [1, 2, 3, 4, 5], [5, 4, 6, 2, 1], 10, -1, 7, [[-4, 2], [-2.5, 0.5], [-4, 2]]],
  ['constant y: σ = 0', [1, 2, 3, 4], [4, 4, 4, 4], 6, 0, 4, [[0, 0], [0, 0], [0, 0]]],
  [
    '300 points',
    STEPS_300,
    STRONG_300,
    44850,
    0.5,
    0.7750000000000057,
    [[0.4930674846625767, 0.5064074074074074], [0.4946391752577319, 0.5049532710280373], [0.49023255813953487, 0.5092753623188405]],
  ],
  [
    '300 points, x tied in threes',
    THIRDS_300,
    WEAK_300,
    44550,
    0.05986439752457225,
    0.08171232253367355,
    [[0.039166666666666655, 0.07923076923076924], [0.04384615384615387, 0.075], [0.03075949367088607, 0.0878947368421052]],
  ],
  [
    '2000 points',
    HALVES_2000,
    MOD_2000,
    1999000,
    0.10000000000000005,
    104.84999999999997,
    [[0.09097744360902264, 0.10998336106489189], [0.09315068493150681, 0.10849256900212316], [0.08833333333333333, 0.11538461538461524]],
  ],
];

const CONFIDENCES = [0.95, 0.9, 0.99] as const;
const ROWS = CASES.flatMap(([name, x, y, pairs, slope, intercept, intervals]) =>
  CONFIDENCES.map((confidence, i) => [name, confidence, x, y, pairs, slope, intercept, intervals[i] as [number, number]] as const),
);

describe('theilSen', () => {
  it.each(ROWS)('%s, confidence %s: matches scipy theilslopes', (_name, confidence, x, y, pairs, slope, intercept, [low, high]) => {
    const result = theilSen(Object.freeze([...x]), Object.freeze([...y]), { confidence });
    expect([result.n, result.pairs, result.confidence]).toEqual([x.length, pairs, confidence]);
    expectRelative(result.slope, slope, 1e-12);
    expectRelative(result.intercept, intercept, 1e-12);
    expectRelative(result.low, low, 1e-12);
    expectRelative(result.high, high, 1e-12);
  });

  it('defaults to 95%', () => {
    expect(theilSen(STEPS_12, INCREASING)).toEqual(theilSen(STEPS_12, INCREASING, { confidence: 0.95 }));
  });

  it('reads confidence as the coverage, where scipy folds alpha about ½', () => {
    // scipy 1.17.1: st.theilslopes(y, x, alpha=0.3) and alpha=0.7 both give the 70% interval
    // (0.7249999999999999, 0.8250000000000002); alpha=0.5 gives (0.7499999999999999, 0.7833333333333332).
    const at = (confidence: number): [number, number] => {
      const r = theilSen(STEPS_12, INCREASING, { confidence });
      return [r.low, r.high];
    };
    expect(at(0.7)).toEqual([0.7249999999999999, 0.8250000000000002]);
    expect(at(0.5)).toEqual([0.7499999999999999, 0.7833333333333332]);
    // A 30% interval, which scipy cannot return: its own formula with z = st.norm.ppf(0.35),
    //   s = sorted slopes; sig = math.sqrt(1/18. * n*(n-1)*(2*n+5))
    //   s[max(int(np.round((nt + z*sig)/2.)) - 1, 0)], s[min(int(np.round((nt - z*sig)/2.)), nt - 1)]
    expect(at(0.3)).toEqual([0.75, 0.7749999999999999]);
  });

  it('returns NaN for the interval when scipy\'s tie-corrected variance is negative, as scipy does', () => {
    // x: two groups of 3 (2·3·2·11 = 132), y: one group of 6 (6·5·17 = 510 = n(n − 1)(2n + 5)): σ² = −132/18.
    // scipy 1.17.1: st.theilslopes([2] * 6, [0, 0, 0, 1, 1, 1]) -> slope 0.0, intercept 2.0, nan, nan (RuntimeWarning).
    const result = theilSen([0, 0, 0, 1, 1, 1], [2, 2, 2, 2, 2, 2]);
    expect([result.slope, result.intercept, result.pairs]).toEqual([0, 2, 9]);
    expect(result.low).toBeNaN();
    expect(result.high).toBeNaN();
  });

  it('selects the same slopes as sorting them all (random points with ties)', () => {
    const random = mulberry32(1968);
    for (let round = 0; round < 200; round++) {
      const n = 2 + Math.floor(random() * 60);
      const xLevels = random() < 0.5 ? 5 : 1000; // 5 levels: many ties in x (and in the slopes)
      const x = Array.from({ length: n }, () => Math.floor(random() * xLevels));
      if (x.every((v) => v === x[0])) x[0] = (x[0] as number) + 1;
      const y = Array.from({ length: n }, (_, i) => Math.round(random() * 8) + (random() < 0.5 ? i / 4 : 0));
      const slopes: number[] = [];
      // As scipy: (y_a − y_b)/(x_a − x_b) for every pair with x_a > x_b (so a zero slope is +0).
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if ((x[a] as number) > (x[b] as number)) slopes.push(((y[a] as number) - (y[b] as number)) / ((x[a] as number) - (x[b] as number)));
      slopes.sort((a, b) => a - b);
      const nt = slopes.length;
      const median = nt % 2 === 1 ? (slopes[(nt - 1) / 2] as number) : ((slopes[nt / 2 - 1] as number) + (slopes[nt / 2] as number)) / 2;
      const result = theilSen(x, y, { confidence: 0.9 });
      expect(result.pairs).toBe(nt);
      expect(result.slope).toBe(median);
      // NaN only where scipy's σ² is negative, which these few heavily tied points can reach.
      if (!Number.isNaN(result.low)) {
        // The ends are order statistics of the slopes: the lower one at most the median, the upper at least.
        expect(slopes).toContain(result.low);
        expect(slopes).toContain(result.high);
        expect(result.low).toBeLessThanOrEqual(result.slope);
        expect(result.high).toBeGreaterThanOrEqual(result.slope);
        // Their ranks, without ties in x or y (σ then has no tie terms), are scipy's round((N ± z·σ)/2).
        const z = normalQuantile(0.05);
        const ties = new Set(x).size < n || new Set(y).size < n;
        if (!ties) {
          const sigma = Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
          expect(result.low).toBe(slopes[Math.max(Math.round((nt + z * sigma) / 2) - 1, 0)]);
          expect(result.high).toBe(slopes[Math.min(Math.round((nt - z * sigma) / 2), nt - 1)]);
        }
      }
    }
  });

  it('does not depend on the order of the points, and negating y negates the fit', () => {
    const x = [4, 1, 3, 1, 5, 3, 2, 4];
    const y = [7.5, 2.0, 5.5, 3.1, 9.0, 6.2, 4.4, 8.1];
    const order = [3, 0, 7, 5, 1, 6, 2, 4];
    const result = theilSen(x, y);
    expect(theilSen(order.map((i) => x[i] as number), order.map((i) => y[i] as number))).toEqual(result);
    const negated = theilSen(x, y.map((v) => -v));
    expect([negated.slope, negated.intercept, negated.low, negated.high]).toEqual([-result.slope, -result.intercept, -result.high, -result.low]);
  });

  it('does not mutate its inputs', () => {
    const x = Object.freeze([3, 1, 2, 2]);
    const y = Object.freeze([9, 4, 6, 5]);
    theilSen(x, y);
    expect([x, y]).toEqual([
      [3, 1, 2, 2],
      [9, 4, 6, 5],
    ]);
  });

  // toThrowError(instance) checks the class and the whole message.
  it.each([
    ['lengths differ', [1, 2, 3], [1, 2], {}, 'theilSen: x and y differ in length `3` and `2`: expected one y per x'],
    ['no points', [], [], {}, 'theilSen: too few points `0`: expected at least 2'],
    ['one point', [1], [2], {}, 'theilSen: too few points `1`: expected at least 2'],
    ['NaN in x', [1, Number.NaN], [2, 3], {}, 'theilSen: x[1] is `NaN`: expected a finite number'],
    ['Infinity in y', [1, 2, 3], [2, 3, Number.POSITIVE_INFINITY], {}, 'theilSen: y[2] is `Infinity`: expected a finite number'],
    ['a string', [1, 2], ['2', 3], {}, 'theilSen: y[0] is `2`: expected a finite number'],
    ['every x equal', [5, 5, 5], [1, 2, 3], {}, 'theilSen: every x is `5`: expected at least two distinct x values (a slope needs them)'],
    ['confidence 0', [1, 2], [1, 2], { confidence: 0 }, 'theilSen: confidence `0` is out of range: expected 0 < confidence < 1'],
    ['confidence 1', [1, 2], [1, 2], { confidence: 1 }, 'theilSen: confidence `1` is out of range: expected 0 < confidence < 1'],
    ['confidence 95', [1, 2], [1, 2], { confidence: 95 }, 'theilSen: confidence `95` is out of range: expected 0 < confidence < 1'],
  ] as const)('throws for %s', (_name, x, y, options, message) => {
    expect(() => theilSen(x as unknown as number[], y as unknown as number[], options as TheilSenOptions)).toThrowError(new RangeError(message));
  });
});
