/**
 * Holm's step-down adjustment of p-values for a family of tests: it keeps the probability of any
 * false rejection in the family at most α (the family-wise error rate), like Bonferroni, while
 * rejecting at least as much. Sort the m p-values ascending; the i-th smallest (1-based) is adjusted
 * to max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎); a test rejects at level α when its adjusted p < α.
 * Same values as R's `p.adjust(p, method = "holm")`, in the input's order.
 *
 * Source: S. Holm, "A simple sequentially rejective multiple test procedure", Scandinavian Journal of
 * Statistics 6(2), 1979, pp. 65–70.
 */
export function holm(pValues: readonly number[]): number[] {
  for (const [i, p] of pValues.entries()) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`holm: p-value ${i} is \`${p}\`: expected a number from 0 to 1`);
  }
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => (pValues[a] as number) - (pValues[b] as number) || a - b);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((index, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * (pValues[index] as number)));
    adjusted[index] = running;
  });
  return adjusted;
}
