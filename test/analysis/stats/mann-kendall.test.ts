import { describe, expect, it } from 'vitest';
import { hamedRao, type MannKendallOptions, mannKendall } from '../../../analysis/stats/mann-kendall.ts';
import { mulberry32 } from '../../../analysis/stats/random.ts';

/** |actual − expected| ≤ rel·|expected| (exact equality when expected is 0). */
function expectRelative(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

// Series typed in, and the same in the Python below (the theil-sen tests use them too).
const INCREASING = [1.2, 2.9, 2.1, 4.4, 3.8, 5.6, 5.1, 7.3, 6.8, 8.9, 8.2, 10.4];
const FLAT = [3.1, 5.4, 2.2, 4.8, 3.9, 5.0, 2.7, 4.1, 3.3, 4.6, 5.2, 2.9];
const DECREASING = [20.5, 19.1, 19.8, 17.2, 18.0, 15.9, 16.4, 14.1, 15.0, 12.8, 13.3, 11.0, 11.9, 9.7, 10.2];
const TIES = [3, 3, 4, 2, 5, 5, 5, 6, 4, 7, 7, 8, 6, 8, 9, 9];
// Series built from formulas. Python: sin_series = lambda n, a, b: [round((a * i + b * math.sin(i)) * 100) / 100 for i in range(n)]
// (Python's round(v) rounds halves to even and Math.round up, but no v·100 here is within 0.004 of a
// half; the arrays were compared element by element, and the checksum test below guards the platform's sin).
const sinSeries = (n: number, a: number, b: number): number[] => Array.from({ length: n }, (_, i) => Math.round((a * i + b * Math.sin(i)) * 100) / 100);
const WEAK_300 = sinSeries(300, 0.02, 10); // sin_series(300, 0.02, 10)
const STRONG_300 = sinSeries(300, 0.5, 10); // sin_series(300, 0.5, 10)
const TIED_300 = Array.from({ length: 300 }, (_, i) => Math.round(10 * Math.sin(i)) + Math.floor(i / 100)); // [round(10 * math.sin(i)) + i // 100 for i in range(300)]
const MOD_2000 = Array.from({ length: 2000 }, (_, i) => ((i * 7919) % 211) + 0.05 * i); // [((i * 7919) % 211) + 0.05 * i for i in range(2000)]

/*
 * Expected values from pymannkendall 1.4.3 (Python 3.11.7, numpy 2.4.6, scipy 1.17.1):
 *
 *   import pymannkendall as mk, scipy.stats as st
 *   r = mk.original_test(values)                 # alpha = 0.05
 *   r.s, r.var_s, r.z, r.p, r.Tau, r.trend, mk.original_test(values, alpha=0.01).trend
 *   2 * st.norm.sf(abs(r.z))                     # the p-value without pymannkendall's 1 − cdf cancellation
 *
 * Columns: name, values, s, var_s, z, p (pymannkendall), 2·sf(|z|) (scipy), Tau, trend at 0.05, trend at 0.01.
 * pymannkendall's p = 2*(1 - norm.cdf(|z|)) is 0 for the last two rows; mannKendall computes 2·Φ(−|z|), so it
 * is compared with scipy's sf to 1e-9 relative and with pymannkendall's p to 1e-15 absolute (they
 * differ by at most 1.3e-14 relative and 7e-17 absolute). s, var_s, z and Tau agree to the last bit
 * (checked with tolerance 0).
 */
const CASES: [string, number[], number, number, number, number, number, number, string, string][] = [
  ['increasing with noise', INCREASING, 56, 212.66666666666666, 3.771490147280579, 0.00016227556647607777, 0.00016227556647604302, 0.8484848484848485, 'increasing', 'increasing'],
  ['flat', FLAT, 2, 212.66666666666666, 0.06857254813237416, 0.9453298708327, 0.9453298708327, 0.030303030303030304, 'no trend', 'no trend'],
  ['decreasing', DECREASING, -91, 408.3333333333333, -4.453844933748542, 8.434602770446276e-6, 8.434602770424432e-6, -0.8666666666666667, 'decreasing', 'decreasing'],
  ['ties, increasing', TIES, 91, 483.6666666666667, 4.0923185342208175, 4.270814343310114e-5, 4.270814343314358e-5, 0.7583333333333333, 'increasing', 'increasing'],
  ['ties, flat: S = 0', [5, 4, 6, 5, 5, 4, 6, 6, 4, 5, 5, 6, 4], 0, 234.66666666666666, 0, 1, 1, 0, 'no trend', 'no trend'],
  ['n = 3', [1, 2, 3], 3, 3.6666666666666665, 1.044465935734187, 0.2962698714842864, 0.2962698714842864, 1, 'no trend', 'no trend'],
  ['n = 3, S = -1: z = 0', [3, 1, 2], -1, 3.6666666666666665, 0, 1, 1, -0.3333333333333333, 'no trend', 'no trend'],
  ['n = 4 with ties', [2, 1, 2, 3], 3, 7.666666666666667, 0.7223151185146152, 0.47010075987412847, 0.4701007598741286, 0.5, 'no trend', 'no trend'],
  ['n = 5', [5, 4, 6, 2, 1], -6, 16.666666666666668, -1.224744871391589, 0.22067136191984682, 0.22067136191984693, -0.6, 'no trend', 'no trend'],
  ['all equal: Var(S) = 0', [7, 7, 7, 7, 7], 0, 0, 0, 1, 1, 0, 'no trend', 'no trend'],
  ['300, weak trend', WEAK_300, 7879, 3014895.6666666665, 4.537115474714912, 5.702888361991398e-6, 5.702888361930074e-6, 0.17567447045707915, 'increasing', 'increasing'],
  ['300 integers, many ties', TIED_300, 3880, 3006143.3333333335, 2.237252168060777, 0.025269863494104428, 0.025269863494104327, 0.08651059085841695, 'increasing', 'no trend'],
  ['300, strong trend: p below 1e-16', STRONG_300, 40452, 3014914.6666666665, 23.29655747154246, 0, 4.8041737222732895e-120, 0.9019397993311037, 'increasing', 'increasing'],
  ['2000, modular', MOD_2000, 560790, 889555000, 18.802391173915314, 0, 7.218745090768894e-79, 0.2805352676338169, 'increasing', 'increasing'],
];

/** S, Var(S) straight from the definition: every pair, every tie group. */
function bruteForce(values: readonly number[]): { s: number; varS: number } {
  const n = values.length;
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) s += Math.sign((values[j] as number) - (values[i] as number));
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let ties = 0;
  for (const t of counts.values()) ties += t * (t - 1) * (2 * t + 5);
  return { s, varS: (n * (n - 1) * (2 * n + 5) - ties) / 18 };
}

describe('mannKendall', () => {
  it('builds the formula series exactly as Python does', () => {
    // Python: sum(series) (left to right, as reduce) and a few elements, printed with repr.
    expect(STRONG_300.reduce((a, b) => a + b, 0)).toBe(22439.370000000003);
    expect(WEAK_300.reduce((a, b) => a + b, 0)).toBe(911.3699999999997);
    expect([STRONG_300[1], STRONG_300[150], WEAK_300[299], TIED_300[7], MOD_2000[1999]]).toEqual([8.91, 67.85, 0.76, 7, 116.95]);
  });

  it.each(CASES)('%s: matches pymannkendall original_test', (_name, values, s, varS, z, pPymk, pSf, tau, trend, trendAt01) => {
    const result = mannKendall(Object.freeze([...values]));
    expect(result.method).toBe('mann-kendall');
    expect(result.n).toBe(values.length);
    expect(result.s).toBe(s);
    expectRelative(result.varS, varS, 1e-12);
    expectRelative(result.z, z, 1e-12);
    expectRelative(result.tau, tau, 1e-12);
    expectRelative(result.pValue, pSf, 1e-9);
    expect(Math.abs(result.pValue - pPymk)).toBeLessThanOrEqual(1e-15);
    expect(result.trend).toBe(trend);
    expect(mannKendall(values, { alpha: 0.01 }).trend).toBe(trendAt01);
  });

  it('counts S and the tie correction as the definition does (random series with ties)', () => {
    const random = mulberry32(1945);
    for (let round = 0; round < 300; round++) {
      const n = 3 + Math.floor(random() * 80);
      const levels = random() < 0.5 ? 4 : 1000; // 4 levels: mostly ties
      const values = Array.from({ length: n }, (_, i) => Math.floor(random() * levels) + (random() < 0.3 ? i / 10 : 0));
      const result = mannKendall(values);
      const expected = bruteForce(values);
      expect(result.s).toBe(expected.s);
      expect(result.varS).toBe(expected.varS);
      expect(result.tau).toBe(expected.s / ((n * (n - 1)) / 2));
    }
  });

  it('reversing the series negates S, z and tau, and keeps p', () => {
    const forward = mannKendall(TIES);
    const backward = mannKendall([...TIES].reverse());
    expect([backward.s, backward.z, backward.tau]).toEqual([-forward.s, -forward.z, -forward.tau]);
    expect([backward.varS, backward.pValue, backward.trend]).toEqual([forward.varS, forward.pValue, 'decreasing']);
  });

  it('handles long series in O(n log n): 100 000 rising values', () => {
    const n = 100_000;
    const values = Array.from({ length: n }, (_, i) => Math.floor(i / 2)); // pairs of equal values
    const result = mannKendall(values);
    // Every pair rises except the n/2 tied pairs; each tie group of 2 takes 2·1·9 from 18·Var(S).
    expect(result.s).toBe((n * (n - 1)) / 2 - n / 2);
    expect(result.varS).toBe((n * (n - 1) * (2 * n + 5) - (n / 2) * 18) / 18);
    expect([result.pValue, result.trend]).toEqual([0, 'increasing']);
  });

  it('does not mutate its input', () => {
    const values = Object.freeze([3, 1, 2, 2, 5]);
    mannKendall(values);
    expect(values).toEqual([3, 1, 2, 2, 5]);
  });

  // toThrowError(instance) checks the class and the whole message.
  it.each([
    ['no values', [], {}, 'mannKendall: too few values `0`: expected at least 3'],
    ['two values', [1, 2], {}, 'mannKendall: too few values `2`: expected at least 3'],
    ['NaN', [1, Number.NaN, 3], {}, 'mannKendall: values[1] is `NaN`: expected a finite number'],
    ['Infinity', [1, 2, 3, Number.NEGATIVE_INFINITY], {}, 'mannKendall: values[3] is `-Infinity`: expected a finite number'],
    ['a string', ['1', 2, 3], {}, 'mannKendall: values[0] is `1`: expected a finite number'],
    ['alpha 0', [1, 2, 3], { alpha: 0 }, 'mannKendall: alpha `0` is out of range: expected 0 < alpha < 1'],
    ['alpha 1', [1, 2, 3], { alpha: 1 }, 'mannKendall: alpha `1` is out of range: expected 0 < alpha < 1'],
    ['alpha 5', [1, 2, 3], { alpha: 5 }, 'mannKendall: alpha `5` is out of range: expected 0 < alpha < 1'],
    ['alpha NaN', [1, 2, 3], { alpha: Number.NaN }, 'mannKendall: alpha `NaN` is out of range: expected 0 < alpha < 1'],
  ] as const)('throws for %s', (_name, values, options, message) => {
    expect(() => mannKendall(values as unknown as number[], options as MannKendallOptions)).toThrowError(new RangeError(message));
  });
});

// An AR(1) series (φ = 0.7, numpy default_rng(11), plus 0.03·i, rounded to 0.1), a random walk around
// 0.5·i (rounded to 0.01), and one that alternates (negative autocorrelation).
const AR = [0.0, 1.4, 2.3, 1.1, 0.5, -0.1, 0.6, 0.4, 1.1, -0.9, 1.0, 0.7, 1.3, 0.9, 0.4, 0.9, 1.6, 1.1, 0.8, 1.4, 0.3, -1.1, -0.1, -0.5, -2.1, -2.0, -1.6, -2.1, -2.7, -1.5, 0.1, 0.1, -0.3, 0.5, 1.4, 1.0, 1.6, 2.5, 1.9, 0.9];
const WALK = [0.28, 0.98, 2.36, 1.83, 1.8, 1.63, 0.74, 1.34, 2.26, 2.17, 3.78, 4.94, 5.94, 6.76, 8.03, 7.46, 8.45, 9.43, 8.52, 9.3, 9.6, 10.72, 10.87, 11.36, 12.13, 11.93, 12.91, 13.33, 14.22, 14.3];
const ALTERNATING = [1, 5, 2, 6, 3, 7, 4, 8, 5, 9, 6, 10, 7, 11, 8, 12];

/*
 * Expected values from pymannkendall 1.4.3 (numpy 2.4.6, scipy 1.17.1):
 *
 *   r = mk.hamed_rao_modification_test(values)          # alpha = 0.05, every lag
 *   r.s, r.var_s, r.z, 2 * st.norm.sf(abs(r.z)), r.trend, r.var_s / mk.original_test(values).var_s
 *
 * Columns: name, values, s, var_s, z, p (scipy's sf), trend, n/n*. Most factors are below 1: over all
 * lags the autocorrelation estimate of a short series is noisy, which is why the soak uses `widenOnly`.
 */
const HAMED_RAO: [string, number[], number, number, number, number, string, number][] = [
  ['increasing with noise', INCREASING, 56, 126.44068801897986, 4.8912432808485375, 1.0020102238363733e-6, 'increasing', 0.5945486897444194],
  ['flat', FLAT, 2, 18.03205128205128, 0.23549269134865927, 0.8138263508316078, 'no trend', 0.08479020979020979],
  ['ties, increasing', TIES, 91, 18.921054246440832, 20.690445603296784, 4.222926519957817e-95, 'increasing', 0.039120029455080974],
  ['300, weak trend', WEAK_300, 7879, 432629.4890361074, 11.977272132339893, 4.674530171531357e-33, 'increasing', 0.1434973335294325],
  ['AR(1), no trend: the variance nearly doubles', AR, -52, 13983.56098946584, -0.4312819531631778, 0.6662633708212214, 'no trend', 1.9028704966160535],
  ['random walk with a trend', WALK, 391, 4926.8510911594885, 5.556225826543073, 2.7567017695644135e-8, 'increasing', 1.5682284640295454],
  ['alternating', ALTERNATING, 80, 81.9196428571428, 8.728368356625275, 2.5837295653780345e-18, 'increasing', 0.1674107142857142],
];

describe('hamedRao', () => {
  it.each(HAMED_RAO)('%s: pymannkendall hamed_rao_modification_test', (_name, values, s, varS, z, p, trend, factor) => {
    const result = hamedRao(values);
    expect(result.method).toBe('hamed-rao');
    expect(result.s).toBe(s);
    expectRelative(result.varS, varS, 1e-12);
    expectRelative(result.z, z, 1e-12);
    expectRelative(result.pValue, p, 1e-9);
    expect(result.trend).toBe(trend);
    expectRelative(result.varianceFactor, factor, 1e-12);
  });

  it('with widenOnly never narrows the null: a factor below 1 is 1, one above is kept', () => {
    const plain = mannKendall(INCREASING);
    expect(hamedRao(INCREASING, { widenOnly: true })).toEqual({ ...plain, method: 'hamed-rao', varianceFactor: 1 });
    expectRelative(hamedRao(AR, { widenOnly: true }).varS, 13983.56098946584, 1e-12);
  });
});
