/**
 * The exact quantile of sorted values, R-7 definition: linear interpolation between the order
 * statistics around rank q·(n − 1) (R `quantile(x, type = 7)`, numpy `percentile(x, method='linear')`,
 * and what k6 reports for `p(N)`). The reference that histogram estimates are tested against.
 *
 * Hyndman & Fan, "Sample Quantiles in Statistical Packages", The American Statistician 50(4), 1996.
 */
export function quantileR7(sorted: readonly number[], q: number): number {
  if (sorted.length === 0 || Number.isNaN(q)) return Number.NaN;
  const h = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const lo = Math.floor(h);
  const low = sorted[lo] as number;
  const high = sorted[Math.min(lo + 1, sorted.length - 1)] as number;
  return low + (h - lo) * (high - low);
}
