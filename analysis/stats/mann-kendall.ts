import { normalCdf } from './normal-cdf.ts';
import { normalQuantile } from './normal-quantile.ts';
import { theilSen } from './theil-sen.ts';

/**
 * The Mann–Kendall test for a monotonic trend in a series given in time order: are later values
 * systematically larger (or smaller) than earlier ones, without assuming the trend is linear or the
 * noise normal?
 *
 * Definition, for the values x_1 … x_n in time order:
 * - S = Σ_{i<j} sign(x_j − x_i): the pairs that rise minus the pairs that fall (equal pairs count 0);
 * - Var(S) = [n(n − 1)(2n + 5) − Σ_t t(t − 1)(2t + 5)] / 18, the null variance of S with the
 *   correction for ties, t running over the sizes of the groups of equal values (Kendall 1975);
 * - z = (S − 1)/σ if S > 0, (S + 1)/σ if S < 0, 0 if S = 0 (σ = √Var(S)): the continuity correction
 *   of 1, half the step of S (S moves in steps of 2 when there are no ties);
 * - the two-sided p-value 2·(1 − Φ(|z|)) under the normal approximation of S;
 * - Kendall's tau-a between the values and time, τ = S / (n(n − 1)/2);
 * - `trend`: `increasing` (z > 0) or `decreasing` (z < 0) when p < alpha, else `no trend`.
 *
 * These are the `s`, `var_s`, `z`, `p`, `Tau` and `trend` of pymannkendall's
 * `original_test(values, alpha)` (pymannkendall 1.4.3, checked against its source): the same tie
 * correction (its `__variance_s` counts each distinct value's occurrences t and subtracts
 * Σ t(t − 1)(2t + 5); values that occur once add 0, so its no-tie branch is the same formula), the same
 * continuity correction (`__z_score`), the same τ. Two details differ only in rounding:
 * - pymannkendall evaluates p as `2*(1 - norm.cdf(abs(z)))`, which cancels to 0 once p is below about
 *   1e-16; here it is 2·Φ(−|z|), the upper tail itself, so a strong trend keeps the digits of its
 *   p-value (scipy's `2*norm.sf(abs(z))`). The two agree to about 1e-16 absolute.
 * - pymannkendall decides the trend by |z| > Φ⁻¹(1 − alpha/2); here by p < alpha, the same condition
 *   (Φ is increasing), which can differ only for a z within rounding of the critical value.
 * Values that are all equal give S = 0, Var(S) = 0, z = 0 and p = 1 (pymannkendall the same).
 * The test assumes independent observations; autocorrelated series (common in latency time series)
 * reject too often, as for pymannkendall's `original_test`: `hamedRao` below corrects for that.
 *
 * Cost: S is counted as n(n − 1)/2 − (tied pairs) − 2·(inversions), the inversions (pairs i < j with
 * x_i > x_j) counted by a merge sort: O(n log n) time and O(n) memory, so even a series of a million
 * values takes well under a second. S, Var(S)·18 and the counts are integers computed exactly in
 * doubles while n(n − 1)(2n + 5) < 2⁵³, that is for n up to about 165 000.
 *
 * Sources: H. B. Mann, "Nonparametric tests against trend", Econometrica 13(3), 1945, pp. 245–259;
 * M. G. Kendall, Rank Correlation Methods, 4th ed., Griffin, London, 1975 (the variance of S with
 * ties); R. O. Gilbert, Statistical Methods for Environmental Pollution Monitoring, Van Nostrand
 * Reinhold, 1987, ch. 16 (the test as applied to a time series, with the continuity correction);
 * M. M. Hussain & I. Mahmud, "pyMannKendall: a python package for non parametric Mann Kendall family
 * of trend tests", Journal of Open Source Software 4(39), 2019, 1556.
 */
export function mannKendall(values: readonly number[], options: MannKendallOptions = {}): MannKendallResult {
  const { alpha = 0.05 } = options;
  if (!(typeof alpha === 'number' && alpha > 0 && alpha < 1)) {
    throw new RangeError(`mannKendall: alpha \`${String(alpha)}\` is out of range: expected 0 < alpha < 1`);
  }
  const n = values.length;
  if (n < 3) throw new RangeError(`mannKendall: too few values \`${n}\`: expected at least 3`);
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`mannKendall: values[${i}] is \`${String(v)}\`: expected a finite number`);
    }
    sorted[i] = v;
  }
  const inversions = sortCountingInversions(sorted);

  let tiedPairs = 0;
  let tieTerm = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && sorted[end] === sorted[start]) end++;
    const t = end - start;
    tiedPairs += (t * (t - 1)) / 2;
    tieTerm += t * (t - 1) * (2 * t + 5);
    start = end;
  }
  const pairs = (n * (n - 1)) / 2;
  // Every pair rises, falls or is tied: S = rising − falling = pairs − tied − 2·falling.
  const s = pairs - tiedPairs - 2 * inversions;
  const varS = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18;
  const sigma = Math.sqrt(varS);
  const z = s > 0 ? (s - 1) / sigma : s < 0 ? (s + 1) / sigma : 0;
  const pValue = 2 * normalCdf(-Math.abs(z));
  const trend = pValue < alpha ? (z > 0 ? 'increasing' : 'decreasing') : 'no trend';
  return { n, s, varS, z, pValue, tau: s / pairs, trend, method: 'mann-kendall', varianceFactor: 1 };
}

/**
 * The Mann–Kendall test with Hamed and Rao's correction for autocorrelation: S as `mannKendall`, its
 * variance multiplied by n/n*, the "effective sample size" ratio of the series' autocorrelation.
 *
 * Definition (Hamed & Rao 1998), as pymannkendall's `hamed_rao_modification_test(values, alpha)`
 * computes it (pymannkendall 1.4.3, checked against its source):
 * - detrend: r_i = x_i − i·b (i = 1 … n), b the Sen slope of the values against their index (the
 *   median of (x_j − x_i)/(j − i) over i < j);
 * - rank the r_i (ties: average ranks) and take their sample autocorrelation ρ_k, k = 1 … n − 1
 *   (autocovariance with divisor n over the variance, as statsmodels' `acf`);
 * - keep the ρ_k outside ±Φ⁻¹(1 − alpha/2)/√n (the significant lags);
 * - n/n* = 1 + 2/(n(n − 1)(n − 2)) · Σ_k (n − k)(n − k − 1)(n − k − 2)·ρ_k over those lags;
 * - Var*(S) = Var(S)·n/n*; z and p as `mannKendall` with it.
 * Positive autocorrelation (a slow second drags its neighbours) makes n/n* > 1, a wider null and a
 * larger p. When strong negative autocorrelation makes n/n* ≤ 0 the corrected variance has no
 * meaning: pymannkendall then returns NaN; here the factor is clamped to a small positive value
 * (1e-6, a vanishing variance) and `varianceFactor` says so.
 *
 * `widenOnly` keeps n/n* ≥ 1: the correction may only make a trend harder to claim. Over all n − 1
 * lags (pymannkendall's default) the estimate is noisy on short series: 12 values without a trend gave
 * n/n* = 0.011 and p = 0.20 where the uncorrected test gives 0.89. A report that claims trends uses it.
 *
 * Cost: O(n²) for the autocorrelations (n = 1 000: a few ms).
 *
 * Source: K. H. Hamed & A. R. Rao, "A modified Mann-Kendall trend test for autocorrelated data",
 * Journal of Hydrology 204(1–4), 1998, pp. 182–196.
 */
export function hamedRao(values: readonly number[], options: HamedRaoOptions = {}): MannKendallResult {
  const base = mannKendall(values, options);
  const { alpha = 0.05, widenOnly = false } = options;
  const n = values.length;
  // The Sen slope against the index (pymannkendall's `sens_slope`): the median of the same pairwise slopes.
  const b = theilSen(values.map((_, i) => i + 1), values).slope;
  const ranks = averageRanks(values.map((v, i) => v - (i + 1) * b));
  const mean = ranks.reduce((a, r) => a + r, 0) / n;
  const centred = ranks.map((r) => r - mean);
  const acov = (lag: number): number => {
    let sum = 0;
    for (let i = 0; i + lag < n; i++) sum += (centred[i] as number) * (centred[i + lag] as number);
    return sum / n;
  };
  const variance = acov(0);
  const bound = normalQuantile(1 - alpha / 2) / Math.sqrt(n);
  let sum = 0;
  if (variance > 0) {
    for (let lag = 1; lag < n; lag++) {
      const rho = acov(lag) / variance;
      if (rho > bound || rho < -bound) sum += (n - lag) * (n - lag - 1) * (n - lag - 2) * rho;
    }
  }
  const factor = Math.max(1 + (2 / (n * (n - 1) * (n - 2))) * sum, widenOnly ? 1 : 1e-6);
  const varS = base.varS * factor;
  const sigma = Math.sqrt(varS);
  const z = base.s > 0 ? (base.s - 1) / sigma : base.s < 0 ? (base.s + 1) / sigma : 0;
  const pValue = 2 * normalCdf(-Math.abs(z));
  const trend = pValue < alpha ? (z > 0 ? 'increasing' : 'decreasing') : 'no trend';
  return { ...base, varS, z, pValue, trend, method: 'hamed-rao', varianceFactor: factor };
}

/** Ranks 1 … n, ties given the mean of their ranks (scipy's `rankdata`, method `average`). */
function averageRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && (order[end] as readonly [number, number])[0] === (order[start] as readonly [number, number])[0]) end++;
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[(order[i] as readonly [number, number])[1]] = rank;
    start = end;
  }
  return ranks;
}

export interface MannKendallOptions {
  /** Significance level for `trend`, 0 < alpha < 1; default 0.05. */
  alpha?: number;
}

export interface HamedRaoOptions extends MannKendallOptions {
  /** Keep n/n* ≥ 1 (see `hamedRao`); default false, as pymannkendall. */
  widenOnly?: boolean;
}

export interface MannKendallResult {
  /** Number of values. */
  n: number;
  /** S = Σ_{i<j} sign(x_j − x_i) (pymannkendall's `s`). */
  s: number;
  /** The tie-corrected null variance of S (pymannkendall's `var_s`). */
  varS: number;
  /** The continuity-corrected normal score of S (pymannkendall's `z`). */
  z: number;
  /** Two-sided p-value 2·Φ(−|z|) (pymannkendall's `p`). */
  pValue: number;
  /** Kendall's tau-a of the values against time, S / (n(n − 1)/2) (pymannkendall's `Tau`). */
  tau: number;
  /** The direction of the trend when p < alpha, else `no trend` (pymannkendall's `trend`). */
  trend: 'increasing' | 'decreasing' | 'no trend';
  method: 'mann-kendall' | 'hamed-rao';
  /** n/n*, what autocorrelation multiplied Var(S) by (1 for `mann-kendall`; clamped at 1e-6, see `hamedRao`). */
  varianceFactor: number;
}

/**
 * Sorts `a` ascending in place (bottom-up merge sort) and returns the number of pairs i < j of the
 * original order with a[i] > a[j]. Equal values are taken from the left run first, so they are never
 * counted.
 */
function sortCountingInversions(a: Float64Array<ArrayBuffer>): number {
  const n = a.length;
  let from: Float64Array<ArrayBuffer> = a;
  let to = new Float64Array(n);
  let inversions = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if ((from[i] as number) <= (from[j] as number)) {
          to[k++] = from[i++] as number;
        } else {
          // from[j] is below every value left in the left run: that many inversions.
          inversions += mid - i;
          to[k++] = from[j++] as number;
        }
      }
      while (i < mid) to[k++] = from[i++] as number;
      while (j < hi) to[k++] = from[j++] as number;
    }
    [from, to] = [to, from];
  }
  if (from !== a) a.set(from);
  return inversions;
}
