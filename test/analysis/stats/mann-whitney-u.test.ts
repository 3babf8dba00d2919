import { describe, expect, it } from 'vitest';
import { type MannWhitneyUOptions, mannWhitneyU } from '../../../analysis/stats/mann-whitney-u.ts';

/** |actual − expected| ≤ rel·|expected| (exact equality when expected is 0). */
function expectRelative(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));
}

// Samples built from arithmetic in the tests, and the same in the Python and R below.
const WIDE_X = Array.from({ length: 60 }, (_, i) => i * 3 + 0.5); // [i * 3 + 0.5 for i in range(60)]
const WIDE_Y = Array.from({ length: 10 }, (_, i) => i * 7 + 1); // [i * 7 + 1 for i in range(10)]
const EDGE_X = Array.from({ length: 49 }, (_, i) => i * 2); // [i * 2 for i in range(49)]
const EDGE_Y = Array.from({ length: 49 }, (_, i) => i * 2 + 5); // [i * 2 + 5 for i in range(49)]
// 30 + 30 integers with many ties: numpy.random.default_rng(20240611).integers(10, 40, 30) and then .integers(14, 44, 30).
const LARGE_X = [24, 15, 25, 39, 18, 27, 39, 35, 17, 17, 37, 13, 33, 33, 14, 25, 10, 38, 20, 29, 18, 15, 32, 25, 37, 30, 35, 33, 19, 18];
const LARGE_Y = [14, 37, 20, 26, 37, 39, 25, 31, 30, 18, 15, 42, 31, 33, 21, 17, 29, 41, 22, 40, 21, 24, 23, 40, 27, 22, 40, 34, 27, 15];

/*
 * Expected values from scipy 1.17.1 (Python 3.11):
 *
 *   from scipy.stats import mannwhitneyu
 *   for alt in ['two-sided', 'less', 'greater']:
 *       mannwhitneyu(x, y, alternative=alt, method='asymptotic', use_continuity=True)  # -> normal
 *       mannwhitneyu(x, y, alternative=alt, method='exact')                          # -> exact (no ties only)
 *
 * and cross-checked with R 4.2.2, which agrees to 1e-15 relative except where noted:
 *
 *   wilcox.test(x, y, alternative = alt, exact = FALSE, correct = TRUE)$p.value  # normal
 *   wilcox.test(x, y, alternative = alt, exact = TRUE)$p.value                   # exact
 *   wilcox.test(x, y, alternative = alt)                                          # R's default picks `auto` below
 *
 * Columns: name, x, y, U (scipy's statistic = R's W), normal p [two-sided, less, greater],
 * exact p [two-sided, less, greater] or null with ties, the method `auto` picks.
 */
const CASES: [string, number[], number[], number, [number, number, number], [number, number, number] | null, 'exact' | 'normal'][] = [
  // No ties, small: scipy's docstring example (Shier 2004), U = 17, exact p = 1/9.
  ['diabetes', [19, 22, 16, 29, 24], [20, 11, 17, 12], 17, [0.11134688653314041, 0.9669037101389033, 0.055673443266570206], [0.1111111111111111, 0.9682539682539683, 0.05555555555555555], 'exact'],
  // Ties within and across the samples: midranks, tie-corrected σ.
  ['ties', [1, 2, 2, 3, 4, 4, 5], [3, 4, 5, 5, 6, 7, 7, 8], 6.5, [0.014107907274540636, 0.007053953637270318, 0.9949353704386502], null, 'normal'],
  // Identical samples: U = n1·n2/2, two-sided p = 1.
  ['identical', [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 12.5, [1, 0.5422350133116141, 0.5422350133116141], null, 'normal'],
  // Completely separated: exact two-sided p = 2/C(10, 5).
  ['separated 5 + 5', [1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0, [0.012185780355344813, 0.006092890177672406, 0.9966923245172357], [0.007936507936507936, 0.003968253968253968, 1], 'exact'],
  // Completely separated, 20 + 20: exact two-sided p = 2/C(40, 20), far into the tail.
  [
    'separated 20 + 20',
    Array.from({ length: 20 }, (_, i) => i + 1),
    Array.from({ length: 20 }, (_, i) => i + 21),
    0,
    [6.795615128173358e-8, 3.397807564086679e-8, 0.9999999707854003],
    [1.4508889103849684e-11, 7.254444551924842e-12, 1],
    'exact',
  ],
  // Unequal sizes, 3 vs 12 (rounded log-normal draws).
  [
    'unequal 3 vs 12',
    [22.15, 23.83, 12.66],
    [34.73, 17.06, 27.18, 21.98, 39.59, 9.16, 28.49, 13.34, 14.19, 19.94, 10.98, 12.46],
    19,
    [0.9424675874144188, 0.5857034623906767, 0.4712337937072094],
    [0.9450549450549449, 0.5802197802197804, 0.47252747252747246],
    'exact',
  ],
  // n1 = 1.
  ['n1 = 1 vs 3', [5], [1, 2, 3], 3, [0.37109336952269756, 0.9631808649398487, 0.18554668476134878], [0.5, 1, 0.25], 'exact'],
  ['1 vs 1', [1], [2], 0, [1, 0.5, 0.9772498680518208], [1, 0.5, 1], 'exact'],
  // Every value equal: σ = 0. scipy gives p = 1; R gives NaN two-sided (0/0) and 1 one-sided.
  ['1 vs 1, tied', [1], [1], 0.5, [1, 1, 1], null, 'normal'],
  ['all equal', [2, 2, 2], [2, 2], 3, [1, 1, 1], null, 'normal'],
  // Larger, with ties.
  ['30 vs 30 with ties', LARGE_X, LARGE_Y, 378, [0.28996902101376576, 0.14498451050688288, 0.8583620715323954], null, 'normal'],
  // No ties but 60 values: `auto` takes the normal approximation, as R's default does.
  ['60 vs 10 without ties', WIDE_X, WIDE_Y, 488, [0.0016499440421610283, 0.9992211503234141, 0.0008249720210805142], [0.001011132511767361, 0.9995294168339296, 0.0005055662558836805], 'normal'],
  // The largest `auto` exact case, 49 + 49. Exact p from R (pwilcox, from counts); scipy's differs
  // by 1e-14 relative (0.39948860557122917 two-sided) as its uint64 counts overflow into floats.
  ['49 vs 49 without ties', EDGE_X, EDGE_Y, 1081, [0.3978205467559196, 0.1989102733779598, 0.8030664232452245], [0.39948860557123161, 0.19974430278561581, 0.80223478721853803], 'exact'],
];

const ALTERNATIVES = ['two-sided', 'less', 'greater'] as const;

// One row per case and alternative.
const NORMAL_ROWS = CASES.flatMap(([name, x, y, u, normal]) => ALTERNATIVES.map((alternative, i) => [name, alternative, x, y, u, normal[i] as number] as const));
const EXACT_ROWS = CASES.flatMap(([name, x, y, u, , exact]) =>
  exact === null ? [] : ALTERNATIVES.map((alternative, i) => [name, alternative, x, y, u, exact[i] as number] as const),
);

describe('mannWhitneyU', () => {
  it.each(NORMAL_ROWS)('%s, %s: normal approximation matches scipy asymptotic', (_name, alternative, x, y, u, p) => {
    const result = mannWhitneyU(Object.freeze([...x]), Object.freeze([...y]), { alternative, method: 'normal' });
    expect(result.u).toBe(u);
    expect(result.method).toBe('normal');
    expect([result.n1, result.n2]).toEqual([x.length, y.length]);
    expectRelative(result.p, p, 1e-13);
  });

  it.each(EXACT_ROWS)('%s, %s: exact matches scipy exact', (_name, alternative, x, y, u, p) => {
    const result = mannWhitneyU(Object.freeze([...x]), Object.freeze([...y]), { alternative, method: 'exact' });
    expect(result.u).toBe(u);
    expect(result.method).toBe('exact');
    expect(result.ties).toBe(false);
    expectRelative(result.p, p, 1e-13);
  });

  it.each(CASES)('%s: auto picks the method of R\'s wilcox.test default', (_name, x, y, _u, normal, exact, auto) => {
    const result = mannWhitneyU(Object.freeze([...x]), Object.freeze([...y]));
    expect(result.method).toBe(auto);
    expect(result.ties).toBe(exact === null);
    expectRelative(result.p, (auto === 'exact' && exact !== null ? exact : normal)[0], 1e-13);
  });

  it('reports the U of x, so swapping the samples gives n1·n2 − U and swaps less/greater', () => {
    const x = [19, 22, 16, 29, 24];
    const y = [20, 11, 17, 12];
    expect(mannWhitneyU(y, x).u).toBe(3);
    // scipy: mannwhitneyu(females, males, alternative='less', method='exact') -> (3.0, 0.05555555555555555)
    expectRelative(mannWhitneyU(y, x, { alternative: 'less' }).p, 0.05555555555555555, 1e-13);
    expect(mannWhitneyU(y, x, { alternative: 'greater' }).p).toBeCloseTo(mannWhitneyU(x, y, { alternative: 'less' }).p, 15);
  });

  it('does not mutate its inputs and does not depend on their order', () => {
    const x = Object.freeze([5, 1, 4, 4, 2]);
    const y = Object.freeze([3, 9, 4, 8]);
    const sorted = mannWhitneyU([1, 2, 4, 4, 5], [3, 4, 8, 9]);
    expect(mannWhitneyU(x, y)).toEqual(sorted);
    expect(x).toEqual([5, 1, 4, 4, 2]);
  });

  // Error messages: the exact text and the error class.
  it.each([
    ['empty x', [], [1], {}, RangeError, 'mannWhitneyU: x is empty: expected at least one value'],
    ['empty y', [1], [], {}, RangeError, 'mannWhitneyU: y is empty: expected at least one value'],
    ['NaN', [1, Number.NaN], [2], {}, TypeError, 'mannWhitneyU: x[1] is `NaN`: expected a finite number'],
    ['Infinity', [1], [2, 3, Number.POSITIVE_INFINITY], {}, TypeError, 'mannWhitneyU: y[2] is `Infinity`: expected a finite number'],
    ['a string', [1], ['2'], {}, TypeError, 'mannWhitneyU: y[0] is `2`: expected a finite number'],
    [
      'exact with ties',
      [1, 2],
      [2, 3],
      { method: 'exact' },
      RangeError,
      'mannWhitneyU: method `exact` cannot be used with ties: its null distribution assumes distinct values\nNote: use method `normal` (tie-corrected) or `auto`',
    ],
    [
      'exact too large',
      Array.from({ length: 101 }, (_, i) => i),
      Array.from({ length: 100 }, (_, i) => i + 0.5),
      { method: 'exact' },
      RangeError,
      'mannWhitneyU: method `exact` needs n1·n2 ≤ 10000, got `10100` (101 × 100)\nNote: use method `normal` or `auto`',
    ],
    ['unknown alternative', [1], [2], { alternative: 'bigger' }, RangeError, 'mannWhitneyU: unknown alternative `bigger`: expected `two-sided`, `less` or `greater`'],
    ['unknown method', [1], [2], { method: 'permutation' }, RangeError, 'mannWhitneyU: unknown method `permutation`: expected `auto`, `exact` or `normal`'],
  ] as const)('throws for %s', (_name, x, y, options, type, message) => {
    // toThrowError(instance) checks the class and the whole message.
    expect(() => mannWhitneyU(x as unknown as number[], y as unknown as number[], options as MannWhitneyUOptions)).toThrowError(new type(message));
  });
});
