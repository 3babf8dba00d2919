/**
 * A run's steady state: its numbers without the first seconds (connection set-up, JIT warm-up of the
 * target and of k6) and without the last, partial time bucket — the numbers capacity and comparison
 * are judged on. Also its per-window samples (for significance tests) and its per-endpoint latency.
 *
 * The rule, documented in the report's method: a level's warm-up is 10% of its duration, at least
 * 2 s and at most 60 s (`--warmup D` sets it), rounded up to whole time buckets; the last bucket of
 * the run is always left out, since k6's last second holds only the iterations that were still
 * running. Runs known only from a summary have no time buckets: their steady state is not available.
 */
import type { BucketStats } from '../ingest/aggregate.ts';
import { LogHistogram } from '../stats/log-histogram.ts';
import { groupsOf, latencyOf, NO_LATENCY, runNumbers, type LatencyMs, type Run } from './run.ts';

export const WARMUP_SHARE = 0.1;
export const WARMUP_MIN_MS = 2000;
export const WARMUP_MAX_MS = 60_000;

export interface SteadyOptions {
  /** Fixed warm-up; `undefined` uses the rule above. */
  readonly warmupMs?: number | undefined;
}

export interface SteadyNumbers {
  /** The steady window, Unix ms, bucket-aligned: [from, to). */
  readonly from_ms: number;
  readonly to_ms: number;
  readonly duration_s: number;
  readonly warmup_s: number;
  readonly requests: number;
  readonly failed_requests: number;
  readonly error_rate: number | null;
  readonly rps: number | null;
  readonly iterations: number;
  readonly dropped_iterations: number;
  /** Achieved ÷ offered (the run's level), `null` without a level. */
  readonly achieved_share: number | null;
  readonly latency_ms: LatencyMs;
}

/** The default warm-up of a level that lasts `durationMs`. */
export function defaultWarmupMs(durationMs: number): number {
  return Math.min(Math.max(WARMUP_SHARE * durationMs, WARMUP_MIN_MS), WARMUP_MAX_MS);
}

/** The buckets of the steady window, or `null` when the run has no raw data or nothing is left. */
export function steadyBuckets(run: Run, options: SteadyOptions = {}): { first: number; last: number; bucketMs: number; warmupMs: number } | null {
  if (run.aggregator === null) return null;
  const bucketMs = run.aggregator.bucketMs;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const group of groupsOf(run, 'http_reqs')) {
    for (const bucket of group.buckets.keys()) {
      lo = Math.min(lo, bucket);
      hi = Math.max(hi, bucket);
    }
  }
  if (!Number.isFinite(lo)) return null;
  const durationMs = runNumbers(run).duration_s === null ? (hi - lo + 1) * bucketMs : (runNumbers(run).duration_s as number) * 1000;
  const warmupMs = options.warmupMs ?? defaultWarmupMs(durationMs);
  const first = lo + Math.ceil(warmupMs / bucketMs);
  // The last bucket is partial: only iterations that were still running when the schedule ended.
  const last = hi - 1;
  if (last < first) return null;
  return { first, last, bucketMs, warmupMs };
}

/** The run's numbers over its steady window; `null` when it has none (summary only, too short). */
export function steadyNumbers(run: Run, options: SteadyOptions = {}): SteadyNumbers | null {
  const window = steadyBuckets(run, options);
  if (window === null) return null;
  const { first, last, bucketMs, warmupMs } = window;
  const inWindow = (bucket: number): boolean => bucket >= first && bucket <= last;
  const total = (metric: string, pick: (stats: BucketStats) => number): number => {
    let sum = 0;
    for (const group of groupsOf(run, metric)) for (const [bucket, stats] of group.buckets) if (inWindow(bucket)) sum += pick(stats);
    return sum;
  };
  const requests = total('http_reqs', (s) => s.count);
  const failed = total('http_req_failed', (s) => s.nonzero);
  const histogram = new LogHistogram();
  for (const group of groupsOf(run, 'http_req_duration')) {
    for (const [bucket, stats] of group.buckets) if (inWindow(bucket) && stats.hist !== null) histogram.merge(stats.hist);
  }
  const seconds = ((last - first + 1) * bucketMs) / 1000;
  const rps = requests / seconds;
  return {
    from_ms: first * bucketMs,
    to_ms: (last + 1) * bucketMs,
    duration_s: seconds,
    warmup_s: Math.ceil(warmupMs / bucketMs) * (bucketMs / 1000),
    requests,
    failed_requests: failed,
    error_rate: requests > 0 ? failed / requests : null,
    rps,
    iterations: total('iterations', (s) => s.count),
    dropped_iterations: total('dropped_iterations', (s) => s.sum),
    achieved_share: run.level === null || run.level <= 0 ? null : rps / run.level,
    latency_ms: histogram.count > 0 ? latencyOf(histogram) : NO_LATENCY,
  };
}

/** One window of a run's steady state: the sample a significance test sees. */
export interface WindowSample {
  readonly index: number;
  readonly from_ms: number;
  readonly requests: number;
  readonly rps: number;
  readonly error_rate: number | null;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
}

/**
 * The steady window cut into consecutive windows of `windowMs`, rounded up to whole buckets of the
 * run (1 s, or the coarser bucket of a long run: `wholeBucketsMs`); a last, shorter remainder is
 * dropped so every sample covers the same time. Percentiles per window merge the buckets' histograms
 * (α = 0.5%).
 */
export function windowSamples(run: Run, options: SteadyOptions & { windowMs: number }): WindowSample[] {
  const window = steadyBuckets(run, options);
  if (window === null) return [];
  const { first, last, bucketMs } = window;
  const per = wholeBucketsMs(options.windowMs, bucketMs) / bucketMs;
  const count = Math.floor((last - first + 1) / per);
  const windows = Array.from({ length: count }, () => ({ requests: 0, failed: 0, hist: new LogHistogram() }));
  const at = (bucket: number) => (bucket < first ? undefined : windows[Math.floor((bucket - first) / per)]);
  for (const group of groupsOf(run, 'http_reqs')) for (const [bucket, stats] of group.buckets) { const w = at(bucket); if (w !== undefined) w.requests += stats.count; }
  for (const group of groupsOf(run, 'http_req_failed')) for (const [bucket, stats] of group.buckets) { const w = at(bucket); if (w !== undefined) w.failed += stats.nonzero; }
  for (const group of groupsOf(run, 'http_req_duration')) {
    for (const [bucket, stats] of group.buckets) {
      const w = at(bucket);
      if (w !== undefined && stats.hist !== null) w.hist.merge(stats.hist);
    }
  }
  const seconds = (per * bucketMs) / 1000;
  return windows.map((w, index) => ({
    index,
    from_ms: (first + index * per) * bucketMs,
    requests: w.requests,
    rps: w.requests / seconds,
    error_rate: w.requests > 0 ? w.failed / w.requests : null,
    p50_ms: w.hist.count > 0 ? w.hist.quantile(0.5) : null,
    p95_ms: w.hist.count > 0 ? w.hist.quantile(0.95) : null,
    p99_ms: w.hist.count > 0 ? w.hist.quantile(0.99) : null,
  }));
}

/** `windowMs` rounded up to a whole number (at least 1) of `bucketMs` buckets. */
export function wholeBucketsMs(windowMs: number, bucketMs: number): number {
  return Math.max(1, Math.ceil(windowMs / bucketMs - 1e-9)) * bucketMs;
}

/** Latency and errors of one endpoint (k6's `name` tag, with the method) over the steady window. */
export interface EndpointNumbers {
  readonly name: string;
  readonly method: string | null;
  readonly requests: number;
  readonly share: number;
  readonly error_rate: number | null;
  readonly latency_ms: LatencyMs;
}

/**
 * Per endpoint, so a mix of a costly `/predict` and cheap health checks does not hide the costly
 * one's latency behind the cheap ones'. Steady window when there is one, else the whole run.
 */
export function endpointNumbers(run: Run, options: SteadyOptions = {}): EndpointNumbers[] {
  const window = steadyBuckets(run, options);
  const inWindow = (bucket: number): boolean => window === null || (bucket >= window.first && bucket <= window.last);
  const byName = new Map<string, { name: string; method: string | null; requests: number; failed: number; hist: LogHistogram }>();
  const entry = (tags: Readonly<Record<string, string>>) => {
    // k6's default name is the URL: shown (and matched across runs) by its path, since the host and
    // port differ from one deployment to the next.
    const name = (tags.name ?? tags.url ?? '(no name tag)').replace(/^https?:\/\/[^/]+(?=\/|$)/, '') || '/';
    const method = tags.method ?? null;
    const key = `${method ?? ''} ${name}`;
    let found = byName.get(key);
    if (found === undefined) {
      found = { name, method, requests: 0, failed: 0, hist: new LogHistogram() };
      byName.set(key, found);
    }
    return found;
  };
  for (const group of groupsOf(run, 'http_reqs')) {
    const e = entry(group.tags);
    for (const [bucket, stats] of group.buckets) if (inWindow(bucket)) e.requests += stats.count;
  }
  for (const group of groupsOf(run, 'http_req_failed')) {
    const e = entry(group.tags);
    for (const [bucket, stats] of group.buckets) if (inWindow(bucket)) e.failed += stats.nonzero;
  }
  for (const group of groupsOf(run, 'http_req_duration')) {
    const e = entry(group.tags);
    for (const [bucket, stats] of group.buckets) if (inWindow(bucket) && stats.hist !== null) e.hist.merge(stats.hist);
  }
  const all = [...byName.values()].reduce((sum, e) => sum + e.requests, 0);
  return [...byName.values()]
    .filter((e) => e.requests > 0)
    .sort((a, b) => b.requests - a.requests || a.name.localeCompare(b.name))
    .map((e) => ({
      name: e.name,
      method: e.method,
      requests: e.requests,
      share: all > 0 ? e.requests / all : 0,
      error_rate: e.requests > 0 ? e.failed / e.requests : null,
      latency_ms: e.hist.count > 0 ? latencyOf(e.hist) : NO_LATENCY,
    }));
}
