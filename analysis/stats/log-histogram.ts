/**
 * A mergeable histogram with relative accuracy, for percentiles of streams too large to keep.
 *
 * Method (DDSketch, Masson, Rim & Lee, "DDSketch: a fast and fully-mergeable quantile sketch with
 * relative-error guarantees", VLDB 2019): positive values fall in logarithmic buckets
 * i = ⌈log_γ(x)⌉ with γ = (1 + α) / (1 − α), so bucket i covers (γ^(i−1), γ^i]; its representative
 * 2γ^i / (γ + 1) is within α·x of every x in it. Negative values use the same buckets on |x|; zero has
 * its own count. Counts are integers, so merging two histograms (add the counts) gives exactly the
 * histogram of the combined data: runners of a distributed test merge without loss.
 *
 * Quantiles use the R-7 definition (linear interpolation between the order statistics around rank
 * q·(n − 1); what k6 itself reports for `p(N)`), with each order statistic replaced by its bucket's
 * representative. Both representatives are within α of their order statistics, so the interpolated
 * estimate is within α of the exact R-7 value (when both order statistics have the same sign): with
 * α = 0.1% the error is at most 0.1%. min and max are tracked exactly, and estimates are clamped to them.
 *
 * Two accuracies are used: `FINE_ALPHA` (0.1%) for whole-run histograms, `DEFAULT_ALPHA` (0.5%) for the
 * many small per-time-bucket histograms, whose memory grows with 1/α.
 */
export const DEFAULT_ALPHA = 0.005;

/** The accuracy of whole-run histograms: every percentile within 0.1% of the exact R-7 value. */
export const FINE_ALPHA = 0.001;

/** Values below this magnitude share the lowest bucket, so one stray 1e-300 cannot blow up memory. */
const MIN_MAGNITUDE = 1e-9;

export class LogHistogram {
  readonly alpha: number;
  private readonly logGamma: number;
  private readonly gamma: number;
  /** Counts of positive values by bucket index. */
  private readonly positive = new BucketCounts();
  /** Counts of negative values by bucket index of |x|. */
  private readonly negative = new BucketCounts();
  zeros = 0;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(alpha = DEFAULT_ALPHA) {
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`LogHistogram: alpha \`${alpha}\` is out of range: expected 0 < alpha < 1`);
    this.alpha = alpha;
    this.gamma = (1 + alpha) / (1 - alpha);
    this.logGamma = Math.log(this.gamma);
  }

  add(value: number, weight = 1): void {
    if (Number.isNaN(value)) return;
    this.count += weight;
    this.sum += value * weight;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value > 0) this.positive.add(this.index(value), weight);
    else if (value < 0) this.negative.add(this.index(-value), weight);
    else this.zeros += weight;
  }

  /** Adds every count of `other` (same α) to this histogram. */
  merge(other: LogHistogram): void {
    if (other.alpha !== this.alpha) throw new RangeError(`LogHistogram: cannot merge alpha \`${other.alpha}\` into \`${this.alpha}\``);
    this.count += other.count;
    this.sum += other.sum;
    this.zeros += other.zeros;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.positive.addAll(other.positive);
    this.negative.addAll(other.negative);
  }

  mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }

  /** The R-7 quantile estimate for `q` in [0, 1]; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0 || Number.isNaN(q)) return Number.NaN;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const h = q * (this.count - 1);
    const lo = Math.floor(h);
    const frac = h - lo;
    const low = this.valueAtRank(lo);
    if (frac === 0) return low;
    return low + frac * (this.valueAtRank(lo + 1) - low);
  }

  /** A copy that shares nothing with this histogram. */
  clone(): LogHistogram {
    const copy = new LogHistogram(this.alpha);
    copy.merge(this);
    return copy;
  }

  /**
   * The histogram as numbers, for structured clone (worker threads) and `fromArray`:
   * [alpha, zeros, count, sum, min, max, positive pairs, negative pairs, index, count, …].
   */
  toArray(): number[] {
    const positive = this.positive.ascending();
    const negative = this.negative.ascending();
    const out = [this.alpha, this.zeros, this.count, this.sum, this.min, this.max, positive.length / 2, negative.length / 2];
    for (const v of positive) out.push(v);
    for (const v of negative) out.push(v);
    return out;
  }

  /** The histogram `toArray` wrote at `offset` of `data`, and where the next value starts. */
  static fromArray(data: ArrayLike<number>, offset = 0): { histogram: LogHistogram; next: number } {
    const at = (i: number): number => {
      const v = data[offset + i];
      if (v === undefined) throw new RangeError(`LogHistogram: array ends at \`${offset + i}\`: expected a histogram written by toArray`);
      return v;
    };
    const histogram = new LogHistogram(at(0));
    histogram.zeros = at(1);
    histogram.count = at(2);
    histogram.sum = at(3);
    histogram.min = at(4);
    histogram.max = at(5);
    const positives = at(6);
    const negatives = at(7);
    let i = 8;
    for (let k = 0; k < positives; k++, i += 2) histogram.positive.add(at(i), at(i + 1));
    for (let k = 0; k < negatives; k++, i += 2) histogram.negative.add(at(i), at(i + 1));
    return { histogram, next: offset + i };
  }

  /** Bucket counts as [index, count] pairs in ascending index order, for tests and export. */
  buckets(): { zeros: number; positive: [number, number][]; negative: [number, number][] } {
    const pairs = (counts: BucketCounts): [number, number][] => {
      const out: [number, number][] = [];
      counts.forEach((index, count) => out.push([index, count]));
      return out;
    };
    return { zeros: this.zeros, positive: pairs(this.positive), negative: pairs(this.negative) };
  }

  private index(magnitude: number): number {
    return Math.ceil(Math.log(magnitude < MIN_MAGNITUDE ? MIN_MAGNITUDE : magnitude) / this.logGamma);
  }

  private representative(index: number): number {
    return (2 * Math.exp(index * this.logGamma)) / (this.gamma + 1);
  }

  /** The estimate of the order statistic of 0-based rank `rank`, clamped to [min, max]. */
  private valueAtRank(rank: number): number {
    if (rank <= 0) return this.min;
    if (rank >= this.count - 1) return this.max;
    // Negative values ascend as |x| descends: their buckets are walked from the largest index down.
    // Walked in place, making no array: a report asks for thousands of quantiles.
    const negative = this.negative.indexAtRank(rank, true);
    if (!Number.isNaN(negative)) return this.clamp(-this.representative(negative));
    const below = this.negative.total() + this.zeros;
    if (below > rank) return 0;
    const positive = this.positive.indexAtRank(rank - below, false);
    return Number.isNaN(positive) ? this.max : this.clamp(this.representative(positive));
  }

  private clamp(value: number): number {
    return value < this.min ? this.min : value > this.max ? this.max : value;
  }
}

/** The largest count a Uint32Array holds. */
const MAX_NARROW = 0xffff_ffff;

/** Above this many distinct buckets, counts move from the sparse list to a dense window. */
const SPARSE_LIMIT = 48;

/**
 * Counts by bucket index. Most histograms (one per group per second) see a few dozen samples spread
 * over a wide range of indexes, so they start as a short unsorted list of (index, count) pairs in a
 * plain array (cheap to allocate, small); a histogram with many distinct indexes (a whole run) turns
 * into a dense window of counts: a Uint32Array (half the memory: counts are whole numbers, and the
 * histograms of time buckets are many), replaced by a Float64Array (exact integers up to 2^53) the
 * first time a count would pass 2^32 − 1 or a weight is not a whole number.
 */
class BucketCounts {
  private pairs: number[] | null = [];
  private dense: Uint32Array | Float64Array | null = null;
  private offset = 0;
  private sorted = true;

  add(index: number, weight: number): void {
    const pairs = this.pairs;
    if (pairs !== null) {
      for (let i = 0; i < pairs.length; i += 2) {
        if (pairs[i] === index) {
          (pairs[i + 1] as number) += weight;
          return;
        }
      }
      if (pairs.length < SPARSE_LIMIT * 2) {
        if (pairs.length > 0 && index < (pairs[pairs.length - 2] as number)) this.sorted = false;
        pairs.push(index, weight);
        return;
      }
      this.toDense();
    }
    this.addDense(index, weight);
  }

  /**
   * Adds every count of `other`: the same counts as `add` for each of its buckets, without a call per
   * bucket. Merges are most of what analyses do with the histograms of time buckets (per-second
   * series, steady windows, coarsening): on a 1.05 GB run the per-bucket calls were about 80 ms.
   */
  addAll(other: BucketCounts): void {
    const pairs = other.pairs;
    if (pairs !== null) {
      // Order does not matter to the counts; `add` keeps this one's order flag right.
      for (let i = 0; i < pairs.length; i += 2) this.add(pairs[i] as number, pairs[i + 1] as number);
      return;
    }
    const from = other.dense as Uint32Array | Float64Array;
    let first = 0;
    while (first < from.length && from[first] === 0) first++;
    if (first === from.length) return;
    let last = from.length - 1;
    while (from[last] === 0) last--;
    if (this.pairs !== null && this.pairs.length === 0) {
      this.dense = from instanceof Float64Array ? new Float64Array(last - first + 1) : new Uint32Array(last - first + 1);
      this.offset = first + other.offset;
      this.pairs = null;
    } else if (this.pairs !== null) {
      this.toDense();
    }
    // Make room for the whole span once, as `addDense` would bucket by bucket.
    this.addDense(first + other.offset, 0);
    this.addDense(last + other.offset, 0);
    let dense = this.dense as Uint32Array | Float64Array;
    if (dense instanceof Uint32Array && from instanceof Float64Array) this.dense = dense = Float64Array.from(dense);
    const shift = other.offset - this.offset;
    for (let i = first; i <= last; i++) {
      const weight = from[i] as number;
      if (weight === 0) continue;
      const count = (dense[i + shift] as number) + weight;
      if (dense instanceof Uint32Array && count > MAX_NARROW) this.dense = dense = Float64Array.from(dense);
      dense[i + shift] = count;
    }
  }

  /** Calls `fn` for every non-empty bucket, in ascending index order. */
  forEach(fn: (index: number, count: number) => void): void {
    const pairs = this.pairs;
    if (pairs !== null) {
      if (!this.sorted) this.sortPairs();
      const sorted = this.pairs as number[];
      for (let i = 0; i < sorted.length; i += 2) fn(sorted[i] as number, sorted[i + 1] as number);
      return;
    }
    const dense = this.dense as Uint32Array | Float64Array;
    for (let i = 0; i < dense.length; i++) if ((dense[i] as number) > 0) fn(i + this.offset, dense[i] as number);
  }

  /** The sum of the counts. */
  total(): number {
    let sum = 0;
    const list = this.pairs;
    if (list !== null) for (let i = 1; i < list.length; i += 2) sum += list[i] as number;
    else for (const c of this.dense as Uint32Array | Float64Array) sum += c;
    return sum;
  }

  /**
   * The index of the bucket that holds 0-based rank `rank` counting from the lowest index (or from the
   * highest, `descending`); NaN when the counts end first. Makes no array.
   */
  indexAtRank(rank: number, descending: boolean): number {
    let seen = 0;
    if (this.pairs !== null) {
      if (!this.sorted) this.sortPairs();
      const pairs = this.pairs as number[];
      const n = pairs.length;
      for (let k = 0; k < n; k += 2) {
        const i = descending ? n - 2 - k : k;
        seen += pairs[i + 1] as number;
        if (seen > rank) return pairs[i] as number;
      }
      return Number.NaN;
    }
    const dense = this.dense as Uint32Array | Float64Array;
    const n = dense.length;
    for (let k = 0; k < n; k++) {
      const i = descending ? n - 1 - k : k;
      seen += dense[i] as number;
      if (seen > rank) return i + this.offset;
    }
    return Number.NaN;
  }

  /** Flat [index, count, …] pairs in ascending index order. */
  ascending(): number[] {
    if (this.pairs !== null) {
      if (!this.sorted) this.sortPairs();
      return this.pairs;
    }
    const out: number[] = [];
    this.forEach((index, count) => out.push(index, count));
    return out;
  }

  private sortPairs(): void {
    const pairs = this.pairs as number[];
    const order: [number, number][] = [];
    for (let i = 0; i < pairs.length; i += 2) order.push([pairs[i] as number, pairs[i + 1] as number]);
    order.sort((a, b) => a[0] - b[0]);
    this.pairs = order.flat();
    this.sorted = true;
  }

  private toDense(): void {
    const pairs = this.pairs as number[];
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < pairs.length; i += 2) {
      low = Math.min(low, pairs[i] as number);
      high = Math.max(high, pairs[i] as number);
    }
    this.offset = low;
    const wide = pairs.some((v, i) => i % 2 === 1 && (!Number.isInteger(v) || v > MAX_NARROW));
    const dense = wide ? new Float64Array(high - low + 1) : new Uint32Array(high - low + 1);
    // Counts of distinct indexes, each within the narrow range when `wide` is false.
    for (let i = 0; i < pairs.length; i += 2) dense[(pairs[i] as number) - low] = pairs[i + 1] as number;
    this.dense = dense;
    this.pairs = null;
  }

  private addDense(index: number, weight: number): void {
    let dense = this.dense as Uint32Array | Float64Array;
    let slot = index - this.offset;
    if (slot < 0 || slot >= dense.length) {
      // Grow toward the side that was missed (latencies drift in one direction) by a quarter at
      // least: geometric, so growing stays cheap, with less unused room than doubling (the
      // histograms of time buckets are many).
      const low = Math.min(this.offset, index);
      const high = Math.max(this.offset + dense.length - 1, index);
      const size = Math.max(high - low + 1, Math.ceil(dense.length * 1.25));
      const offset = index < this.offset ? high - size + 1 : low;
      const next = dense instanceof Uint32Array ? new Uint32Array(size) : new Float64Array(size);
      next.set(dense, this.offset - offset);
      this.dense = dense = next;
      this.offset = offset;
      slot = index - offset;
    }
    const count = (dense[slot] as number) + weight;
    if (dense instanceof Uint32Array && (count > MAX_NARROW || !Number.isInteger(weight))) {
      // Would wrap or truncate: widen once, exactly.
      this.dense = dense = Float64Array.from(dense);
    }
    dense[slot] = count;
  }
}
