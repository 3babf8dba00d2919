/**
 * Streaming aggregation: every sample lands in a time bucket (1 s by default) of its group (metric
 * plus its full tag set). Memory grows with groups × buckets, never with samples: a bucket keeps
 * count, sum, min, max, the count of non-zero values (for rates), the last value (for gauges) and,
 * for trends, a mergeable LogHistogram. Aggregators merge exactly, so files of one run (k6-operator
 * runners, split outputs) combine into the same aggregates as the unsplit data.
 */
import { LogHistogram } from '../stats/log-histogram.ts';
import { BUILTIN_METRICS } from './builtin-metrics.ts';
import type { MetricContains, MetricType, SampleSink, Tags } from './sink.ts';

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
  /** Trends (and metrics of unknown type) only. */
  hist: LogHistogram | null;
}

export interface SeriesGroup {
  readonly metric: string;
  readonly tagsKey: string;
  readonly tags: Tags;
  readonly type: MetricType;
  readonly contains: MetricContains;
  /** Bucket index (⌊timeMs / bucketMs⌋) → stats. */
  readonly buckets: Map<number, BucketStats>;
  firstMs: number;
  lastMs: number;
  /** The bucket of the previous sample: samples arrive in time order, so it is usually the same one. */
  lastBucket: number;
  lastStats: BucketStats | undefined;
}

interface MetricEntry {
  type: MetricType;
  contains: MetricContains;
  readonly groups: Map<string, SeriesGroup>;
  // The group of the previous sample of this metric: consecutive samples of a metric mostly share tags.
  lastKey: string | undefined;
  lastGroup: SeriesGroup | undefined;
}

export class Aggregator implements SampleSink {
  readonly bucketMs: number;
  private readonly metrics = new Map<string, MetricEntry>();
  /** Called once per metric that is neither declared nor a k6 built-in. */
  onUnknownMetric: ((metric: string) => void) | undefined;

  constructor(options: { bucketMs?: number } = {}) {
    const { bucketMs = 1000 } = options;
    if (!(bucketMs > 0)) throw new RangeError(`aggregate: bucket \`${bucketMs}\` ms is not valid: expected a duration > 0`);
    this.bucketMs = bucketMs;
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
    let entry = this.metrics.get(metric);
    if (entry === undefined) entry = this.undeclared(metric);
    let group: SeriesGroup;
    if (entry.lastKey === tagsKey && entry.lastGroup !== undefined) group = entry.lastGroup;
    else {
      group = entry.groups.get(tagsKey) ?? this.newGroup(metric, entry, tagsKey, tags());
      entry.lastKey = tagsKey;
      entry.lastGroup = group;
    }
    add(group, Math.floor(timeMs / this.bucketMs), timeMs, value);
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

  /** Adds everything of `other` (same bucket size) into this aggregator; `other` is left unchanged. */
  merge(other: Aggregator): void {
    if (other.bucketMs !== this.bucketMs) {
      throw new RangeError(`aggregate: cannot merge ${other.bucketMs} ms buckets into ${this.bucketMs} ms buckets`);
    }
    for (const [name, theirs] of other.metrics) {
      if (!this.metrics.has(name)) this.metrics.set(name, newEntry(theirs.type, theirs.contains));
      for (const group of theirs.groups.values()) this.mergeGroup(group);
    }
  }

  /** Adds one group (of this or another aggregator with the same buckets) into this aggregator. */
  mergeGroup(group: SeriesGroup): void {
    let entry = this.metrics.get(group.metric);
    if (entry === undefined) {
      entry = newEntry(group.type, group.contains);
      this.metrics.set(group.metric, entry);
    }
    mergeGroup(entry.groups.get(group.tagsKey) ?? this.newGroup(group.metric, entry, group.tagsKey, group.tags), group);
  }

  private undeclared(metric: string): MetricEntry {
    const builtin = BUILTIN_METRICS[metric];
    const entry = builtin === undefined ? newEntry('unknown', 'default') : newEntry(builtin[0], builtin[1]);
    this.metrics.set(metric, entry);
    if (builtin === undefined) this.onUnknownMetric?.(metric);
    return entry;
  }

  private newGroup(metric: string, entry: MetricEntry, tagsKey: string, tags: Tags): SeriesGroup {
    const group: SeriesGroup = {
      metric,
      tagsKey,
      tags,
      type: entry.type,
      contains: entry.contains,
      buckets: new Map(),
      firstMs: Number.POSITIVE_INFINITY,
      lastMs: Number.NEGATIVE_INFINITY,
      lastBucket: Number.NaN,
      lastStats: undefined,
    };
    entry.groups.set(tagsKey, group);
    return group;
  }
}

function newEntry(type: MetricType, contains: MetricContains): MetricEntry {
  return { type, contains, groups: new Map(), lastKey: undefined, lastGroup: undefined };
}

function keepsHistogram(type: MetricType): boolean {
  return type === 'trend' || type === 'unknown';
}

function newStats(type: MetricType): BucketStats {
  return {
    count: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    nonzero: 0,
    last: Number.NaN,
    lastTimeMs: Number.NEGATIVE_INFINITY,
    hist: keepsHistogram(type) ? new LogHistogram() : null,
  };
}

function add(group: SeriesGroup, bucket: number, timeMs: number, value: number): void {
  let stats = group.lastBucket === bucket ? group.lastStats : group.buckets.get(bucket);
  if (stats === undefined) {
    stats = newStats(group.type);
    group.buckets.set(bucket, stats);
  }
  group.lastBucket = bucket;
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
  if (timeMs < group.firstMs) group.firstMs = timeMs;
  if (timeMs > group.lastMs) group.lastMs = timeMs;
}

function mergeGroup(target: SeriesGroup, source: SeriesGroup): void {
  for (const [bucket, theirs] of source.buckets) {
    let ours = target.buckets.get(bucket);
    if (ours === undefined) {
      ours = newStats(target.type);
      target.buckets.set(bucket, ours);
    }
    mergeStats(ours, theirs);
  }
  if (source.firstMs < target.firstMs) target.firstMs = source.firstMs;
  if (source.lastMs > target.lastMs) target.lastMs = source.lastMs;
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
