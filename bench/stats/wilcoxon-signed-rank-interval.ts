/**
 * The one-sample Hodges–Lehmann estimate of the centre of `values` (the median of their Walsh
 * averages) with its distribution-free confidence interval from the exact Wilcoxon signed-rank
 * distribution — the paired counterpart of `analysis/stats/hodges-lehmann.ts`, for samples that come
 * in pairs (a benchmark's variant and its baseline measured in the same round: pass the per-round
 * differences, or the logs of the per-round ratios for an interval on the ratio).
 *
 * Definition: with W_(1) ≤ … ≤ W_(N) the sorted Walsh averages (x_i + x_j)/2 for i ≤ j (N = n(n+1)/2),
 * - estimate: the median of the W (the mean of the two middle ones when N is even);
 * - interval: [W_(k), W_(N + 1 − k)] with k = the smallest q with P(V ≤ q) ≥ α/2 under the exact null
 *   distribution of the signed-rank statistic V (R's `qsignrank(α/2, n)`, with R's fuzz of 10·ε on
 *   α/2), at least 1; `achieved` is its exact coverage 1 − 2·P(V ≤ k − 1). When even k = 1 covers less
 *   than `confidence` (n < 6 at 95%), the interval is [min W, max W] and `achieved` says so.
 *
 * These are R's `wilcox.test(values, conf.int = TRUE, conf.level = confidence)` `estimate` and
 * `conf.int` (its exact branch: n < 50, no zeros, no ties among |values|). With zeros or ties R
 * switches to a normal approximation; here the interval is still W_(k), W_(N + 1 − k), and `ties`
 * says that its coverage is then only approximately `achieved`.
 *
 * Sources: J. L. Hodges & E. L. Lehmann, "Estimates of location based on rank tests", Annals of
 * Mathematical Statistics 34(2), 1963; D. F. Bauer, "Constructing confidence sets using rank
 * statistics", Journal of the American Statistical Association 67(339), 1972, pp. 687–690;
 * M. Hollander & D. A. Wolfe, Nonparametric Statistical Methods, 2nd ed., 1999, §3.2 (Tukey's
 * interval from the Walsh averages); R's `wilcox.test.default` and `qsignrank`.
 */
export function wilcoxonSignedRankInterval(
  values: readonly number[],
  options: SignedRankIntervalOptions = {},
): SignedRankIntervalResult {
  const { confidence = 0.95 } = options;
  if (!(typeof confidence === 'number' && confidence > 0 && confidence < 1)) {
    throw new RangeError(`wilcoxonSignedRankInterval: confidence \`${String(confidence)}\` is out of range: expected 0 < confidence < 1`);
  }
  const n = values.length;
  if (n === 0) throw new RangeError('wilcoxonSignedRankInterval: values is empty: expected at least one value');
  if (n > MAX_N) {
    throw new RangeError(
      `wilcoxonSignedRankInterval: ${n} values: expected at most ${MAX_N} (the exact distribution's range)\n` +
        'Note: above that R uses a normal approximation, which this function does not implement',
    );
  }
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TypeError(`wilcoxonSignedRankInterval: values[${i}] is \`${String(v)}\`: expected a finite number`);
    }
  }

  const walsh: number[] = [];
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) walsh.push(((values[i] as number) + (values[j] as number)) / 2);
  walsh.sort((a, b) => a - b);
  const cells = walsh.length;

  const pmf = signedRankDistribution(n);
  // R's qsignrank: the first q whose cumulative probability reaches α/2, less 10·ε so that a
  // probability that is α/2 in exact arithmetic is not missed by rounding.
  const target = (1 - confidence) / 2 - 10 * Number.EPSILON;
  let cdf = 0;
  let q = 0;
  for (; q < cells; q++) {
    cdf += pmf[q] as number;
    if (cdf >= target) break;
  }
  const k = Math.max(q, 1);
  let below = 0;
  for (let v = 0; v < k; v++) below += pmf[v] as number;

  const middle = cells % 2 === 1 ? (walsh[(cells - 1) / 2] as number) : ((walsh[cells / 2 - 1] as number) + (walsh[cells / 2] as number)) / 2;
  return {
    estimate: middle,
    lower: walsh[k - 1] as number,
    upper: walsh[cells - k] as number,
    confidence,
    achieved: 1 - 2 * below,
    n,
    ties: hasZeroOrTies(values),
  };
}

export interface SignedRankIntervalOptions {
  /** Requested coverage of the interval, 0 < confidence < 1; default 0.95. */
  confidence?: number;
}

export interface SignedRankIntervalResult {
  /** Median of the Walsh averages (the one-sample Hodges–Lehmann estimate, R's "(pseudo)median"). */
  estimate: number;
  lower: number;
  upper: number;
  /** The requested confidence. */
  confidence: number;
  /** The exact coverage of [lower, upper]; below `confidence` when there are too few values for it. */
  achieved: number;
  n: number;
  /** A value is 0 or two have equal magnitude: the coverage is then only approximately `achieved`. */
  ties: boolean;
}

/** R's exact branch ends below 50 values. */
const MAX_N = 49;

/**
 * P(V = v) for v = 0 … n(n+1)/2, V the sum of the ranks that carry a plus sign when each of the ranks
 * 1 … n is signed by a fair coin: the subset-sum counts of {1 … n} over 2ⁿ (R's `csignrank`). Counts
 * stay below 2⁴⁹, exact in doubles, for n ≤ 49.
 */
function signedRankDistribution(n: number): Float64Array {
  const top = (n * (n + 1)) / 2;
  const counts = new Float64Array(top + 1);
  counts[0] = 1;
  for (let rank = 1, reach = 0; rank <= n; rank++) {
    reach += rank;
    for (let s = reach; s >= rank; s--) counts[s] = (counts[s] as number) + (counts[s - rank] as number);
  }
  const scale = 2 ** -n;
  for (let s = 0; s <= top; s++) counts[s] = (counts[s] as number) * scale;
  return counts;
}

function hasZeroOrTies(values: readonly number[]): boolean {
  const magnitudes = values.map((v) => Math.abs(v)).sort((a, b) => a - b);
  if (magnitudes[0] === 0) return true;
  for (let i = 1; i < magnitudes.length; i++) if (magnitudes[i] === magnitudes[i - 1]) return true;
  return false;
}
