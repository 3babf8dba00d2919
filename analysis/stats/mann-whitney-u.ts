import { mannWhitneyUDistribution } from './mann-whitney-u-distribution.ts';
import { normalCdf } from './normal-cdf.ts';

/**
 * The two-sample Mann–Whitney U test (Wilcoxon rank-sum test) of the hypothesis that x and y come
 * from the same distribution, against x being stochastically greater, less, or either.
 *
 * Definition: rank the combined sample (tied values get the mean of their ranks, "midranks"); then
 * U = R₁ − n1(n1 + 1)/2 with R₁ the sum of the ranks of x. The p-value is, for `greater`, P(U' ≥ U)
 * under the null; for `less`, P(U' ≥ n1·n2 − U); two-sided, twice the smaller of the two, capped at 1.
 * - `exact`: U' from the exact null distribution (`mannWhitneyUDistribution`), valid without ties;
 *   scipy `mannwhitneyu(x, y, method='exact')`, R `wilcox.test(x, y, exact = TRUE)`.
 * - `normal`: U' ~ Normal(n1·n2/2, σ²) with the tie correction
 *   σ² = n1·n2/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1))) over tie groups of size t, n = n1 + n2, and a
 *   continuity correction of ½ towards the mean; scipy `method='asymptotic', use_continuity=True`,
 *   R `wilcox.test(x, y, exact = FALSE, correct = TRUE)`. When every value is equal σ = 0 and p = 1.
 * - `auto` (default): `exact` when there are no ties and both samples have fewer than 50 values
 *   (at most 49 × 49: a 2 401-cell distribution, about 10 ms), else `normal`. This is R's default
 *   rule, so results match `wilcox.test(x, y)`. scipy's `auto` is `exact` only while one sample has
 *   at most 8 values; from 9 + 9 to 49 + 49 without ties its default is the normal approximation
 *   (pass `method: 'normal'` to reproduce it).
 *
 * Sources: H. B. Mann & D. R. Whitney, "On a test of whether one of two random variables is
 * stochastically larger than the other", Annals of Mathematical Statistics 18(1), 1947, pp. 50–60;
 * M. Hollander & D. A. Wolfe, Nonparametric Statistical Methods, 2nd ed., 1999, §4.1 (the
 * large-sample approximation with ties); scipy.stats.mannwhitneyu for the arrangement of the tails.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[], options: MannWhitneyUOptions = {}): MannWhitneyUResult {
  const { alternative = 'two-sided', method = 'auto' } = options;
  if (!ALTERNATIVES.includes(alternative)) {
    throw new RangeError(`mannWhitneyU: unknown alternative \`${String(alternative)}\`: expected \`two-sided\`, \`less\` or \`greater\``);
  }
  if (!METHODS.includes(method)) {
    throw new RangeError(`mannWhitneyU: unknown method \`${String(method)}\`: expected \`auto\`, \`exact\` or \`normal\``);
  }
  checkSample('x', x);
  checkSample('y', y);
  const n1 = x.length;
  const n2 = y.length;
  const { rankSumX, tieTerm } = rankCombined(x, y);
  const ties = tieTerm > 0;
  const u = rankSumX - (n1 * (n1 + 1)) / 2;
  const cells = n1 * n2;

  if (method === 'exact' && ties) {
    throw new RangeError(
      'mannWhitneyU: method `exact` cannot be used with ties: its null distribution assumes distinct values\n' +
        'Note: use method `normal` (tie-corrected) or `auto`',
    );
  }
  if (method === 'exact' && cells > MAX_EXACT_CELLS) {
    throw new RangeError(
      `mannWhitneyU: method \`exact\` needs n1·n2 ≤ ${MAX_EXACT_CELLS}, got \`${cells}\` (${n1} × ${n2})\n` +
        'Note: use method `normal` or `auto`',
    );
  }
  const chosen = method === 'auto' ? (!ties && n1 < AUTO_EXACT_BELOW && n2 < AUTO_EXACT_BELOW ? 'exact' : 'normal') : method;

  // The p-value is always an upper tail: of U for `greater`, of n1·n2 − U for `less`, of the larger of
  // the two (doubled) for `two-sided` — scipy's arrangement, which also keeps the tail summed small.
  const tailOf = alternative === 'greater' ? u : alternative === 'less' ? cells - u : Math.max(u, cells - u);
  const factor = alternative === 'two-sided' ? 2 : 1;
  let tail: number;
  if (chosen === 'exact') {
    const pmf = mannWhitneyUDistribution(n1, n2);
    tail = 0;
    // Smallest terms first: sum from the far end of the tail inwards.
    for (let k = cells; k >= tailOf; k--) tail += pmf[k] as number;
  } else {
    const n = n1 + n2;
    const sigma = Math.sqrt((cells / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    tail = sigma === 0 ? 1 : normalCdf(-(tailOf - cells / 2 - 0.5) / sigma);
  }
  return { u, p: Math.min(1, factor * tail), method: chosen, n1, n2, ties };
}

export interface MannWhitneyUOptions {
  /**
   * The alternative hypothesis, as in scipy: `greater` means x is stochastically greater than y
   * (large U), `less` that it is stochastically less. Default `two-sided`.
   */
  alternative?: 'two-sided' | 'less' | 'greater';
  /** `auto` (default) picks by the rule above; `exact` refuses ties and n1·n2 > 10 000. */
  method?: 'auto' | 'exact' | 'normal';
}

export interface MannWhitneyUResult {
  /** U of x: the number of pairs with x_i > y_j, ties counting ½ (scipy's `statistic`, R's `W`). */
  u: number;
  /** The p-value for the alternative, at most 1. */
  p: number;
  method: 'exact' | 'normal';
  n1: number;
  n2: number;
  /** Whether any value occurs more than once in the combined sample. */
  ties: boolean;
}

const ALTERNATIVES: readonly unknown[] = ['two-sided', 'less', 'greater'];
const METHODS: readonly unknown[] = ['auto', 'exact', 'normal'];
/** R's `wilcox.test` default: exact when both samples have fewer than 50 values (and no ties). */
const AUTO_EXACT_BELOW = 50;
/** The limit of `mannWhitneyUDistribution`. */
const MAX_EXACT_CELLS = 10_000;

function checkSample(name: string, values: readonly number[]): void {
  if (values.length === 0) throw new RangeError(`mannWhitneyU: ${name} is empty: expected at least one value`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new TypeError(`mannWhitneyU: ${name}[${i}] is \`${String(v)}\`: expected a finite number`);
    }
  }
}

/** Midrank sum of x in the combined sample, and Σ(t³ − t) over its tie groups. */
function rankCombined(x: readonly number[], y: readonly number[]): { rankSumX: number; tieTerm: number } {
  const n1 = x.length;
  const values = [...x, ...y];
  const order = values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  let rankSumX = 0;
  let tieTerm = 0;
  for (let start = 0; start < order.length; ) {
    const value = values[order[start] as number] as number;
    let end = start + 1;
    while (end < order.length && values[order[end] as number] === value) end++;
    const t = end - start;
    // Ranks start + 1 … end share their mean.
    const midrank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) if ((order[k] as number) < n1) rankSumX += midrank;
    if (t > 1) tieTerm += t * t * t - t;
    start = end;
  }
  return { rankSumX, tieTerm };
}
