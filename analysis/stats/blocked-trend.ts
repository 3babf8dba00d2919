import { mannKendall } from './mann-kendall.ts';
import { normalCdf } from './normal-cdf.ts';
import { normalQuantile } from './normal-quantile.ts';
import { theilSen } from './theil-sen.ts';
import { kendallTieTerm, median, roundHalfEven } from './median.ts';

/**
 * A trend over several stretches of one series that must not be joined: a replica's memory between
 * its restarts (each OOM kill drops it back to where it started, so a straight line through the whole
 * sawtooth would hide the leak). Pairs of points are only ever formed within a stretch:
 *
 * - the test is the seasonal Kendall test (Hirsch, Slack & Smith 1982) with the stretches as its
 *   "seasons": S = Σ_k S_k, the Mann–Kendall S of each stretch in time order, Var(S) = Σ_k Var(S_k),
 *   each with its own tie correction; z = (S ∓ 1)/√Var(S) (continuity correction, 0 when S = 0) and
 *   the two-sided p = 2·Φ(−|z|);
 * - the slope is the median of every within-stretch pairwise slope (y_j − y_i)/(x_j − x_i), the
 *   seasonal Kendall slope estimator (Hirsch et al. 1982; Gilbert 1987, §17.6), and its interval is
 *   Sen's over those N slopes with σ² = Σ_k σ_k², σ_k² the variance `theilSen` uses for stretch k
 *   (x and y ties subtracted): the slopes ranked about z·σ/2 either side of the median, with the
 *   same ranks and rounding as `theilSen` (Gilbert 1987, §17.6: M₁ = (N − C)/2, M₂ = (N + C)/2,
 *   C = z₁₋α/₂·σ);
 * - the intercept is that of the longest stretch's own line with the common slope:
 *   median(y) − slope·median(x) there (a level per stretch is what the stretches do not share).
 *
 * With one stretch every number is `theilSen`'s and `mannKendall`'s (tested). Stretches of fewer than
 * two points carry no pair and are left out; `stretches` counts those used.
 *
 * Sources: R. M. Hirsch, J. R. Slack & R. A. Smith, "Techniques of trend analysis for monthly water
 * quality data", Water Resources Research 18(1), 1982, pp. 107–121; R. O. Gilbert, Statistical Methods
 * for Environmental Pollution Monitoring, Van Nostrand Reinhold, 1987, ch. 17; P. K. Sen, JASA 63(324),
 * 1968 (the interval).
 */
export function blockedTrend(stretches: readonly { readonly x: readonly number[]; readonly y: readonly number[] }[], options: { confidence?: number } = {}): BlockedTrendResult {
  const { confidence = 0.95 } = options;
  if (!(typeof confidence === 'number' && confidence > 0 && confidence < 1)) {
    throw new RangeError(`blockedTrend: confidence \`${String(confidence)}\` is out of range: expected 0 < confidence < 1`);
  }
  const used = stretches.filter((stretch) => {
    if (stretch.x.length !== stretch.y.length) throw new RangeError(`blockedTrend: a stretch has \`${stretch.x.length}\` x and \`${stretch.y.length}\` y: expected one y per x`);
    return stretch.x.length >= 2 && new Set(stretch.x).size >= 2;
  });
  const n = used.reduce((sum, stretch) => sum + stretch.x.length, 0);
  if (used.length === 0) throw new RangeError('blockedTrend: no stretch has two points with different x: expected at least one');

  let s = 0;
  let varS = 0;
  let sigma2 = 0;
  const slopes: number[] = [];
  for (const stretch of used) {
    const order = stretch.x.map((_, i) => i).sort((a, b) => (stretch.x[a] as number) - (stretch.x[b] as number));
    const x = order.map((i) => stretch.x[i] as number);
    const y = order.map((i) => stretch.y[i] as number);
    if (x.length >= 3) {
      const test = mannKendall(y);
      s += test.s;
      varS += test.varS;
    } else {
      // Two points: S = ±1 or 0, Var(S) = 2·1·9/18 = 1 without ties, 0 with.
      const sign = Math.sign((y[1] as number) - (y[0] as number));
      s += sign;
      varS += y[0] === y[1] ? 0 : 1;
    }
    sigma2 += senVariance(x, y);
    for (let i = 0; i < x.length; i++) {
      for (let j = i + 1; j < x.length; j++) {
        const dx = (x[j] as number) - (x[i] as number);
        if (dx !== 0) slopes.push(((y[j] as number) - (y[i] as number)) / dx);
      }
    }
  }
  slopes.sort((a, b) => a - b);
  const pairs = slopes.length;
  const slope = pairs % 2 === 1 ? (slopes[pairs >> 1] as number) : ((slopes[(pairs >> 1) - 1] as number) + (slopes[pairs >> 1] as number)) / 2;

  if (used.length === 1) {
    // One stretch: exactly theilSen's interval and intercept (same ranks, same rounding).
    const only = used[0] as { x: readonly number[]; y: readonly number[] };
    const fit = theilSen(only.x, only.y, { confidence });
    const z = s === 0 || varS === 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(varS);
    return { slope: fit.slope, intercept: fit.intercept, low: fit.low, high: fit.high, confidence, n, pairs, stretches: 1, s, varS, z, pValue: varS === 0 ? 1 : 2 * normalCdf(-Math.abs(z)) };
  }

  const zq = normalQuantile((1 - confidence) / 2);
  const sigma = Math.sqrt(sigma2);
  let low = Number.NaN;
  let high = Number.NaN;
  if (!Number.isNaN(sigma)) {
    high = slopes[Math.min(roundHalfEven((pairs - zq * sigma) / 2), pairs - 1)] as number;
    low = slopes[Math.max(roundHalfEven((pairs + zq * sigma) / 2) - 1, 0)] as number;
  }
  const longest = used.reduce((a, b) => (b.x.length > a.x.length ? b : a));
  const intercept = median(longest.y) - slope * median(longest.x);
  const z = s === 0 || varS === 0 ? 0 : (s - Math.sign(s)) / Math.sqrt(varS);
  return { slope, intercept, low, high, confidence, n, pairs, stretches: used.length, s, varS, z, pValue: varS === 0 ? 1 : 2 * normalCdf(-Math.abs(z)) };
}

export interface BlockedTrendResult {
  readonly slope: number;
  readonly intercept: number;
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
  /** Points in the stretches used. */
  readonly n: number;
  readonly pairs: number;
  readonly stretches: number;
  /** The seasonal Kendall S and its variance, z and two-sided p. */
  readonly s: number;
  readonly varS: number;
  readonly z: number;
  readonly pValue: number;
}

/** theilSen's σ² of one stretch: [n(n−1)(2n+5) − Σ ties of x − Σ ties of y] / 18. */
function senVariance(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  return (n * (n - 1) * (2 * n + 5) - kendallTieTerm(x) - kendallTieTerm(y)) / 18;
}

