/**
 * The exact null distribution of the Mann–Whitney U statistic for samples of sizes n1 and n2 without
 * ties: element u of the result is P(U = u), u = 0 … n1·n2, where U counts the pairs (x_i, y_j) with
 * x_i > y_j and every assignment of the n1 + n2 ranks to the two samples is equally likely. R's
 * `dwilcox(u, n1, n2)`; scipy's `mannwhitneyu(method='exact')` uses the same distribution.
 *
 * Method: the recurrence of Mann & Whitney ("On a test of whether one of two random variables is
 * stochastically larger than the other", Annals of Mathematical Statistics 18(1), 1947, eq. 2), on
 * probabilities rather than counts: the largest of the i + j values belongs to x with probability
 * i/(i + j), and then beats all j values of y, so
 *   p_{i,j}(u) = i/(i + j) · p_{i−1,j}(u − j) + j/(i + j) · p_{i,j−1}(u).
 * Every term is positive, so there is no cancellation, and no integer overflow either (the counts of
 * R's `cwilcox` and scipy pass 2^53 at 32 + 32). Only u ≤ ⌊n1·n2/2⌋ is computed; the upper half is its mirror
 * (the distribution is symmetric about n1·n2/2). Cost: about n1²·n2²/8 additions and
 * min(n1, n2)·n1·n2/2 numbers of memory, so sizes are limited to n1·n2 ≤ 10 000.
 */
export function mannWhitneyUDistribution(n1: number, n2: number): Float64Array {
  for (const [name, n] of [['n1', n1], ['n2', n2]] as const) {
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`mannWhitneyUDistribution: ${name} \`${n}\` is not a positive integer`);
  }
  if (n1 * n2 > MAX_CELLS) {
    throw new RangeError(
      `mannWhitneyUDistribution: n1·n2 \`${n1 * n2}\` (${n1} × ${n2}) is too large: expected at most ${MAX_CELLS}\n` +
        'Note: for larger samples use the normal approximation',
    );
  }
  // The distribution is symmetric in (n1, n2): iterate the longer side, keep one array per step of the shorter.
  const m = Math.min(n1, n2);
  const n = Math.max(n1, n2);
  const cells = m * n;
  const half = Math.floor(cells / 2);
  // row[i] holds p_{i,j}(u) for u = 0 … min(i·j, half), for the current j.
  let row: Float64Array[] = Array.from({ length: m + 1 }, () => Float64Array.of(1));
  for (let j = 1; j <= n; j++) {
    const next: Float64Array[] = [Float64Array.of(1)];
    for (let i = 1; i <= m; i++) {
      const fromX = next[i - 1] as Float64Array; // p_{i−1,j}
      const fromY = row[i] as Float64Array; // p_{i,j−1}
      const size = Math.min(i * j, half) + 1;
      const out = new Float64Array(size);
      const wx = i / (i + j);
      const wy = j / (i + j);
      for (let u = 0; u < size; u++) {
        const a = u - j >= 0 && u - j < fromX.length ? (fromX[u - j] as number) : 0;
        const b = u < fromY.length ? (fromY[u] as number) : 0;
        out[u] = wx * a + wy * b;
      }
      next.push(out);
    }
    row = next;
  }
  const lower = row[m] as Float64Array;
  const pmf = new Float64Array(cells + 1);
  for (let u = 0; u <= half; u++) {
    pmf[u] = lower[u] as number;
    pmf[cells - u] = lower[u] as number;
  }
  return pmf;
}

/** Largest n1·n2 accepted: 100 × 100 takes a few milliseconds and a few megabytes. */
const MAX_CELLS = 10_000;
