import { mannWhitneyUDistribution } from './mann-whitney-u-distribution.ts';
import { normalCdf } from './normal-cdf.ts';
import { normalQuantile } from './normal-quantile.ts';
import { mulberry32 } from './random.ts';

/**
 * The Hodges–Lehmann estimate of the location shift of y relative to x (how much y is larger than x:
 * positive when y is shifted up), with its distribution-free confidence interval.
 *
 * Definition: with D_(1) ≤ … ≤ D_(m·n) the sorted pairwise differences y_j − x_i (m = |x|, n = |y|),
 * - estimate: the median of the D (the mean of the two middle ones when m·n is even);
 * - interval: [D_(k), D_(m·n + 1 − k)], the shifts d for which the two-sided Mann–Whitney test of
 *   y − d against x does not reject at level α = 1 − confidence, with k chosen by
 *   - `exact` (no ties in the combined sample, both samples under 50 values — the rule of
 *     `mannWhitneyU`): k = the smallest q with P(U ≤ q) ≥ α/2 under the exact null distribution
 *     (R's `qwilcox(α/2, n, m)`, with R's fuzz of 10·ε on α/2), at least 1; `achieved` is the exact
 *     coverage 1 − 2·P(U ≤ k − 1);
 *   - `normal` (otherwise): k = ⌈m·n/2 − ½ − z·σ⌉ with z = Φ⁻¹(1 − α/2) and σ the tie-corrected
 *     standard deviation of U for ties within x and within y (the ties of y − d against x at any
 *     shift d that is not itself a difference), at least 1; `achieved` = 1 − 2·Φ((k − ½ − m·n/2)/σ),
 *     the continuity-corrected normal coverage.
 *   When even k = 1 covers less than `confidence` (samples too small: 3 + 3 values reach at most
 *   90%), the interval is [min D, max D] and `achieved` < `confidence` says so.
 *
 * These are R's `wilcox.test(y, x, conf.int = TRUE, conf.level = confidence)` `estimate` and
 * `conf.int`, exactly in the exact case. In the normal case R finds the interval ends by `uniroot` on
 * the same continuity-corrected statistic, which lands within its tolerance (1e-4) of these D_(k);
 * its estimate is a root of the uncorrected statistic, which may be any point between the two middle
 * differences, where this function returns their mean (the Hodges–Lehmann median).
 *
 * The k-th difference is found by selection in the implicit sorted m × n matrix (random pivots,
 * O((m + n)·log(m·n)) expected), so large samples do not need m·n numbers of memory.
 *
 * Sources: J. L. Hodges & E. L. Lehmann, "Estimates of location based on rank tests", Annals of
 * Mathematical Statistics 34(2), 1963; D. F. Bauer, "Constructing confidence sets using rank
 * statistics", Journal of the American Statistical Association 67(339), 1972, pp. 687–690;
 * M. Hollander & D. A. Wolfe, Nonparametric Statistical Methods, 2nd ed., 1999, §4.2–4.3 (the estimator
 * and Moses' interval).
 */
export function hodgesLehmann(x: readonly number[], y: readonly number[], options: HodgesLehmannOptions = {}): HodgesLehmannResult {
  const { confidence = 0.95, method = 'auto' } = options;
  if (!(typeof confidence === 'number' && confidence > 0 && confidence < 1)) {
    throw new RangeError(`hodgesLehmann: confidence \`${String(confidence)}\` is out of range: expected 0 < confidence < 1`);
  }
  if (!METHODS.includes(method)) {
    throw new RangeError(`hodgesLehmann: unknown method \`${String(method)}\`: expected \`auto\`, \`exact\` or \`normal\``);
  }
  const xs = sortedCopy('x', x);
  const ys = sortedCopy('y', y);
  const m = xs.length;
  const n = ys.length;
  const cells = m * n;
  const ties = hasCombinedTies(xs, ys);
  if (method === 'exact' && ties) {
    throw new RangeError(
      'hodgesLehmann: method `exact` cannot be used with ties: its null distribution assumes distinct values\n' +
        'Note: use method `normal` (tie-corrected) or `auto`',
    );
  }
  if (method === 'exact' && cells > MAX_EXACT_CELLS) {
    throw new RangeError(
      `hodgesLehmann: method \`exact\` needs n1·n2 ≤ ${MAX_EXACT_CELLS}, got \`${cells}\` (${m} × ${n})\n` +
        'Note: use method `normal` or `auto`',
    );
  }
  const chosen = method === 'auto' ? (!ties && m < AUTO_EXACT_BELOW && n < AUTO_EXACT_BELOW ? 'exact' : 'normal') : method;
  const alpha = 1 - confidence;

  let k: number;
  let achieved: number;
  if (chosen === 'exact') {
    const pmf = mannWhitneyUDistribution(m, n);
    // R's qwilcox: the first q whose cumulative probability reaches α/2, less 10·ε so that a
    // probability that is α/2 in exact arithmetic is not missed by rounding.
    const target = alpha / 2 - 10 * Number.EPSILON;
    let cdf = 0;
    let q = 0;
    for (; q < cells; q++) {
      cdf += pmf[q] as number;
      if (cdf >= target) break;
    }
    k = Math.max(q, 1);
    let below = 0;
    for (let u = 0; u < k; u++) below += pmf[u] as number;
    achieved = 1 - 2 * below;
  } else {
    const sigma = Math.sqrt((cells / 12) * (m + n + 1 - (tieTerm(xs) + tieTerm(ys)) / ((m + n) * (m + n - 1))));
    const z = normalQuantile(1 - alpha / 2);
    k = Math.max(Math.ceil(cells / 2 - 0.5 - z * sigma), 1);
    achieved = 1 - 2 * normalCdf((k - 0.5 - cells / 2) / sigma);
  }

  const random = mulberry32(SEED);
  const kth = (rank: number): number => kthDifference(xs, ys, rank, random);
  const estimate = cells % 2 === 1 ? kth((cells + 1) / 2) : (kth(cells / 2) + kth(cells / 2 + 1)) / 2;
  return { estimate, lower: kth(k), upper: kth(cells + 1 - k), confidence, achieved, method: chosen };
}

export interface HodgesLehmannOptions {
  /** Requested coverage of the interval, 0 < confidence < 1; default 0.95. */
  confidence?: number;
  /** `auto` (default) picks by the rule above; `exact` refuses ties and n1·n2 > 10 000. */
  method?: 'auto' | 'exact' | 'normal';
}

export interface HodgesLehmannResult {
  /** Median of the pairwise differences y_j − x_i. */
  estimate: number;
  lower: number;
  upper: number;
  /** The requested confidence. */
  confidence: number;
  /** The coverage the interval actually has (exact) or is estimated to have (normal); below `confidence` when the samples are too small for it. */
  achieved: number;
  method: 'exact' | 'normal';
}

const METHODS: readonly unknown[] = ['auto', 'exact', 'normal'];
/** As `mannWhitneyU` and R's `wilcox.test`: exact when both samples have fewer than 50 values. */
const AUTO_EXACT_BELOW = 50;
/** The limit of `mannWhitneyUDistribution`. */
const MAX_EXACT_CELLS = 10_000;
/** Pivots are random for speed only: any seed gives the same result. */
const SEED = 0x5eed;

function sortedCopy(name: string, values: readonly number[]): number[] {
  if (values.length === 0) throw new RangeError(`hodgesLehmann: ${name} is empty: expected at least one value`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TypeError(`hodgesLehmann: ${name}[${i}] is \`${String(v)}\`: expected a finite number`);
    }
  }
  return [...values].sort((a, b) => a - b);
}

/** Whether any value occurs twice in x and y together (both sorted). */
function hasCombinedTies(xs: readonly number[], ys: readonly number[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i] === xs[i - 1]) return true;
  for (let j = 1; j < ys.length; j++) if (ys[j] === ys[j - 1]) return true;
  for (let i = 0, j = 0; i < xs.length && j < ys.length; ) {
    const a = xs[i] as number;
    const b = ys[j] as number;
    if (a === b) return true;
    if (a < b) i++;
    else j++;
  }
  return false;
}

/** Σ(t³ − t) over the groups of equal values of a sorted sample. */
function tieTerm(sorted: readonly number[]): number {
  let sum = 0;
  for (let start = 0; start < sorted.length; ) {
    let end = start + 1;
    while (end < sorted.length && sorted[end] === sorted[start]) end++;
    const t = end - start;
    sum += t * t * t - t;
    start = end;
  }
  return sum;
}

/**
 * The rank-th smallest (1-based) of the m·n differences ys[j] − xs[i], both sorted ascending. Row i
 * (fixed x_i) ascends with j and descends with i (rounding is monotone, so this holds for the computed
 * differences too), so how many differences lie below a pivot is counted in O(m + n) with a pointer
 * that only moves forward. Each round keeps, per row, the window of columns that can still hold the
 * answer, and removes at least the pivot; once few candidates remain they are sorted.
 */
function kthDifference(xs: readonly number[], ys: readonly number[], rank: number, random: () => number): number {
  const m = xs.length;
  const n = ys.length;
  const lo = new Int32Array(m);
  const hi = new Int32Array(m).fill(n);
  const less = new Int32Array(m);
  const lessOrEqual = new Int32Array(m);
  for (;;) {
    let below = 0;
    let candidates = 0;
    for (let i = 0; i < m; i++) {
      below += lo[i] as number;
      candidates += (hi[i] as number) - (lo[i] as number);
    }
    if (candidates <= m + n) {
      const rest: number[] = [];
      for (let i = 0; i < m; i++) for (let j = lo[i] as number; j < (hi[i] as number); j++) rest.push((ys[j] as number) - (xs[i] as number));
      rest.sort((a, b) => a - b);
      return rest[rank - 1 - below] as number;
    }
    let r = Math.floor(random() * candidates);
    let pivot = Number.NaN;
    for (let i = 0; i < m; i++) {
      const width = (hi[i] as number) - (lo[i] as number);
      if (r < width) {
        pivot = (ys[(lo[i] as number) + r] as number) - (xs[i] as number);
        break;
      }
      r -= width;
    }
    let totalLess = 0;
    let totalLessOrEqual = 0;
    for (let i = 0, jl = 0, je = 0; i < m; i++) {
      const xi = xs[i] as number;
      while (jl < n && (ys[jl] as number) - xi < pivot) jl++;
      if (je < jl) je = jl;
      while (je < n && (ys[je] as number) - xi <= pivot) je++;
      less[i] = jl;
      lessOrEqual[i] = je;
      totalLess += jl;
      totalLessOrEqual += je;
    }
    if (rank <= totalLess) {
      for (let i = 0; i < m; i++) hi[i] = Math.min(hi[i] as number, less[i] as number);
    } else if (rank > totalLessOrEqual) {
      for (let i = 0; i < m; i++) lo[i] = Math.max(lo[i] as number, lessOrEqual[i] as number);
    } else {
      return pivot;
    }
  }
}
