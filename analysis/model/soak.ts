/**
 * A soak: does the service degrade over hours? Computed from one run's steady state (warm-up left out:
 * `--warmup`, else the longer of model/steady.ts's rule and the schedule's ramp-up, a soak's `WARMUP`):
 *
 * - **trends** of latency (p50, p95, p99), error rate and throughput over consecutive windows: the
 *   Theil–Sen slope per hour with Sen's 95% interval and the Mann–Kendall test with Hamed and
 *   Rao's correction for autocorrelation, widening only (stats/mann-kendall.ts), Holm's
 *   correction over the run's five tests. A trend is claimed only when it is significant (adjusted
 *   p < α) and its change over the steady state passes the same practical thresholds as a comparison
 *   (10% for p50 and the rate, 25% for p95, 35% for p99, 0.1 percentage points for the error rate);
 *   otherwise it is "no significant trend";
 * - **early against late**: the first quarter of the windows against the last, per metric, by the
 *   Mann–Whitney U test with the Hodges–Lehmann interval, judged as a comparison is;
 * - **memory per replica (pod)** from the captures during the steady state: the cgroup working set
 *   where the replica ran in one (what its limit counts), else the pod's (or process's) memory. The
 *   series is cut at each restart (a new PID, a higher restart count) and the trend is fitted within
 *   the stretches (stats/blocked-trend.ts): a replica that leaks until it is OOM-killed shows its
 *   leak, not the sawtooth. A **leak** is a significant rise (Holm over the replicas) that grows by
 *   at least 8 MiB over the steady state (a fresh process's heap and page cache settle by a few MiB:
 *   measured, a clean sample replica grew 2.8 MiB in its first 50 s), and by 5% or more of the
 *   replica's starting memory or enough to reach its memory limit within 7 days; the time to the
 *   limit is (limit − last reading) ÷ slope;
 * - **restarts and OOM kills** per replica: the cgroup counters (the local sample service), the
 *   restart counts of `kubectl get pods`, and OOM events.
 *
 * Mann–Kendall assumes independent windows; latency windows of one run are autocorrelated (a slow
 * minute drags the next), which makes the plain test reject too often. Hamed and Rao's correction
 * widens its null by the autocorrelation of the detrended windows; it is kept from narrowing it (over
 * every lag its estimate is noisy on a few dozen windows), and the practical thresholds stay as well.
 */
import { DEFAULT_MIN_EFFECT, DEFAULT_MIN_ERROR_RATE_CHANGE } from '../analyses/compare.ts';
import { blockedTrend } from '../stats/blocked-trend.ts';
import { hodgesLehmann } from '../stats/hodges-lehmann.ts';
import { holm } from '../stats/holm.ts';
import { hamedRao } from '../stats/mann-kendall.ts';
import { mannWhitneyU } from '../stats/mann-whitney-u.ts';
import { theilSen } from '../stats/theil-sen.ts';
import { runNumbers, type Run } from './run.ts';
import { defaultWarmupMs, steadyBuckets, steadyNumbers, wholeBucketsMs, windowSamples, type SteadyOptions, type WindowSample } from './steady.ts';
import { median } from '../stats/median.ts';

export const SOAK_METRICS = ['p50_ms', 'p95_ms', 'p99_ms', 'error_rate', 'rps'] as const;
export type SoakMetric = (typeof SOAK_METRICS)[number];

/** A run is analysed as a soak when its scenario is `soak`, or when its steady state lasts this long. */
export const SOAK_MIN_STEADY_S = 3600;
/** Windows a trend needs; fewer and it is not tested. */
export const SOAK_MIN_WINDOWS = 8;
/** At most this many windows (the window grows for long runs). */
const SOAK_MAX_WINDOWS = 240;
/** Requests a window should hold for its p95 to mean something. */
const SOAK_MIN_REQUESTS_PER_WINDOW = 100;
const WINDOW_CHOICES_S = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];
/** A leak grows by at least this much over the steady state (a fresh process's heap and page cache settle by a few MiB)… */
export const LEAK_MIN_GROWTH_BYTES = 8 * 2 ** 20;
/** …and by this share of the replica's starting memory… */
export const LEAK_MIN_GROWTH = 0.05;
/** …or reach its memory limit within this time. */
export const LEAK_HORIZON_S = 7 * 24 * 3600;
/** A leak that reaches the limit within this time (or a replica OOM-killed) is a failure, not a warning. */
export const LEAK_FAIL_WITHIN_S = 24 * 3600;
/** Memory readings a replica needs for its trend. */
const MIN_MEMORY_POINTS = 6;

export type TrendVerdict = 'increasing' | 'decreasing' | 'no-significant-trend' | 'not-tested';

export interface SoakTrend {
  readonly metric: SoakMetric | 'memory_bytes';
  /** The replica (pod) for memory; `null` for the run's own metrics. */
  readonly pod: string | null;
  /** What the slope is in: `ms/h`, `share/h`, `req/s per h`, `bytes/h`. */
  readonly unit_per_hour: string;
  readonly slope: number | null;
  readonly ci: readonly [number, number] | null;
  /** The fitted value at the start of the steady state. */
  readonly start_value: number | null;
  /** slope × the steady state's hours. */
  readonly change: number | null;
  /** change ÷ start_value (`null` for the error rate, judged in percentage points, or a start at 0). */
  readonly relative_change: number | null;
  readonly test: 'mann-kendall' | 'mann-kendall-hamed-rao' | 'seasonal-kendall' | null;
  readonly p_value: number | null;
  /** After Holm's correction over the family (the run's metrics, or its replicas' memory). */
  readonly p_adjusted: number | null;
  readonly verdict: TrendVerdict;
  readonly reason: string;
  /** [seconds from the start of the steady state, value]: the samples tested. */
  readonly samples: readonly (readonly [number, number])[];
}

export interface EarlyLate {
  readonly metric: SoakMetric;
  readonly early_median: number | null;
  readonly late_median: number | null;
  readonly delta_pct: number | null;
  readonly ci_pct: readonly [number, number] | null;
  readonly test: 'mann-whitney-u-exact' | 'mann-whitney-u-normal' | null;
  readonly p_value: number | null;
  readonly p_adjusted: number | null;
  readonly verdict: 'worse' | 'better' | 'no-change' | 'not-tested';
  readonly reason: string;
  readonly early_samples: readonly number[];
  readonly late_samples: readonly number[];
}

export interface ReplicaMemory {
  readonly pod: string;
  readonly source: 'cgroup' | 'pods';
  readonly limit_bytes: number | null;
  readonly first_bytes: number | null;
  readonly last_bytes: number | null;
  readonly peak_bytes: number | null;
  /** Stretches between restarts with readings. */
  readonly stretches: number;
  readonly restarts: number | null;
  readonly oom_kills: number | null;
  readonly trend: SoakTrend;
  /** Set when the trend is a leak (see the module's rule). */
  readonly leak: { readonly bytes_per_hour: number; readonly time_to_limit_s: number | null } | null;
  /** [seconds from the start of the steady state, bytes, stretch index]. */
  readonly readings: readonly (readonly [number, number, number])[];
}

export interface Soak {
  readonly run: string;
  readonly label: string;
  readonly warmup_s: number;
  readonly steady_s: number;
  readonly window_s: number;
  readonly windows: number;
  readonly alpha: number;
  readonly trends: readonly SoakTrend[];
  readonly early_late: readonly EarlyLate[];
  readonly memory: readonly ReplicaMemory[];
  /** The replica whose leak reaches its limit first (or grows fastest, without limits); `null` without a leak. */
  readonly leak: { readonly pod: string; readonly bytes_per_hour: number; readonly time_to_limit_s: number | null } | null;
  readonly restarts: number | null;
  readonly oom_kills: number | null;
  /** OOM events (`kubectl get events`) during the run, per object. */
  readonly oom_events: readonly { readonly object: string; readonly reason: string; readonly count: number }[];
}

const UNIT: Readonly<Record<SoakMetric | 'memory_bytes', string>> = { p50_ms: 'ms/h', p95_ms: 'ms/h', p99_ms: 'ms/h', error_rate: 'share/h', rps: 'req/s per h', memory_bytes: 'bytes/h' };
const WORSE_WHEN_HIGHER: Readonly<Record<SoakMetric, boolean>> = { p50_ms: true, p95_ms: true, p99_ms: true, error_rate: true, rps: false };

export function isSoak(run: Run, steadySeconds: number | null): boolean {
  return run.scenario === 'soak' || (steadySeconds !== null && steadySeconds >= SOAK_MIN_STEADY_S);
}

/** The window of a soak of `steadyS` seconds at `rps`: the smallest choice giving ≤ 240 windows of ≥ 100 requests. */
export function soakWindowS(steadyS: number, rps: number | null, bucketS: number): number {
  for (const choice of WINDOW_CHOICES_S) {
    if (choice < bucketS) continue;
    if (steadyS / choice > SOAK_MAX_WINDOWS) continue;
    if (rps !== null && rps * choice < SOAK_MIN_REQUESTS_PER_WINDOW) continue;
    return choice;
  }
  return Math.max(bucketS, WINDOW_CHOICES_S[WINDOW_CHOICES_S.length - 1] as number);
}

export interface SoakOptions extends SteadyOptions {
  readonly alpha?: number;
  /** A fixed window length, ms (tests); default `soakWindowS`. */
  readonly windowMs?: number;
}

/**
 * The ramp-up of the run's schedule (our summary.json): the time until the rate first reaches its
 * peak (a soak's `WARMUP`); 0 for a schedule that starts at its peak, `null` without a schedule.
 */
export function rampUpMs(run: Run): number | null {
  const schedule = run.summary?.run?.schedule;
  if (schedule === undefined || schedule === null) return null;
  const peak = Math.max(schedule.start_rate, ...schedule.stages.map((stage) => stage.target));
  if (schedule.start_rate >= peak) return 0;
  let seconds = 0;
  for (const stage of schedule.stages) {
    seconds += stage.seconds;
    if (stage.target >= peak) return seconds * 1000;
  }
  return seconds * 1000;
}

/** A soak's warm-up: `--warmup`, else the longer of the usual rule and the schedule's ramp-up. */
export function soakWarmupMs(run: Run, warmupMs: number | undefined): number | undefined {
  if (warmupMs !== undefined) return warmupMs;
  const duration = runNumbers(run).duration_s;
  const ramp = rampUpMs(run);
  if (duration === null || ramp === null) return undefined;
  return Math.max(defaultWarmupMs(duration * 1000), ramp);
}

export function soakOf(run: Run, given: SoakOptions = {}): Soak | null {
  const alpha = given.alpha ?? 0.05;
  const options = { ...given, warmupMs: soakWarmupMs(run, given.warmupMs) };
  const steady = steadyBuckets(run, options);
  if (steady === null) return null;
  const fromMs = steady.first * steady.bucketMs;
  const toMs = (steady.last + 1) * steady.bucketMs;
  const steadyS = (toMs - fromMs) / 1000;
  const hours = steadyS / 3600;
  // The steady rate sizes the windows: steadyNumbers counts it without building a window per bucket.
  const rps = steadyNumbers(run, options)?.rps ?? null;
  const windowMs = wholeBucketsMs(options.windowMs ?? soakWindowS(steadyS, rps, steady.bucketMs / 1000) * 1000, steady.bucketMs);
  const windows = windowSamples(run, { ...options, windowMs });

  const trends = metricTrends(windows, fromMs, hours, alpha);
  const earlyLate = earlyLateTests(windows, alpha);
  const memory = replicaMemory(run, fromMs, toMs, hours, alpha);
  const leaks = memory.filter((m) => m.leak !== null);
  const first = leaks.sort((a, b) => (a.leak?.time_to_limit_s ?? Number.POSITIVE_INFINITY) - (b.leak?.time_to_limit_s ?? Number.POSITIVE_INFINITY) || (b.leak?.bytes_per_hour ?? 0) - (a.leak?.bytes_per_hour ?? 0))[0];
  const counted = <K extends 'restarts' | 'oom_kills'>(key: K): number | null => {
    const known = memory.map((m) => m[key]).filter((v): v is number => v !== null);
    return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
  };
  return {
    run: run.id,
    label: run.label,
    warmup_s: steady.warmupMs / 1000,
    steady_s: steadyS,
    window_s: windowMs / 1000,
    windows: windows.length,
    alpha,
    trends,
    early_late: earlyLate,
    memory,
    leak: first?.leak == null ? null : { pod: first.pod, ...first.leak },
    restarts: counted('restarts'),
    oom_kills: counted('oom_kills'),
    oom_events: oomEvents(run),
  };
}

function valueOf(window: WindowSample, metric: SoakMetric): number | null {
  return window[metric];
}

function metricTrends(windows: readonly WindowSample[], fromMs: number, hours: number, alpha: number): SoakTrend[] {
  const fitted = SOAK_METRICS.map((metric) => {
    const samples = windows.flatMap((w) => {
      const v = valueOf(w, metric);
      return v === null ? [] : [[(w.from_ms - fromMs) / 1000, v] as const];
    });
    return { metric, samples };
  });
  const results: SoakTrend[] = [];
  const tested: number[] = [];
  const pending: { at: number; practical: boolean; direction: number }[] = [];
  for (const { metric, samples } of fitted) {
    const base = { metric, pod: null, unit_per_hour: UNIT[metric], samples };
    if (samples.length < SOAK_MIN_WINDOWS) {
      results.push({ ...base, slope: null, ci: null, start_value: null, change: null, relative_change: null, test: null, p_value: null, p_adjusted: null, verdict: 'not-tested', reason: `too few windows (${samples.length}; at least ${SOAK_MIN_WINDOWS}): run longer` });
      continue;
    }
    const x = samples.map(([s]) => s / 3600);
    const y = samples.map(([, v]) => v);
    const fit = theilSen(x, y);
    const test = hamedRao(y, { widenOnly: true });
    const change = fit.slope * hours;
    const start = fit.intercept;
    const relative = metric === 'error_rate' || start <= 0 ? null : change / start;
    const practical = metric === 'error_rate' ? Math.abs(change) >= DEFAULT_MIN_ERROR_RATE_CHANGE : relative !== null && Math.abs(relative) >= DEFAULT_MIN_EFFECT[metric];
    tested.push(test.pValue);
    pending.push({ at: results.length, practical, direction: Math.sign(fit.slope) });
    results.push({ ...base, slope: fit.slope, ci: [fit.low, fit.high], start_value: start, change, relative_change: relative, test: 'mann-kendall-hamed-rao', p_value: test.pValue, p_adjusted: null, verdict: 'no-significant-trend', reason: '' });
  }
  const adjusted = holm(tested);
  pending.forEach(({ at, practical, direction }, i) => {
    const trend = results[at] as SoakTrend;
    const p = adjusted[i] as number;
    let verdict: TrendVerdict = 'no-significant-trend';
    let reason: string;
    if (!(p < alpha)) reason = `not significant (p = ${p.toPrecision(2)} after Holm's adjustment over ${tested.length} tests, α = ${alpha})`;
    else if (!practical) reason = trend.metric === 'error_rate' ? `significant but below ${DEFAULT_MIN_ERROR_RATE_CHANGE * 100} percentage points over the run` : `significant but below the practical threshold of ${Math.round(DEFAULT_MIN_EFFECT[trend.metric as Exclude<SoakMetric, 'error_rate'>] * 100)}% over the run`;
    else if (direction === 0) reason = 'the slope is 0';
    else {
      verdict = direction > 0 ? 'increasing' : 'decreasing';
      reason = `significant (p = ${p.toPrecision(2)} after Holm's adjustment, < ${alpha}) and beyond the practical threshold`;
    }
    results[at] = { ...trend, p_adjusted: p, verdict, reason };
  });
  return results;
}

function earlyLateTests(windows: readonly WindowSample[], alpha: number): EarlyLate[] {
  const quarter = Math.floor(windows.length / 4);
  const results: EarlyLate[] = [];
  const pending: { at: number; practical: boolean; direction: number; medianDirection: number }[] = [];
  for (const metric of SOAK_METRICS) {
    const pick = (part: readonly WindowSample[]) => part.map((w) => valueOf(w, metric)).filter((v): v is number => v !== null);
    const early = quarter === 0 ? [] : pick(windows.slice(0, quarter));
    const late = quarter === 0 ? [] : pick(windows.slice(windows.length - quarter));
    const earlyMedian = early.length === 0 ? null : median(early);
    const lateMedian = late.length === 0 ? null : median(late);
    const delta = earlyMedian === null || lateMedian === null || earlyMedian === 0 ? null : ((lateMedian - earlyMedian) / earlyMedian) * 100;
    const base = { metric, early_median: earlyMedian, late_median: lateMedian, delta_pct: delta, early_samples: early, late_samples: late };
    if (early.length < 2 || late.length < 2) {
      results.push({ ...base, ci_pct: null, test: null, p_value: null, p_adjusted: null, verdict: 'not-tested', reason: `too few windows in the first and last quarter (${early.length} and ${late.length}; at least 2 each): run longer` });
      continue;
    }
    const test = mannWhitneyU(late, early);
    const shift = hodgesLehmann(early, late);
    const scale = earlyMedian as number;
    pending.push({
      at: results.length,
      practical: metric === 'error_rate' ? Math.abs((lateMedian as number) - scale) >= DEFAULT_MIN_ERROR_RATE_CHANGE : delta !== null && Math.abs(delta) >= DEFAULT_MIN_EFFECT[metric] * 100,
      direction: Math.sign(shift.estimate),
      medianDirection: Math.sign((lateMedian as number) - scale),
    });
    results.push({ ...base, ci_pct: scale === 0 ? null : [(shift.lower / scale) * 100, (shift.upper / scale) * 100], test: test.method === 'exact' ? 'mann-whitney-u-exact' : 'mann-whitney-u-normal', p_value: test.p, p_adjusted: null, verdict: 'no-change', reason: '' });
  }
  const adjusted = holm(pending.map(({ at }) => results[at]?.p_value as number));
  pending.forEach(({ at, practical, direction, medianDirection }, i) => {
    const e = results[at] as EarlyLate;
    const p = adjusted[i] as number;
    let verdict: EarlyLate['verdict'] = 'no-change';
    let reason: string;
    if (!(p < alpha)) reason = `not significant (p = ${p.toPrecision(2)} after Holm's adjustment over ${pending.length} tests, α = ${alpha})`;
    else if (!practical) reason = e.metric === 'error_rate' ? `significant but below ${DEFAULT_MIN_ERROR_RATE_CHANGE * 100} percentage points` : `significant but below the practical threshold of ${Math.round(DEFAULT_MIN_EFFECT[e.metric as Exclude<SoakMetric, 'error_rate'>] * 100)}%`;
    else if (direction === 0 || direction !== medianDirection) reason = 'the shift and the medians disagree on the direction';
    else {
      verdict = (direction > 0) === WORSE_WHEN_HIGHER[e.metric] ? 'worse' : 'better';
      reason = `significant (p = ${p.toPrecision(2)} after Holm's adjustment, < ${alpha}) and beyond the practical threshold`;
    }
    results[at] = { ...e, p_adjusted: p, verdict, reason };
  });
  return results;
}

interface Reading {
  readonly t: number;
  readonly bytes: number;
  /** What changes when the replica restarts: its PID or its restart count. */
  readonly life: string;
}

function replicaMemory(run: Run, fromMs: number, toMs: number, hours: number, alpha: number): ReplicaMemory[] {
  const during = (t: number | null): t is number => t !== null && t >= fromMs && t <= toMs;
  const cgroup = new Map<string, { readings: Reading[]; limit: number | null; peak: number | null }>();
  const pods = new Map<string, Reading[]>();
  // Restart counts from `kubectl get pods` per pod, in capture order.
  const placements = new Map<string, { t: number; restarts: number }[]>();
  const counters = new Map<string, { restarts: number[]; oom: number[] }>();
  for (const snapshot of run.snapshots) {
    for (const sample of snapshot.limits ?? []) {
      // Counters over the whole run (captures before and after included): they only ever rise.
      const c = counters.get(sample.name) ?? { restarts: [], oom: [] };
      if (sample.restarts !== null) c.restarts.push(sample.restarts);
      if (sample.oomKills !== null) c.oom.push(sample.oomKills);
      counters.set(sample.name, c);
      if (!during(snapshot.capturedAtMs) || sample.pid === null || sample.memoryWorkingSetBytes === null) continue;
      const entry = cgroup.get(sample.name) ?? { readings: [], limit: null, peak: null };
      entry.readings.push({ t: snapshot.capturedAtMs, bytes: sample.memoryWorkingSetBytes, life: `pid ${sample.pid}` });
      entry.limit = sample.memoryLimitBytes ?? entry.limit;
      if (sample.memoryPeakBytes !== null) entry.peak = Math.max(entry.peak ?? 0, sample.memoryPeakBytes);
      cgroup.set(sample.name, entry);
    }
    for (const placement of snapshot.placements) {
      if (snapshot.capturedAtMs === null || placement.restarts === null) continue;
      const key = placement.namespace === null ? placement.pod : `${placement.namespace}/${placement.pod}`;
      placements.set(key, [...(placements.get(key) ?? []), { t: snapshot.capturedAtMs, restarts: placement.restarts }]);
    }
  }
  for (const snapshot of run.snapshots) {
    if (!during(snapshot.capturedAtMs)) continue;
    for (const pod of snapshot.pods) {
      const key = pod.namespace === null ? pod.pod : `${pod.namespace}/${pod.pod}`;
      if (cgroup.has(pod.pod) || pod.memoryBytes === null) continue;
      const seen = (placements.get(key) ?? []).filter((p) => p.t <= (snapshot.capturedAtMs as number) + 1000);
      const restarts = seen[seen.length - 1]?.restarts;
      pods.set(key, [...(pods.get(key) ?? []), { t: snapshot.capturedAtMs, bytes: pod.memoryBytes, life: restarts === undefined ? '' : `restarts ${restarts}` }]);
    }
  }
  const rise = (values: readonly number[]): number | null => (values.length === 0 ? null : Math.max(...values) - Math.min(...values));
  const replicas: { pod: string; source: 'cgroup' | 'pods'; readings: Reading[]; limit: number | null; peak: number | null; restarts: number | null; oom: number | null }[] = [];
  for (const [pod, entry] of cgroup) {
    const c = counters.get(pod);
    replicas.push({ pod, source: 'cgroup', readings: entry.readings, limit: entry.limit, peak: entry.peak, restarts: rise(c?.restarts ?? []), oom: rise(c?.oom ?? []) });
  }
  for (const [pod, readings] of pods) {
    const seen = placements.get(pod) ?? [];
    replicas.push({ pod, source: 'pods', readings, limit: run.resources?.memory_bytes ?? null, peak: null, restarts: rise(seen.map((p) => p.restarts)), oom: null });
  }
  replicas.sort((a, b) => a.pod.localeCompare(b.pod, 'en', { numeric: true }));

  const out: ReplicaMemory[] = [];
  const tested: { at: number; practical: boolean; slope: number; timeToLimit: number | null; growth: number | null }[] = [];
  for (const replica of replicas) {
    const readings = [...replica.readings].sort((a, b) => a.t - b.t);
    const lives: string[] = [];
    const indexed = readings.map((r) => {
      if (lives[lives.length - 1] !== r.life) lives.push(r.life);
      return [(r.t - fromMs) / 1000, r.bytes, lives.length - 1] as const;
    });
    const stretches = lives.map((_, i) => indexed.filter(([, , s]) => s === i));
    const base = {
      pod: replica.pod,
      source: replica.source,
      limit_bytes: replica.limit,
      first_bytes: readings[0]?.bytes ?? null,
      last_bytes: readings[readings.length - 1]?.bytes ?? null,
      peak_bytes: replica.peak ?? (readings.length === 0 ? null : Math.max(...readings.map((r) => r.bytes))),
      stretches: stretches.length,
      restarts: replica.restarts,
      oom_kills: replica.oom,
      readings: indexed,
    };
    const samples = indexed.map(([s, b]) => [s, b] as const);
    const trendBase = { metric: 'memory_bytes' as const, pod: replica.pod, unit_per_hour: UNIT.memory_bytes, samples };
    const usable = stretches.filter((s) => s.length >= 2);
    if (readings.length < MIN_MEMORY_POINTS || usable.length === 0) {
      out.push({ ...base, leak: null, trend: { ...trendBase, slope: null, ci: null, start_value: null, change: null, relative_change: null, test: null, p_value: null, p_adjusted: null, verdict: 'not-tested', reason: `too few memory readings during the steady state (${readings.length}; at least ${MIN_MEMORY_POINTS}): capture more often (--snapshot-interval) or run longer` } });
      continue;
    }
    const fit = blockedTrend(usable.map((s) => ({ x: s.map(([t]) => t / 3600), y: s.map(([, b]) => b) })));
    const start = usable.reduce((a, b) => (b.length > a.length ? b : a))[0]?.[1] ?? null;
    const change = fit.slope * hours;
    const last = base.last_bytes as number;
    const timeToLimit = replica.limit === null || fit.slope <= 0 ? null : Math.max(0, ((replica.limit - last) / fit.slope) * 3600);
    const growth = start === null || start <= 0 ? null : change / start;
    tested.push({ at: out.length, practical: change >= LEAK_MIN_GROWTH_BYTES && ((growth !== null && growth >= LEAK_MIN_GROWTH) || (timeToLimit !== null && timeToLimit <= LEAK_HORIZON_S)), slope: fit.slope, timeToLimit, growth });
    out.push({
      ...base,
      leak: null,
      trend: { ...trendBase, slope: fit.slope, ci: [fit.low, fit.high], start_value: start, change, relative_change: growth, test: fit.stretches > 1 ? 'seasonal-kendall' : 'mann-kendall', p_value: fit.pValue, p_adjusted: null, verdict: 'no-significant-trend', reason: '' },
    });
  }
  const adjusted = holm(tested.map(({ at }) => out[at]?.trend.p_value as number));
  tested.forEach(({ at, practical, slope, timeToLimit }, i) => {
    const replica = out[at] as ReplicaMemory;
    const p = adjusted[i] as number;
    let verdict: TrendVerdict = 'no-significant-trend';
    let reason: string;
    let leak: ReplicaMemory['leak'] = null;
    if (!(p < alpha)) reason = `not significant (p = ${p.toPrecision(2)}${tested.length > 1 ? ` after Holm's adjustment over ${tested.length} replicas` : ''}, α = ${alpha})`;
    else if (slope <= 0) {
      verdict = slope < 0 ? 'decreasing' : 'no-significant-trend';
      reason = slope < 0 ? 'memory falls' : 'the slope is 0';
    } else if (!practical) {
      verdict = 'increasing';
      reason = `significant but grows less than ${LEAK_MIN_GROWTH_BYTES / 2 ** 20} MiB over the steady state, or less than ${LEAK_MIN_GROWTH * 100}% and would not reach the limit within ${LEAK_HORIZON_S / 86400} days`;
    } else {
      verdict = 'increasing';
      reason = `significant (p = ${p.toPrecision(2)}, < ${alpha}) and a leak by the rule`;
      leak = { bytes_per_hour: slope, time_to_limit_s: timeToLimit };
    }
    out[at] = { ...replica, leak, trend: { ...replica.trend, p_adjusted: p, verdict, reason } };
  });
  return out;
}

function oomEvents(run: Run): Soak['oom_events'] {
  const counts = new Map<string, { object: string; reason: string; count: number }>();
  const seen = new Set<string>();
  for (const snapshot of run.snapshots) {
    for (const event of snapshot.events) {
      if (!/oom/i.test(event.reason) && !/oom/i.test(event.message)) continue;
      // The same event is listed by every later capture: count each (object, reason, message, time) once.
      const key = `${event.object}\n${event.reason}\n${event.message}\n${event.count ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const id = `${event.object}\n${event.reason}`;
      const entry = counts.get(id) ?? { object: event.object, reason: event.reason, count: 0 };
      entry.count += 1;
      counts.set(id, entry);
    }
  }
  return [...counts.values()];
}
