import { describe, expect, it } from 'vitest';
import { type HodgesLehmannOptions, hodgesLehmann } from '../../../analysis/stats/hodges-lehmann.ts';
import { mulberry32 } from '../../../analysis/stats/random.ts';

// Samples built from arithmetic, the same in the R below.
const WIDE_X = Array.from({ length: 60 }, (_, i) => i * 3 + 0.5); // x <- (0:59) * 3 + 0.5
const WIDE_Y = Array.from({ length: 10 }, (_, i) => i * 7 + 1); // y <- (0:9) * 7 + 1
const EDGE_X = Array.from({ length: 49 }, (_, i) => i * 2); // x <- (0:48) * 2
const EDGE_Y = Array.from({ length: 49 }, (_, i) => i * 2 + 5); // y <- (0:48) * 2 + 5
const SEP_X = Array.from({ length: 20 }, (_, i) => i + 1); // x <- 1:20
const SEP_Y = Array.from({ length: 20 }, (_, i) => i + 21); // y <- 21:40
// numpy.random.default_rng(20240611).integers(10, 40, 30) and then .integers(14, 44, 30): many ties.
const LARGE_X = [24, 15, 25, 39, 18, 27, 39, 35, 17, 17, 37, 13, 33, 33, 14, 25, 10, 38, 20, 29, 18, 15, 32, 25, 37, 30, 35, 33, 19, 18];
const LARGE_Y = [14, 37, 20, 26, 37, 39, 25, 31, 30, 18, 15, 42, 31, 33, 21, 17, 29, 41, 22, 40, 21, 24, 23, 40, 27, 22, 40, 34, 27, 15];
const DIABETES_X = [19, 22, 16, 29, 24];
const DIABETES_Y = [20, 11, 17, 12];
const UNEQUAL_X = [22.15, 23.83, 12.66];
const UNEQUAL_Y = [34.73, 17.06, 27.18, 21.98, 39.59, 9.16, 28.49, 13.34, 14.19, 19.94, 10.98, 12.46];

/*
 * Exact method (no ties, both samples under 50). Expected values from R 4.2.2 — note the order of the
 * samples: hodgesLehmann(x, y) estimates the shift of y relative to x, R's wilcox.test(y, x):
 *
 *   options(digits = 17); m <- length(x); n <- length(y)
 *   r <- wilcox.test(y, x, conf.int = TRUE, conf.level = cl)
 *   c(r$estimate, r$conf.int)                                 # estimate, lower, upper
 *   k <- max(qwilcox((1 - cl) / 2, n, m), 1)
 *   1 - 2 * pwilcox(k - 1, n, m)                              # achieved
 *
 * R also reports `achieved` as attr(r$conf.int, "conf.level") when it warns "Requested conf.level
 * not achievable" (the rows where achieved < confidence).
 */
const EXACT: [string, number[], number[], number, number, number, number, number][] = [
  ['diabetes', DIABETES_X, DIABETES_Y, 0.95, -7, -17, 1, 0.96825396825396826],
  ['diabetes', DIABETES_X, DIABETES_Y, 0.9, -7, -13, 1, 0.93650793650793651],
  ['diabetes, 99% not achievable', DIABETES_X, DIABETES_Y, 0.99, -7, -18, 4, 0.98412698412698418],
  ['separated 5 + 5', [1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0.95, 5, 2, 8, 0.96825396825396826],
  ['separated 5 + 5', [1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0.9, 5, 3, 7, 0.90476190476190477],
  ['separated 5 + 5', [1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0.99, 5, 1, 9, 0.99206349206349209],
  ['separated 20 + 20', SEP_X, SEP_Y, 0.95, 20, 16, 24, 0.9509096748106276],
  ['separated 20 + 20', SEP_X, SEP_Y, 0.9, 20, 17, 23, 0.90350044756389969],
  ['separated 20 + 20', SEP_X, SEP_Y, 0.99, 20, 15, 25, 0.990516392808795],
  ['unequal 3 vs 12', UNEQUAL_X, UNEQUAL_Y, 0.95, -0.18499999999999872, -11.169999999999998, 15.760000000000005, 0.9516483516483516],
  ['unequal 3 vs 12', UNEQUAL_X, UNEQUAL_Y, 0.9, -0.18499999999999872, -10.489999999999998, 14.52, 0.9296703296703297],
  ['unequal 3 vs 12', UNEQUAL_X, UNEQUAL_Y, 0.99, -0.18499999999999872, -12.989999999999998, 22.069999999999997, 0.99120879120879124],
  ['49 vs 49', EDGE_X, EDGE_Y, 0.95, 5, -7, 17, 0.95042866947031213],
  ['49 vs 49', EDGE_X, EDGE_Y, 0.9, 5, -5, 15, 0.90058141711260264],
  ['49 vs 49', EDGE_X, EDGE_Y, 0.99, 5, -11, 21, 0.99011011782730585],
  // Too small for the confidence: the interval is [min, max] of the differences, achieved says how much it covers.
  ['3 vs 3 at 95%: at most 90%', [1.1, 2.5, 3.2], [2.9, 4.4, 5.0], 0.95, 1.7999999999999998, -0.30000000000000027, 3.8999999999999999, 0.9],
  ['1 vs 3', [5], [1, 2, 3], 0.95, -3, -4, -2, 0.5],
  ['1 vs 1', [1], [2], 0.95, 1, 1, 1, 0],
];

/*
 * Normal approximation (ties, or 50+ values). R finds the interval ends with uniroot(tol = 1e-4), so
 * R's numbers (first triple) are within 1e-4 of the differences this function returns. Those exact
 * values (second triple) and `achieved` come from a brute force in Python 3.11 with scipy 1.17.1:
 *
 *   d = np.sort(np.subtract.outer(np.array(y, float), np.array(x, float)).ravel()); N = d.size
 *   ties = lambda v: sum(t**3 - t for t in collections.Counter(v).values())
 *   sigma = math.sqrt(N / 12 * (m + n + 1 - (ties(x) + ties(y)) / ((m + n) * (m + n - 1))))
 *   k = max(math.ceil(N / 2 - 0.5 - scipy.stats.norm.ppf(1 - (1 - cl) / 2) * sigma), 1)
 *   np.median(d), d[k - 1], d[N - k], 1 - 2 * scipy.stats.norm.cdf((k - 0.5 - N / 2) / sigma)
 *
 * Columns: name, x, y, confidence, R [estimate, lower, upper], exact [estimate, lower, upper], achieved.
 */
const NORMAL: [string, number[], number[], number, [number, number, number], [number, number, number], number][] = [
  ['ties', [1, 2, 2, 3, 4, 4, 5], [3, 4, 5, 5, 6, 7, 7, 8], 0.95, [2.9999989144887937, 0.9999940920252517, 4.999987720320892], [3, 1, 5], 0.9578972818833976],
  ['ties', [1, 2, 2, 3, 4, 4, 5], [3, 4, 5, 5, 6, 7, 7, 8], 0.9, [2.9999989144887937, 1.0000465810869292, 4.0000030349226074], [3, 1, 4], 0.9078326819553262],
  ['ties', [1, 2, 2, 3, 4, 4, 5], [3, 4, 5, 5, 6, 7, 7, 8], 0.99, [2.9999989144887937, -1.0782052253612793e-5, 5.000047624403247], [3, 0, 5], 0.991030610865164],
  ['identical', [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 0.95, [0, -2.999970296856296, 2.999970296856296], [0, -3, 3], 0.9632861436372959],
  ['identical', [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 0.9, [0, -2.0000163924185044, 2.0000163924185044], [0, -2, 2], 0.9053070574005241],
  // k = 1 already: R returns [min, max] and keeps conf.level 0.99; achieved says the approximation covers 98.8%.
  ['identical, 99% not achievable', [1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 0.99, [0, -4, 4], [0, -4, 4], 0.9878142196446552],
  ['30 vs 30 with ties', LARGE_X, LARGE_Y, 0.95, [2.0000339213709983, -2.9999867083160057, 7.000084262113255], [2, -3, 7], 0.9516707159439585],
  ['30 vs 30 with ties', LARGE_X, LARGE_Y, 0.9, [2.0000339213709983, -1.9999640608010227, 6.000012166662077], [2, -2, 6], 0.9008691894885972],
  ['30 vs 30 with ties', LARGE_X, LARGE_Y, 0.99, [2.0000339213709983, -4.000010769851354, 8.99998053406676], [2, -4, 9], 0.9901442749407673],
  ['60 vs 10 without ties', WIDE_X, WIDE_Y, 0.95, [-56.5, -91.50007013232447, -21.49992986767555], [-56.5, -91.5, -21.5], 0.9513990906538247],
  ['60 vs 10 without ties', WIDE_X, WIDE_Y, 0.9, [-56.5, -86.49997112054669, -26.500028879453335], [-56.5, -86.5, -26.5], 0.9017072447274399],
  ['60 vs 10 without ties', WIDE_X, WIDE_Y, 0.99, [-56.5, -102.50006064186798, -10.499939358132018], [-56.5, -102.5, -10.5], 0.9900132219017682],
  ['2 vs 2 with ties, too small', [1, 1], [2, 3], 0.95, [1.5, 1, 2], [1.5, 1, 2], 0.7793286380801532],
];

describe('hodgesLehmann', () => {
  it.each(EXACT)('exact: %s, confidence %s, matches R wilcox.test(y, x, conf.int = TRUE)', (_name, x, y, confidence, estimate, lower, upper, achieved) => {
    const result = hodgesLehmann(Object.freeze([...x]), Object.freeze([...y]), { confidence });
    expect(result.method).toBe('exact');
    expect(result.confidence).toBe(confidence);
    expect(result.estimate).toBeCloseTo(estimate, 12);
    expect([result.lower, result.upper]).toEqual([lower, upper]);
    expect(result.achieved).toBeCloseTo(achieved, 14);
  });

  it.each(NORMAL)('normal: %s, confidence %s, matches R within its uniroot tolerance', (_name, x, y, confidence, fromR, exact, achieved) => {
    const result = hodgesLehmann(Object.freeze([...x]), Object.freeze([...y]), { confidence });
    expect(result.method).toBe('normal');
    expect([result.estimate, result.lower, result.upper]).toEqual(exact);
    [result.estimate, result.lower, result.upper].forEach((value, i) => expect(Math.abs(value - (fromR[i] as number))).toBeLessThan(1e-4));
    expect(result.achieved).toBeCloseTo(achieved, 13);
  });

  it('estimates the median of the differences where R reports another root of its statistic', () => {
    // D = y − x sorted: 1.3, 2.3, 2.3, 3.1, 4.1, 4.1 — the median is (2.3 + 3.1) / 2. R's estimate
    // (normal case) is whichever point uniroot lands on where the uncorrected statistic is 0, anywhere
    // in [2.3, 3.1]: wilcox.test(c(3.3, 5.1), c(1, 1, 2), conf.int = TRUE)$estimate = 2.8147186257614294.
    // Its conf.int, 1.2999999999999998 4.0999999999999996, is [min D, max D], as here.
    const result = hodgesLehmann([1, 1, 2], [3.3, 5.1]);
    expect(result.estimate).toBeCloseTo(2.7, 12);
    expect([result.lower, result.upper]).toEqual([3.3 - 2, 5.1 - 1]);
  });

  it('uses the normal rule on tie-free data when asked, as R with exact = FALSE', () => {
    // R: wilcox.test(c(20, 11, 17, 12), c(19, 22, 16, 29, 24), conf.int = TRUE, exact = FALSE)
    //   estimate -7, conf.int -17.0000331062231744 1.0000730128628987 (uniroot, tol 1e-4)
    // Python as above (no ties): k = 2, d[1] = -17, d[N - 2] = 1, achieved 0.9626635840793372.
    const result = hodgesLehmann(DIABETES_X, DIABETES_Y, { method: 'normal' });
    expect(result).toEqual({ estimate: -7, lower: -17, upper: 1, confidence: 0.95, achieved: expect.closeTo(0.9626635840793372, 13), method: 'normal' });
  });

  it('returns a degenerate interval when every difference is 0 (R stops: all observations are tied)', () => {
    const result = hodgesLehmann([2, 2, 2], [2, 2]);
    expect([result.estimate, result.lower, result.upper, result.method]).toEqual([0, 0, 0, 'normal']);
  });

  it('is a shift of y relative to x: swapping the samples negates it', () => {
    const forward = hodgesLehmann(UNEQUAL_X, UNEQUAL_Y);
    const backward = hodgesLehmann(UNEQUAL_Y, UNEQUAL_X);
    expect(backward.estimate).toBeCloseTo(-forward.estimate, 12);
    expect([backward.lower, backward.upper]).toEqual([-forward.upper, -forward.lower]);
  });

  it('selects the same order statistics as sorting all differences (random samples with ties)', () => {
    const random = mulberry32(2024);
    for (let round = 0; round < 200; round++) {
      const m = 1 + Math.floor(random() * 60);
      const n = 1 + Math.floor(random() * 60);
      const scale = random() < 0.5 ? 1 : 100; // scale 1 rounds to few values: many ties
      const x = Array.from({ length: m }, () => Math.round(random() * 10 * scale) / scale);
      const y = Array.from({ length: n }, () => Math.round((random() * 10 + 2) * scale) / scale);
      const d = x.flatMap((a) => y.map((b) => b - a)).sort((a, b) => a - b);
      const cells = d.length;
      const median = cells % 2 === 1 ? (d[(cells - 1) / 2] as number) : ((d[cells / 2 - 1] as number) + (d[cells / 2] as number)) / 2;
      const result = hodgesLehmann(x, y);
      expect(result.estimate).toBe(median);
      // lower = D_(k) and upper = D_(N + 1 − k) for one k: the ranks of the two values must pair up.
      const lowRanks = [d.filter((v) => v < result.lower).length, d.filter((v) => v <= result.lower).length - 1];
      const highRanks = [d.filter((v) => v < result.upper).length, d.filter((v) => v <= result.upper).length - 1];
      expect(lowRanks[0]).toBeLessThanOrEqual(lowRanks[1] as number);
      expect(Math.max(lowRanks[0] as number, cells - 1 - (highRanks[1] as number))).toBeLessThanOrEqual(Math.min(lowRanks[1] as number, cells - 1 - (highRanks[0] as number)));
    }
  });

  it('handles large samples without forming every difference', () => {
    const random = mulberry32(9);
    const x = Array.from({ length: 501 }, () => Math.round(random() * 1e4) / 100);
    const y = Array.from({ length: 701 }, () => Math.round(random() * 1e4 + 500) / 100);
    const d = Float64Array.from(x.flatMap((a) => y.map((b) => b - a))).sort();
    const result = hodgesLehmann(x, y);
    // 501 · 701 = 351 201 differences: the median is the 175 601st.
    expect(result.estimate).toBe(d[175_600]);
    expect(result.method).toBe('normal');
    const huge = Array.from({ length: 50_000 }, (_, i) => i / 7);
    expect(hodgesLehmann(huge, huge.map((v) => v + 3)).estimate).toBeCloseTo(3, 9);
  });

  it('does not mutate its inputs', () => {
    const x = Object.freeze([3, 1, 2]);
    const y = Object.freeze([9, 4, 6]);
    hodgesLehmann(x, y);
    expect([x, y]).toEqual([[3, 1, 2], [9, 4, 6]]);
  });

  // toThrowError(instance) checks the class and the whole message.
  it.each([
    ['empty x', [], [1], {}, RangeError, 'hodgesLehmann: x is empty: expected at least one value'],
    ['empty y', [1], [], {}, RangeError, 'hodgesLehmann: y is empty: expected at least one value'],
    ['NaN', [1], [2, Number.NaN], {}, TypeError, 'hodgesLehmann: y[1] is `NaN`: expected a finite number'],
    ['confidence 1', [1], [2], { confidence: 1 }, RangeError, 'hodgesLehmann: confidence `1` is out of range: expected 0 < confidence < 1'],
    ['confidence 95', [1], [2], { confidence: 95 }, RangeError, 'hodgesLehmann: confidence `95` is out of range: expected 0 < confidence < 1'],
    [
      'exact with ties',
      [1, 2],
      [2, 3],
      { method: 'exact' },
      RangeError,
      'hodgesLehmann: method `exact` cannot be used with ties: its null distribution assumes distinct values\nNote: use method `normal` (tie-corrected) or `auto`',
    ],
    ['unknown method', [1], [2], { method: 'bootstrap' }, RangeError, 'hodgesLehmann: unknown method `bootstrap`: expected `auto`, `exact` or `normal`'],
  ] as const)('throws for %s', (_name, x, y, options, type, message) => {
    expect(() => hodgesLehmann(x as readonly number[], y as readonly number[], options as HodgesLehmannOptions)).toThrowError(new type(message));
  });
});
