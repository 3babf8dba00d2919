/**
 * Small pieces several statistics share: the median, numpy's rounding, and the tie term of Kendall's
 * S variance.
 */

/**
 * The median: the middle value, or the mean of the two middle ones for an even count (numpy's
 * `median`); NaN when empty. `sorted: true` skips sorting a copy.
 */
export function median(values: ArrayLike<number>, options: { sorted?: boolean } = {}): number {
  const sorted = options.sorted === true ? values : Float64Array.from(values).sort();
  const m = sorted.length;
  if (m === 0) return Number.NaN;
  const half = m >> 1;
  return m % 2 === 1 ? (sorted[half] as number) : ((sorted[half - 1] as number) + (sorted[half] as number)) / 2;
}

/** numpy's `np.round` to an integer: halves go to the even neighbour. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Σ t(t − 1)(2t + 5) over the groups of t equal values: what ties take from the variance of Kendall's S. */
export function kendallTieTerm(values: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let sum = 0;
  for (const t of counts.values()) sum += t * (t - 1) * (2 * t + 5);
  return sum;
}
