/**
 * Streaming aggregation: every sample lands in a time bucket of its group (metric plus its full tag
 * set). A bucket keeps count, sum, min, max, the count of non-zero values (for rates), the last value
 * (for gauges) and, for the trends that are looked at over time (`http_req_duration` and custom
 * trends), a mergeable LogHistogram at 0.5% accuracy. Every trend group also keeps one whole-run
 * LogHistogram at 0.1% accuracy: the run's percentiles come from it. The built-in trends nothing
 * looks at over time (the phases of a request, `iteration_duration`, `group_duration`) keep no time
 * buckets at all, only their whole-run numbers (`total`) and histogram.
 *
 * Memory does not grow with the length of a run or the number of distinct tag sets:
 * - Time resolution adapts. Buckets start at `bucketMs` (1 s); when a group has more than
 *   `bucketBudget` buckets, or all groups together more than `totalBucketBudget`, every group of the
 *   aggregator moves to the next coarser resolution of `RESOLUTION_STEPS_MS` (1 s → 2 s → 10 s → 30 s →
 *   60 s → …), each step a whole multiple of the one before, so buckets merge exactly. The resolution
 *   reached is the finest step at which the data fits the budgets, whatever order it was read in.
 * - Tag sets are bounded. A metric keeps at most `maxTagSets` tag sets as groups of their own (URLs
 *   with ids would make one group per id); the samples of further tag sets go into one "other" group
 *   per metric (and per run), whose tags keep only the run's own tags and set `name` to `(other)`.
 *   Which tag sets keep their group is decided by the order they are first seen.
 *
 * Aggregators merge exactly (coarsening the finer one first when their resolutions differ), so files
 * of one run (k6-operator runners, split outputs, blocks read by worker threads) combine into the same
 * aggregates as the unsplit data. `toTransfer()` and `Aggregator.fromTransfer()` carry an aggregator
 * through `postMessage` (plain objects and numeric arrays).
 */
import { DEFAULT_ALPHA, FINE_ALPHA, LogHistogram } from '../stats/log-histogram.ts';
import { BUILTIN_METRICS } from './builtin-metrics.ts';
import type { MetricContains, MetricType, SampleSink, Tags } from './sink.ts';

/** Buckets a group may hold before the resolution gets coarser: 2000 s of data at 1 s. */
export const BUCKET_BUDGET = 2000;
/** Buckets all groups of an aggregator may hold together, beyond the first of each group. */
export const TOTAL_BUCKET_BUDGET = 200_000;
/** Tag sets a metric keeps as groups of their own; further ones are folded into its "other" group. */
export const MAX_TAG_SETS = 1000;
/** The `name` tag of a metric's "other" group. */
export const OTHER_NAME = '(other)';
/** Tags an "other" group keeps: those that tell runs and runners apart. */
export const FOLD_KEEP_TAGS: readonly string[] = ['run_id', 'testrun_name', 'instance_id', 'scenario', 'level', 'target'];
/** Folded tag sets are told apart (and counted exactly) up to this many per group; beyond, "at least". */
export const FOLDED_KEYS_LIMIT = 10_000;

/** Time resolutions, ms: each a whole multiple of the one before it. */
export const RESOLUTION_STEPS_MS: readonly number[] = [1000, 2000, 10_000, 30_000, 60_000, 120_000, 600_000, 1_800_000, 3_600_000];

/**
 * Built-in trends that keep no time buckets (nothing charts them over time, and they are most of the
 * groups of a k6 run): their whole-run numbers and histogram are kept.
 */
const WHOLE_RUN_ONLY: ReadonlySet<string> = new Set([
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
  'iteration_duration',
  'group_duration',
]);

export interface BucketStats {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Samples not equal to 0: for a rate metric, the samples that count (failed requests, passed checks). */
  nonzero: number;
  /** The latest value by sample time, for gauges. */
  last: number;
  lastTimeMs: number;
  /** Trends looked at over time (`http_req_duration`, custom trends) only; α = 0.5%. */
  hist: LogHistogram | null;
}

export interface SeriesGroup {
  readonly metric: string;
  readonly tagsKey: string;
  readonly tags: Tags;
  readonly type: MetricType;
  readonly contains: MetricContains;
  /** Bucket index (⌊timeMs / bucketMs⌋ at the aggregator's current `bucketMs`) → stats; empty when not `timed`. */
  buckets: Map<number, BucketStats>;
  /** Whether the group keeps time buckets (all but the built-in trends in `WHOLE_RUN_ONLY`). */
  readonly timed: boolean;
  /** The whole run's count, sum, min, max, nonzero and last value of a group that is not `timed`. */
  readonly total: BucketStats | null;
  /** Every sample of the group, trends only; α = 0.1%. */
  readonly histogram: LogHistogram | null;
  /** Whether this is its metric's "other" group (tag sets past the limit). */
  readonly other: boolean;
  /** The tag sets folded into an "other" group (their keys), up to `FOLDED_KEYS_LIMIT`. */
  readonly foldedKeys: Set<string>;
  /** Whether more tag sets were folded than `foldedKeys` holds. */
  foldedOverflow: boolean;
  firstMs: number;
  lastMs: number;
  /** The bucket of the previous sample: samples arrive in time order, so it is usually the same one. */
  lastBucket: number;
  lastStats: BucketStats | undefined;
}

/** Tag sets folded into "other" groups, per metric. */
export interface FoldedTagSets {
  readonly metric: string;
  /** Distinct tag sets folded (a lower bound when `atLeast`). */
  readonly tagSets: number;
  readonly atLeast: boolean;
  /** Samples that went into the "other" groups. */
  readonly samples: number;
}

export interface AggregatorOptions {
  /** The finest time bucket, ms (default 1000). */
  readonly bucketMs?: number | undefined;
  readonly bucketBudget?: number | undefined;
  readonly totalBucketBudget?: number | undefined;
  readonly maxTagSets?: number | undefined;
}

/** What `toTransfer()` gives: structured-clone friendly (plain objects, strings, numeric arrays). */
export interface AggregatorTransfer {
  readonly version: 1;
  readonly bucketMs: number;
  readonly baseBucketMs: number;
  readonly bucketBudget: number;
  readonly totalBucketBudget: number;
  readonly maxTagSets: number;
  readonly metrics: readonly { readonly name: string; readonly type: MetricType; readonly contains: MetricContains }[];
  readonly groups: readonly GroupTransfer[];
}

export interface GroupTransfer {
  readonly metric: string;
  readonly tagsKey: string;
  readonly tags: Tags;
  readonly other: boolean;
  readonly foldedKeys: readonly string[];
  readonly foldedOverflow: boolean;
  readonly firstMs: number;
  readonly lastMs: number;
  /** `STATS_WIDTH` numbers per bucket: index, count, sum, min, max, nonzero, last, lastTimeMs, has a histogram (0/1). */
  readonly stats: Float64Array;
  /** The buckets' histograms one after another (LogHistogram `toArray`), in bucket order; empty without. */
  readonly hists: Float64Array;
  /** The whole-run histogram (`toArray`), empty without. */
  readonly histogram: Float64Array;
  /** The whole-run stats of a group that is not timed (`STATS_WIDTH` numbers, index NaN), else empty. */
  readonly total: Float64Array;
}

const STATS_WIDTH = 9;

interface MetricEntry {
  type: MetricType;
  contains: MetricContains;
  readonly groups: Map<string, SeriesGroup>;
  /** Groups of their own (not "other"): what the tag-set limit counts. */
  kept: number;
  /** Folded tag set key → its "other" group, so a folded tag set is not folded again per sample. */
  readonly folded: Map<string, SeriesGroup>;
  // The group of the previous sample of this metric: consecutive samples of a metric mostly share tags.
  lastKey: string | undefined;
  lastGroup: SeriesGroup | undefined;
}

export class Aggregator implements SampleSink {
  /** The finest resolution asked for. */
  readonly baseBucketMs: number;
  readonly bucketBudget: number;
  readonly maxTagSets: number;
  private resolutionMs: number;
  private totalBudget: number;
  private totalBuckets = 0;
  private groupCount = 0;
  private readonly metrics = new Map<string, MetricEntry>();
  /** Called once per metric that is neither declared nor a k6 built-in. */
  onUnknownMetric: ((metric: string) => void) | undefined;

  constructor(options: AggregatorOptions = {}) {
    const { bucketMs = 1000, bucketBudget = BUCKET_BUDGET, totalBucketBudget = TOTAL_BUCKET_BUDGET, maxTagSets = MAX_TAG_SETS } = options;
    if (!(bucketMs > 0) || !Number.isInteger(bucketMs)) throw new RangeError(`aggregate: bucket \`${bucketMs}\` ms is not valid: expected a whole number of ms > 0`);
    if (!(bucketBudget >= 1)) throw new RangeError(`aggregate: bucket budget \`${bucketBudget}\` is not valid: expected at least 1`);
    if (!(totalBucketBudget >= 1)) throw new RangeError(`aggregate: total bucket budget \`${totalBucketBudget}\` is not valid: expected at least 1`);
    if (!(maxTagSets >= 1)) throw new RangeError(`aggregate: tag set limit \`${maxTagSets}\` is not valid: expected at least 1`);
    this.baseBucketMs = bucketMs;
    this.resolutionMs = bucketMs;
    this.bucketBudget = bucketBudget;
    this.totalBudget = totalBucketBudget;
    this.maxTagSets = maxTagSets;
  }

  /** Buckets all groups may hold together, beyond the first of each timed group. */
  get totalBucketBudget(): number {
    return this.totalBudget;
  }

  /**
   * Lowers the total budget to `budget` (an analysis of many runs gives each run a share) and
   * coarsens until the data fits it.
   */
  limitTotal(budget: number): void {
    if (!(budget >= 1)) throw new RangeError(`aggregate: total bucket budget \`${budget}\` is not valid: expected at least 1`);
    this.totalBudget = Math.min(this.totalBudget, budget);
    this.fit();
  }

  /** The current time bucket, ms: `baseBucketMs` or coarser once the data passed a budget. */
  get bucketMs(): number {
    return this.resolutionMs;
  }

  declareMetric(name: string, type: MetricType, contains: MetricContains): void {
    const entry = this.metrics.get(name);
    if (entry === undefined) this.metrics.set(name, newEntry(type, contains));
    else if (entry.type === 'unknown' && entry.groups.size === 0) {
      entry.type = type;
      entry.contains = contains;
    }
  }

  sample(metric: string, timeMs: number, value: number, tagsKey: string, tags: () => Tags): void {
    this.add(this.group(metric, tagsKey, tags), timeMs, value);
  }

  /**
   * The group the samples of `metric` with the tag set `tagsKey` go to, made the first time (which
   * also declares an unknown metric). A loader that knows its lines' metric and tag set by id keeps
   * the group and calls `add` with it: the same as `sample`, without its lookups per line. (A group
   * stays the same object while samples are added.)
   */
  group(metric: string, tagsKey: string, tags: () => Tags): SeriesGroup {
    let entry = this.metrics.get(metric);
    if (entry === undefined) entry = this.undeclared(metric);
    if (entry.lastKey === tagsKey && entry.lastGroup !== undefined) return entry.lastGroup;
    const group = entry.groups.get(tagsKey) ?? entry.folded.get(tagsKey) ?? this.groupFor(metric, entry, tagsKey, tags());
    entry.lastKey = tagsKey;
    entry.lastGroup = group;
    return group;
  }

  /** One sample into `group` (from `group()` of this aggregator). */
  add(group: SeriesGroup, timeMs: number, value: number): void {
    let stats: BucketStats | undefined;
    const bucket = Math.floor(timeMs / this.resolutionMs);
    if (group.total !== null) stats = group.total;
    else if (group.lastBucket === bucket) stats = group.lastStats as BucketStats;
    else stats = group.buckets.get(bucket);
    if (stats === undefined) {
      stats = newStats(group);
      group.buckets.set(bucket, stats);
      this.totalBuckets += 1;
      if (group.buckets.size > this.bucketBudget || this.totalBuckets - this.groupCount > this.totalBudget) {
        this.fit();
        // The group's buckets were rebuilt: find its stats again.
        const again = Math.floor(timeMs / this.resolutionMs);
        stats = group.buckets.get(again) as BucketStats;
        group.lastBucket = again;
      } else group.lastBucket = bucket;
    } else group.lastBucket = bucket;
    group.lastStats = stats;
    stats.count += 1;
    stats.sum += value;
    if (value < stats.min) stats.min = value;
    if (value > stats.max) stats.max = value;
    if (value !== 0) stats.nonzero += 1;
    if (timeMs >= stats.lastTimeMs) {
      stats.last = value;
      stats.lastTimeMs = timeMs;
    }
    stats.hist?.add(value);
    group.histogram?.add(value);
    if (timeMs < group.firstMs) group.firstMs = timeMs;
    if (timeMs > group.lastMs) group.lastMs = timeMs;
  }

  /** Every group, in the order first seen. */
  groups(): SeriesGroup[] {
    const out: SeriesGroup[] = [];
    for (const entry of this.metrics.values()) for (const group of entry.groups.values()) out.push(group);
    return out;
  }

  metricType(name: string): { type: MetricType; contains: MetricContains } | undefined {
    const entry = this.metrics.get(name);
    return entry === undefined ? undefined : { type: entry.type, contains: entry.contains };
  }

  /** Per metric with an "other" group: how many tag sets were folded into it, and their samples. */
  folded(): FoldedTagSets[] {
    const out: FoldedTagSets[] = [];
    for (const [metric, entry] of this.metrics) {
      let tagSets = 0;
      let atLeast = false;
      let samples = 0;
      for (const group of entry.groups.values()) {
        if (!group.other) continue;
        tagSets += group.foldedKeys.size;
        atLeast ||= group.foldedOverflow;
        samples += groupTotals(group).count;
      }
      if (tagSets > 0 || samples > 0) out.push({ metric, tagSets, atLeast, samples });
    }
    return out;
  }

  /**
   * Adds everything of `other` into this aggregator; `other` is left unchanged. With different
   * resolutions, both are brought to the coarser one (the least common multiple, in general).
   */
  merge(other: Aggregator): void {
    this.alignTo(other.resolutionMs);
    for (const [name, theirs] of other.metrics) {
      const ours = this.metrics.get(name);
      if (ours === undefined) this.metrics.set(name, newEntry(theirs.type, theirs.contains));
      else if (ours.type === 'unknown' && ours.groups.size === 0 && theirs.type !== 'unknown') {
        ours.type = theirs.type;
        ours.contains = theirs.contains;
      }
      for (const group of theirs.groups.values()) this.addGroup(group, other.resolutionMs);
    }
    this.fit();
  }

  /**
   * The groups partitioned by `key` (e.g. the run a group's tags name), each part an aggregator with
   * this one's resolution and limits; this aggregator is left unchanged.
   */
  split(key: (group: SeriesGroup) => string): Map<string, Aggregator> {
    const parts = new Map<string, Aggregator>();
    for (const group of this.groups()) {
      const id = key(group);
      let part = parts.get(id);
      if (part === undefined) {
        part = new Aggregator({ bucketMs: this.baseBucketMs, bucketBudget: this.bucketBudget, totalBucketBudget: this.totalBucketBudget, maxTagSets: this.maxTagSets });
        part.resolutionMs = this.resolutionMs;
        for (const [name, entry] of this.metrics) part.metrics.set(name, newEntry(entry.type, entry.contains));
        parts.set(id, part);
      }
      part.addGroup(group, this.resolutionMs);
    }
    return parts;
  }

  /** Structured-clone friendly aggregates: `Aggregator.fromTransfer(a.toTransfer())` merges like `a`. */
  toTransfer(): AggregatorTransfer {
    const metrics = [...this.metrics].map(([name, entry]) => ({ name, type: entry.type, contains: entry.contains }));
    const groups = this.groups().map((group): GroupTransfer => {
      const stats = new Float64Array(group.buckets.size * STATS_WIDTH);
      const hists: number[] = [];
      let i = 0;
      for (const [bucket, s] of group.buckets) {
        stats.set(statsRow(bucket, s), i);
        i += STATS_WIDTH;
        if (s.hist !== null) for (const v of s.hist.toArray()) hists.push(v);
      }
      return {
        metric: group.metric,
        tagsKey: group.tagsKey,
        tags: { ...group.tags },
        other: group.other,
        foldedKeys: [...group.foldedKeys],
        foldedOverflow: group.foldedOverflow,
        firstMs: group.firstMs,
        lastMs: group.lastMs,
        stats,
        hists: Float64Array.from(hists),
        histogram: Float64Array.from(group.histogram?.toArray() ?? []),
        total: Float64Array.from(group.total === null ? [] : statsRow(Number.NaN, group.total)),
      };
    });
    return {
      version: 1,
      bucketMs: this.resolutionMs,
      baseBucketMs: this.baseBucketMs,
      bucketBudget: this.bucketBudget,
      totalBucketBudget: this.totalBucketBudget,
      maxTagSets: this.maxTagSets,
      metrics,
      groups,
    };
  }

  /** The aggregator `toTransfer()` described (after a structured clone, e.g. from a worker thread). */
  static fromTransfer(data: AggregatorTransfer): Aggregator {
    if (data === null || typeof data !== 'object' || data.version !== 1) {
      throw new RangeError(`aggregate: transfer version \`${(data as { version?: unknown } | null)?.version}\` is not known: expected 1`);
    }
    const aggregator = new Aggregator({ bucketMs: data.baseBucketMs, bucketBudget: data.bucketBudget, totalBucketBudget: data.totalBucketBudget, maxTagSets: data.maxTagSets });
    aggregator.resolutionMs = data.bucketMs;
    for (const metric of data.metrics) aggregator.metrics.set(metric.name, newEntry(metric.type, metric.contains));
    for (const g of data.groups) {
      let entry = aggregator.metrics.get(g.metric);
      if (entry === undefined) {
        entry = newEntry('unknown', 'default');
        aggregator.metrics.set(g.metric, entry);
      }
      const histogram = g.histogram.length > 0 ? LogHistogram.fromArray(g.histogram).histogram : null;
      const group = aggregator.newGroup(g.metric, entry, g.tagsKey, g.tags, g.other, histogram);
      for (const key of g.foldedKeys) group.foldedKeys.add(key);
      group.foldedOverflow = g.foldedOverflow;
      group.firstMs = g.firstMs;
      group.lastMs = g.lastMs;
      if (group.total !== null && g.total.length === STATS_WIDTH) {
        const v = (k: number): number => g.total[k] as number;
        Object.assign(group.total, { count: v(1), sum: v(2), min: v(3), max: v(4), nonzero: v(5), last: v(6), lastTimeMs: v(7) });
      }
      let at = 0;
      for (let i = 0; i < g.stats.length; i += STATS_WIDTH) {
        const v = (k: number): number => g.stats[i + k] as number;
        let hist: LogHistogram | null = null;
        if (v(8) === 1) {
          const read = LogHistogram.fromArray(g.hists, at);
          hist = read.histogram;
          at = read.next;
        }
        group.buckets.set(v(0), { count: v(1), sum: v(2), min: v(3), max: v(4), nonzero: v(5), last: v(6), lastTimeMs: v(7), hist });
      }
      aggregator.totalBuckets += group.buckets.size;
    }
    aggregator.fit();
    return aggregator;
  }

  /** Moves every group to `bucketMs` (a whole multiple of the current resolution). */
  coarsenTo(bucketMs: number): void {
    if (bucketMs === this.resolutionMs) return;
    if (!(bucketMs > this.resolutionMs) || bucketMs % this.resolutionMs !== 0) {
      throw new RangeError(`aggregate: cannot coarsen ${this.resolutionMs} ms buckets to \`${bucketMs}\` ms: expected a whole multiple`);
    }
    const from = this.resolutionMs;
    this.totalBuckets = 0;
    for (const group of this.groups()) {
      if (!group.timed) continue;
      const next = new Map<number, BucketStats>();
      for (const [bucket, stats] of group.buckets) {
        const to = Math.floor((bucket * from) / bucketMs);
        const ours = next.get(to);
        // The old map is dropped, so its stats can be reused as they are.
        if (ours === undefined) next.set(to, stats);
        else mergeStats(ours, stats);
      }
      group.buckets = next;
      group.lastBucket = Number.NaN;
      group.lastStats = undefined;
      this.totalBuckets += next.size;
    }
    this.resolutionMs = bucketMs;
  }

  /** Coarsens step by step until every group fits the bucket budget and all fit the total one. */
  private fit(): void {
    for (;;) {
      let largest = 0;
      for (const group of this.groups()) largest = Math.max(largest, group.buckets.size);
      // Beyond each group's first bucket, so that many groups alone never force a coarser resolution.
      if (largest <= this.bucketBudget && this.totalBuckets - this.groupCount <= this.totalBudget) return;
      this.coarsenTo(coarserBucketMs(this.resolutionMs));
    }
  }

  /** Brings this aggregator to a resolution both it and `bucketMs` buckets merge into exactly. */
  private alignTo(bucketMs: number): void {
    const target = lcm(this.resolutionMs, bucketMs);
    if (target !== this.resolutionMs) this.coarsenTo(target);
  }

  /** Adds one group with buckets of `fromMs` (this resolution or a divisor of it) into this aggregator. */
  private addGroup(group: SeriesGroup, fromMs: number): void {
    let entry = this.metrics.get(group.metric);
    if (entry === undefined) {
      entry = newEntry(group.type, group.contains);
      this.metrics.set(group.metric, entry);
    }
    let target = entry.groups.get(group.tagsKey);
    if (target === undefined) {
      if (group.other || entry.kept < this.maxTagSets) target = this.newGroup(group.metric, entry, group.tagsKey, group.tags, group.other, null);
      else target = entry.folded.get(group.tagsKey) ?? this.fold(group.metric, entry, group.tagsKey, group.tags);
    }
    if (group.other) {
      for (const key of group.foldedKeys) noteFolded(target, key);
      target.foldedOverflow ||= group.foldedOverflow;
    }
    const factor = this.resolutionMs / fromMs;
    for (const [bucket, theirs] of group.buckets) {
      const to = factor === 1 ? bucket : Math.floor((bucket * fromMs) / this.resolutionMs);
      let ours = target.buckets.get(to);
      if (ours === undefined) {
        ours = newStats(target);
        target.buckets.set(to, ours);
        this.totalBuckets += 1;
      }
      mergeStats(ours, theirs);
    }
    if (group.total !== null && target.total !== null) mergeStats(target.total, group.total);
    if (group.histogram !== null) target.histogram?.merge(group.histogram);
    if (group.firstMs < target.firstMs) target.firstMs = group.firstMs;
    if (group.lastMs > target.lastMs) target.lastMs = group.lastMs;
    target.lastBucket = Number.NaN;
    target.lastStats = undefined;
  }

  private undeclared(metric: string): MetricEntry {
    const builtin = BUILTIN_METRICS[metric];
    const entry = builtin === undefined ? newEntry('unknown', 'default') : newEntry(builtin[0], builtin[1]);
    this.metrics.set(metric, entry);
    if (builtin === undefined) this.onUnknownMetric?.(metric);
    return entry;
  }

  /** The group of a tag set not seen before: its own while the metric is under the limit, else "other". */
  private groupFor(metric: string, entry: MetricEntry, tagsKey: string, tags: Tags): SeriesGroup {
    if (entry.kept < this.maxTagSets) return this.newGroup(metric, entry, tagsKey, tags, false, null);
    return this.fold(metric, entry, tagsKey, tags);
  }

  private fold(metric: string, entry: MetricEntry, tagsKey: string, tags: Tags): SeriesGroup {
    const kept: Record<string, string> = {};
    for (const tag of FOLD_KEEP_TAGS) if (tags[tag] !== undefined) kept[tag] = tags[tag] as string;
    kept.name = OTHER_NAME;
    const otherKey = `\u0000other${JSON.stringify(Object.entries(kept).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
    const group = entry.groups.get(otherKey) ?? this.newGroup(metric, entry, otherKey, kept, true, null);
    noteFolded(group, tagsKey);
    if (entry.folded.size < FOLDED_KEYS_LIMIT) entry.folded.set(tagsKey, group);
    return group;
  }

  private newGroup(metric: string, entry: MetricEntry, tagsKey: string, tags: Tags, other: boolean, histogram: LogHistogram | null): SeriesGroup {
    const timed = !(keepsHistogram(entry.type) && WHOLE_RUN_ONLY.has(metric));
    const group: SeriesGroup = {
      metric,
      tagsKey,
      tags,
      type: entry.type,
      contains: entry.contains,
      buckets: new Map(),
      timed,
      total: timed ? null : blankStats(),
      histogram: histogram ?? (keepsHistogram(entry.type) ? new LogHistogram(FINE_ALPHA) : null),
      other,
      foldedKeys: new Set(),
      foldedOverflow: false,
      firstMs: Number.POSITIVE_INFINITY,
      lastMs: Number.NEGATIVE_INFINITY,
      lastBucket: Number.NaN,
      lastStats: undefined,
    };
    entry.groups.set(tagsKey, group);
    // What the total budget does not count: each timed group's first bucket.
    if (timed) this.groupCount += 1;
    if (!other) entry.kept += 1;
    return group;
  }
}

/** The next resolution after `bucketMs`: the next step of `RESOLUTION_STEPS_MS` it divides, else twice it. */
export function coarserBucketMs(bucketMs: number): number {
  for (const step of RESOLUTION_STEPS_MS) if (step > bucketMs && step % bucketMs === 0) return step;
  return bucketMs * 2;
}

function lcm(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return (a / x) * b;
}

function noteFolded(group: SeriesGroup, key: string): void {
  if (group.foldedKeys.has(key)) return;
  if (group.foldedKeys.size < FOLDED_KEYS_LIMIT) group.foldedKeys.add(key);
  else group.foldedOverflow = true;
}

function newEntry(type: MetricType, contains: MetricContains): MetricEntry {
  return { type, contains, groups: new Map(), kept: 0, folded: new Map(), lastKey: undefined, lastGroup: undefined };
}

function keepsHistogram(type: MetricType): boolean {
  return type === 'trend' || type === 'unknown';
}

function keepsBucketHistogram(metric: string, type: MetricType): boolean {
  return keepsHistogram(type) && !WHOLE_RUN_ONLY.has(metric);
}

function statsRow(bucket: number, s: BucketStats): number[] {
  return [bucket, s.count, s.sum, s.min, s.max, s.nonzero, s.last, s.lastTimeMs, s.hist === null ? 0 : 1];
}

/**
 * The group's count, sum, min, max, nonzero and last value over the whole run: its `total`, or its
 * buckets added up.
 */
export function groupTotals(group: SeriesGroup): BucketStats {
  if (group.total !== null) return group.total;
  const total = blankStats();
  for (const stats of group.buckets.values()) {
    total.count += stats.count;
    total.sum += stats.sum;
    if (stats.min < total.min) total.min = stats.min;
    if (stats.max > total.max) total.max = stats.max;
    total.nonzero += stats.nonzero;
    if (stats.lastTimeMs >= total.lastTimeMs) {
      total.last = stats.last;
      total.lastTimeMs = stats.lastTimeMs;
    }
  }
  return total;
}

function blankStats(): BucketStats {
  return { count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, nonzero: 0, last: Number.NaN, lastTimeMs: Number.NEGATIVE_INFINITY, hist: null };
}

function newStats(group: SeriesGroup): BucketStats {
  return {
    count: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    nonzero: 0,
    last: Number.NaN,
    lastTimeMs: Number.NEGATIVE_INFINITY,
    hist: keepsBucketHistogram(group.metric, group.type) ? new LogHistogram(DEFAULT_ALPHA) : null,
  };
}

/** Adds `source` into `target`. Exact for everything but `sum`, whose float rounding depends on order. */
export function mergeStats(target: BucketStats, source: BucketStats): void {
  target.count += source.count;
  target.sum += source.sum;
  if (source.min < target.min) target.min = source.min;
  if (source.max > target.max) target.max = source.max;
  target.nonzero += source.nonzero;
  if (source.lastTimeMs >= target.lastTimeMs) {
    target.last = source.last;
    target.lastTimeMs = source.lastTimeMs;
  }
  if (source.hist !== null) {
    if (target.hist === null) target.hist = source.hist.clone();
    else target.hist.merge(source.hist);
  }
}
