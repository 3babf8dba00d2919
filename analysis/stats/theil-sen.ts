import { normalQuantile } from './normal-quantile.ts';
import { mulberry32 } from './random.ts';
import { kendallTieTerm as tieTerm, median, roundHalfEven } from './median.ts';

/**
 * The Theil–Sen estimator of the slope of y against x: a straight-line fit that ignores up to
 * about 29% of wild points, with Sen's distribution-free confidence interval for the slope.
 *
 * Definition, for the points (x_1, y_1) … (x_n, y_n):
 * - the N slopes (y_j − y_i)/(x_j − x_i) over the pairs i < j with x_i ≠ x_j (pairs with equal x
 *   have no slope and are left out), sorted: b_(1) ≤ … ≤ b_(N);
 * - slope: the median of the b (the mean of the two middle ones when N is even);
 * - intercept: median(y) − slope·median(x) (Conover's line through the two medians);
 * - interval: [b_(l), b_(h)] with l = max(round((N + z·σ)/2) − 1, 0) + 1 and
 *   h = min(round((N − z·σ)/2), N − 1) + 1 (round half to even), where z = Φ⁻¹((1 − confidence)/2)
 *   (negative) and σ² = [n(n − 1)(2n + 5) − Σ_t t(t − 1)(2t + 5) − Σ_u u(u − 1)(2u + 5)] / 18, t and u
 *   the sizes of the groups of equal x and of equal y: the slopes ranked about z·σ/2 either side of
 *   the median, σ being the null standard deviation of Kendall's S between x and y.
 *
 * These are scipy 1.17's `scipy.stats.theilslopes(y, x, alpha=confidence)` `slope`, `intercept`,
 * `low_slope` and `high_slope` (note the argument order: y first), with its default
 * `method='separate'` for the intercept (`'joint'`, median(y − slope·x), is not implemented), the same
 * σ² (scipy's implementation of Sen's equation (2.6), which subtracts the terms of the x ties and of
 * the y ties; it leaves out the two further cross terms of the full tie-corrected variance of
 * Kendall's S, both ≥ 0, so it is a little small when x and y both have ties), the same 1/18 factor
 * and the same indices, with numpy's half-to-even `np.round`. The slope and intercept are computed
 * with the same floating-point operations as scipy's, so they are its numbers to the last bit; `low`
 * and `high` are the same two slopes unless (N ± z·σ)/2 falls within rounding of a half-integer,
 * since this `normalQuantile` and scipy's `ndtri` agree to about 1 part in 10^16. Where they differ:
 * - scipy's `alpha` is symmetric about ½ (0.1 and 0.9 both mean 90%); here `confidence` is the
 *   coverage, so for confidence ≥ 0.5 the results are scipy's and below 0.5 the interval is the
 *   narrow one (scipy would return the 1 − confidence interval);
 * - when both x and y are so heavily tied that σ² < 0 (e.g. all y equal and x tied), scipy's square
 *   root is NaN and it returns NaN for both ends; so does this function (`low` and `high` are NaN).
 * - scipy only warns when every x is equal and returns NaN; this function throws.
 *
 * Cost: every slope is formed and kept, 8·n(n − 1)/2 bytes (one Float64Array), and the three or four
 * order statistics needed are selected from them (quickselect), O(n²) expected time: n = 1 000 is
 * 4 MB, n = 5 000 is 100 MB and well under a second. Beyond a few thousand points, fit a subsample or
 * bin the points first.
 *
 * Sources: H. Theil, "A rank-invariant method of linear and polynomial regression analysis I, II and
 * III", Proceedings of the Koninklijke Nederlandse Akademie van Wetenschappen 53, 1950, pp. 386–392,
 * 521–525, 1397–1412; P. K. Sen, "Estimates of the regression coefficient based on Kendall's tau",
 * Journal of the American Statistical Association 63(324), 1968, pp. 1379–1389 (the estimator with
 * ties in x and the interval; scipy cites its equation (2.6) for σ²); W. J. Conover, Practical
 * Nonparametric Statistics, 2nd ed., Wiley, 1980 (the intercept, as cited by scipy);
 * scipy.stats.theilslopes (the variance with y ties and the rounding of the ranks).
 */
export function theilSen(x: readonly number[], y: readonly number[], options: TheilSenOptions = {}): TheilSenResult {
  const { confidence = 0.95 } = options;
  if (!(typeof confidence === 'number' && confidence > 0 && confidence < 1)) {
    throw new RangeError(`theilSen: confidence \`${String(confidence)}\` is out of range: expected 0 < confidence < 1`);
  }
  if (x.length !== y.length) {
    throw new RangeError(`theilSen: x and y differ in length \`${x.length}\` and \`${y.length}\`: expected one y per x`);
  }
  const n = x.length;
  if (n < 2) throw new RangeError(`theilSen: too few points \`${n}\`: expected at least 2`);
  checkFinite('x', x);
  checkFinite('y', y);
  const xs = Float64Array.from(x).sort();
  const ys = Float64Array.from(y).sort();
  if (xs[0] === xs[n - 1]) {
    throw new RangeError(`theilSen: every x is \`${String(xs[0])}\`: expected at least two distinct x values (a slope needs them)`);
  }

  const slopes = new Float64Array((n * (n - 1)) / 2);
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i] as number;
    const yi = y[i] as number;
    for (let j = i + 1; j < n; j++) {
      const xj = x[j] as number;
      // scipy's quotient exactly: the point with the larger x first, so a zero slope is +0, never −0.
      if (xj > xi) slopes[pairs++] = ((y[j] as number) - yi) / (xj - xi);
      else if (xj < xi) slopes[pairs++] = (yi - (y[j] as number)) / (xi - xj);
    }
  }
  const used = slopes.subarray(0, pairs);

  const z = normalQuantile((1 - confidence) / 2);
  const sigma = Math.sqrt((1 / 18) * (n * (n - 1) * (2 * n + 5) - tieTerm(xs) - tieTerm(ys)));
  // 0-based ranks in the sorted slopes: the median's one or two, and the interval's ends.
  const half = pairs >> 1;
  const middle = pairs % 2 === 1 ? [half] : [half - 1, half];
  const ends = Number.isNaN(sigma)
    ? []
    : [Math.max(roundHalfEven((pairs + z * sigma) / 2) - 1, 0), Math.min(roundHalfEven((pairs - z * sigma) / 2), pairs - 1)];
  selectRanks(used, 0, pairs - 1, [...new Set([...middle, ...ends])].sort((a, b) => a - b), mulberry32(SEED));

  const slope = middle.length === 1 ? (used[half] as number) : ((used[half - 1] as number) + (used[half] as number)) / 2;
  const intercept = median(ys, { sorted: true }) - slope * median(xs, { sorted: true });
  const [low, high] = ends.length === 2 ? ends.map((rank) => used[rank] as number) : [Number.NaN, Number.NaN];
  return { slope, intercept, low: low as number, high: high as number, confidence, n, pairs };
}

export interface TheilSenOptions {
  /** Coverage of the slope's interval, 0 < confidence < 1; default 0.95. */
  confidence?: number;
}

export interface TheilSenResult {
  /** Median of the pairwise slopes (scipy's `slope`). */
  slope: number;
  /** median(y) − slope·median(x) (scipy's `intercept`, method `separate`). */
  intercept: number;
  /** Lower end of the slope's interval (scipy's `low_slope`); NaN when scipy's σ² is negative. */
  low: number;
  /** Upper end of the slope's interval (scipy's `high_slope`); NaN when scipy's σ² is negative. */
  high: number;
  /** The requested confidence. */
  confidence: number;
  /** Number of points. */
  n: number;
  /** Number of slopes used: the pairs with different x. */
  pairs: number;
}

/** Pivots are random for speed only: any seed gives the same result. */
const SEED = 0x7e11;

function checkFinite(name: string, values: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`theilSen: ${name}[${i}] is \`${String(v)}\`: expected a finite number`);
    }
  }
}

/**
 * Rearranges a[lo..hi] (inclusive) so that a[k] is its (k − lo + 1)-th smallest value for every k of
 * `ranks` (ascending, within [lo, hi]), as if sorted there: Hoare partitions around random pivots
 * (quickselect), the values at the ranks found first splitting the range for the others. O(hi − lo)
 * expected per rank, against O(N log N) for sorting all N slopes.
 */
function selectRanks(a: Float64Array, lo: number, hi: number, ranks: readonly number[], random: () => number): void {
  if (ranks.length === 0) return;
  const mid = ranks.length >> 1;
  const k = ranks[mid] as number;
  let left = lo;
  let right = hi;
  while (left < right) {
    const pivot = a[left + Math.floor(random() * (right - left + 1))] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((a[i] as number) < pivot) i++;
      while ((a[j] as number) > pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i++] = a[j] as number;
        a[j--] = t;
      }
    }
    // Now a[left..j] ≤ pivot ≤ a[i..right], and whatever lies between equals the pivot.
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  selectRanks(a, lo, k - 1, ranks.slice(0, mid), random);
  selectRanks(a, k + 1, hi, ranks.slice(mid + 1), random);
}

