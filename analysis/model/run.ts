/**
 * A run: one k6 execution (one level of a sweep, one cell of a matrix, or one bare output file),
 * possibly spread over several files (k6-operator runners tagged `instance_id`), with its raw
 * aggregates, its summary and the cluster captures taken while it ran.
 */
import type { Aggregator, SeriesGroup } from '../ingest/aggregate.ts';
import type { LatencyMs, SummaryLoad } from '../ingest/k6-summary.ts';

export type { LatencyMs };
import type { SnapshotResult } from '../snapshots/types.ts';
import { FINE_ALPHA, LogHistogram } from '../stats/log-histogram.ts';
import type { LevelStatus } from './manifest.ts';

export type RunStatus = LevelStatus | 'unknown';

export interface Run {
  readonly id: string;
  readonly label: string;
  readonly scenario: string | null;
  readonly target: string | null;
  /** The target rate (iterations/s) where one is known for the whole run; `null` otherwise. */
  readonly level: number | null;
  /** Every `level` tag value in the data, ascending (several for ramp and stress). */
  readonly levels: readonly number[];
  /** The sweep it was run in: its manifest's id, or the folder holding its level folder; `null` for a bare run. */
  readonly sweep: string | null;
  readonly replicas: number | null;
  /** CPU and memory per replica during the run (its tier), where known, and whether they were enforced. */
  readonly resources: { readonly cores: number | null; readonly memory_bytes: number | null; readonly enforced: boolean | null } | null;
  readonly status: RunStatus;
  readonly statusReason: string | null;
  /** The run's folder (a level of a sweep) or `null` for bare files. */
  readonly folder: string | null;
  readonly files: readonly string[];
  /** `instance_id` tag values: the k6-operator runners merged into this run. */
  readonly instances: readonly string[];
  readonly aggregator: Aggregator | null;
  readonly summary: SummaryLoad | null;
  readonly snapshots: readonly SnapshotResult[];
  /** Iterations the schedule offered, from our summary.json. */
  readonly plannedIterations: number | null;
  /** Set when another load tool made the run (its results loaded into this model): what it measured differently. */
  readonly tool?: OtherTool | undefined;
}

/** A run made by Locust or JMeter rather than k6 (analysis/ingest/locust.ts, jmeter.ts). */
export interface OtherTool {
  readonly name: 'locust' | 'jmeter';
  /** Users (threads) that each wait for their answer: a closed model, never an arrival rate. */
  readonly model: 'closed';
  /** The most users (threads) active at once, `null` when the files do not say. */
  readonly users: number | null;
  /** The tool's own latency figures when it records no per-request durations (Locust's `_stats.csv`). */
  readonly latencyMs: LatencyMs | null;
}

export interface RunNumbers {
  /** ISO-8601; `null` when neither samples nor a summary place the run in time. */
  readonly start: string | null;
  readonly end: string | null;
  readonly duration_s: number | null;
  readonly requests: number;
  readonly failed_requests: number;
  readonly error_rate: number | null;
  readonly rps: number | null;
  readonly iterations: number;
  readonly dropped_iterations: number;
  readonly latency_ms: LatencyMs;
  /** Where the numbers come from: raw samples (k6 output) or only k6's end-of-test summary. */
  readonly source: 'raw' | 'summary' | 'none';
}

export const NO_LATENCY: LatencyMs = { min: null, mean: null, p50: null, p90: null, p95: null, p99: null, max: null };

/** Groups of `metric` in the run's aggregates. */
export function groupsOf(run: Run, metric: string): SeriesGroup[] {
  return run.aggregator === null ? [] : run.aggregator.groups().filter((group) => group.metric === metric);
}

/** All samples of `metric` in the run merged into one histogram (trend metrics only): the groups' whole-run histograms, α = 0.1%. */
export function mergedHistogram(groups: readonly SeriesGroup[]): LogHistogram {
  const histogram = new LogHistogram(FINE_ALPHA);
  for (const group of groups) if (group.histogram !== null) histogram.merge(group.histogram);
  return histogram;
}

/** The run's time bucket, ms (1000 unless the run was long enough to need coarser ones); `null` without raw data. */
export function bucketMsOf(run: Run): number | null {
  return run.aggregator === null ? null : run.aggregator.bucketMs;
}

export function latencyOf(histogram: LogHistogram): LatencyMs {
  if (histogram.count === 0) return NO_LATENCY;
  return {
    min: histogram.min,
    mean: histogram.mean(),
    p50: histogram.quantile(0.5),
    p90: histogram.quantile(0.9),
    p95: histogram.quantile(0.95),
    p99: histogram.quantile(0.99),
    max: histogram.max,
  };
}

/**
 * The run's key numbers (the DESIGN's `analysis.json` runs[] fields). Raw samples win over the
 * summary, since they are the truth and merge across runners; the summary's duration is used for
 * the rate because samples begin and end a fraction of an interval inside the run.
 */
export function runNumbers(run: Run): RunNumbers {
  // Findings, tables, sorting and the report all ask; the merge over every bucket is done once a run.
  let numbers = computed.get(run);
  if (numbers === undefined) {
    numbers = computeNumbers(run);
    computed.set(run, numbers);
  }
  return numbers;
}

const computed = new WeakMap<Run, RunNumbers>();

function computeNumbers(run: Run): RunNumbers {
  const summary = run.summary;
  if (run.aggregator !== null && run.aggregator.groups().length > 0) {
    const total = (metric: string, pick: (stats: { count: number; sum: number; nonzero: number }) => number): number => {
      let sum = 0;
      for (const group of groupsOf(run, metric)) for (const stats of group.buckets.values()) sum += pick(stats);
      return sum;
    };
    const requests = total('http_reqs', (s) => s.count);
    const failed = total('http_req_failed', (s) => s.nonzero);
    let firstMs = Number.POSITIVE_INFINITY;
    let lastMs = Number.NEGATIVE_INFINITY;
    for (const group of run.aggregator.groups()) {
      firstMs = Math.min(firstMs, group.firstMs);
      lastMs = Math.max(lastMs, group.lastMs);
    }
    const durationMs = summary?.durationMs ?? (lastMs > firstMs ? lastMs - firstMs : null);
    const duration = durationMs === null ? null : durationMs / 1000;
    return {
      start: new Date(firstMs).toISOString(),
      end: new Date(lastMs).toISOString(),
      duration_s: duration === null ? null : round(duration, 3),
      requests,
      failed_requests: failed,
      error_rate: requests > 0 ? failed / requests : null,
      rps: duration !== null && duration > 0 ? requests / duration : null,
      iterations: total('iterations', (s) => s.count),
      dropped_iterations: total('dropped_iterations', (s) => s.sum),
      // Locust has no per-request durations: its own (rounded) figures, as they are.
      latency_ms: groupsOf(run, 'http_req_duration').length === 0 && run.tool?.latencyMs != null ? run.tool.latencyMs : latencyOf(mergedHistogram(groupsOf(run, 'http_req_duration'))),
      source: 'raw',
    };
  }
  if (summary !== null) {
    const key = summary.keyNumbers;
    const durationS = summary.durationMs === null ? null : summary.durationMs / 1000;
    const startMs = summary.run?.start === undefined ? null : Date.parse(summary.run.start);
    return {
      start: startMs === null ? null : new Date(startMs).toISOString(),
      end: startMs === null || summary.durationMs === null ? null : new Date(startMs + summary.durationMs).toISOString(),
      duration_s: durationS === null ? null : round(durationS, 3),
      requests: key.requests ?? 0,
      failed_requests: key.failedRequests ?? 0,
      error_rate: key.errorRate,
      rps: key.rps,
      iterations: key.iterations ?? 0,
      dropped_iterations: key.droppedIterations ?? 0,
      latency_ms: key.latencyMs,
      source: 'summary',
    };
  }
  return {
    start: null,
    end: null,
    duration_s: null,
    requests: 0,
    failed_requests: 0,
    error_rate: null,
    rps: null,
    iterations: 0,
    dropped_iterations: 0,
    latency_ms: NO_LATENCY,
    source: 'none',
  };
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** What the load generator did in a run: its CPU and memory (the sweep samples k6) and its VU pool. */
export interface LoadgenNumbers {
  /** Captures of k6's own CPU and memory taken while it ran; 0 when none were (bare k6 output). */
  readonly samples: number;
  readonly cpu_mean_millicores: number | null;
  readonly cpu_max_millicores: number | null;
  readonly memory_max_bytes: number | null;
  /** The most VUs busy at once (`vus`, summed over runners per bucket) and the most k6 could have (`MAX_VUS`). */
  readonly vus_peak: number | null;
  readonly vus_max: number | null;
  /** Whether every VU k6 may have (MAX_VUS) was busy at some point: then it could start no more iterations. */
  readonly out_of_vus: boolean;
  /** Mean `iteration_duration`, ms: with the rate, the VUs holding it needs (Little's law). */
  readonly iteration_mean_ms: number | null;
}

export function loadgenNumbers(run: Run): LoadgenNumbers {
  const cpu: number[] = [];
  const memory: number[] = [];
  let samples = 0;
  for (const snapshot of run.snapshots) {
    for (const sample of snapshot.loadgen ?? []) {
      samples += 1;
      if (sample.cpuMillicores !== null) cpu.push(sample.cpuMillicores);
      if (sample.memoryBytes !== null) memory.push(sample.memoryBytes);
    }
  }
  // Per bucket, summed over runners: each runner has its own pool.
  const perBucket = (metric: string): number[] => {
    const sums = new Map<number, number>();
    for (const group of groupsOf(run, metric)) for (const [bucket, stats] of group.buckets) sums.set(bucket, (sums.get(bucket) ?? 0) + stats.max);
    return [...sums.values()];
  };
  const busy = perBucket('vus');
  const pool = perBucket('vus_max');
  const peak = busy.length > 0 ? Math.max(...busy) : null;
  // The pool k6 may grow to: our summary knows the planned MAX_VUS; else the largest pool k6 reported.
  const planned = run.summary?.run?.vus.max ?? null;
  const maxPool = planned ?? (pool.length > 0 ? Math.max(...pool) : (run.summary?.metrics.vus_max?.values.max ?? null));
  // Out of VUs means at the ceiling: every VU k6 may have (MAX_VUS) busy. Below it, an arrival-rate
  // executor still drops an iteration when no VU is free at that moment and starts another VU; those
  // drops are the target's latency outrunning the pool (the rate was not held), not k6's limit.
  // Without our summary the ceiling is not known, and k6 is not blamed.
  const outOfVus = peak !== null && planned !== null && peak >= planned;
  const iterations = mergedHistogram(groupsOf(run, 'iteration_duration'));
  return {
    samples,
    cpu_mean_millicores: cpu.length === 0 ? null : cpu.reduce((a, b) => a + b, 0) / cpu.length,
    cpu_max_millicores: cpu.length === 0 ? null : Math.max(...cpu),
    memory_max_bytes: memory.length === 0 ? null : Math.max(...memory),
    vus_peak: peak,
    vus_max: maxPool,
    out_of_vus: outOfVus,
    iteration_mean_ms: iterations.count === 0 ? null : iterations.mean(),
  };
}

/**
 * k6 using this much CPU (0.8 of a core, averaged over the level) is taken to be near its limit: its
 * VUs share the Go runtime's threads, and on the machines it runs on (a laptop, a runner pod with
 * a CPU limit of 1 or 2) the target and k6 compete for what is left.
 */
export const LOADGEN_CPU_LIMIT_MILLICORES = 800;

/** lib's default SLO p95: what "fast" means for a run's iterations when its summary does not say. */
const DEFAULT_P95_MS = 500;

/**
 * Whether k6 limited a run: its CPU (`cpu`), or its VU pool — `pool` when iterations were fast and
 * the pool was simply too small (the generator's limit), `target` when the pool ran out because
 * iterations took longer than the run's latency bound (the target slowed down: its limit).
 */
export function loadgenVerdict(run: Run): { cpu: boolean; vus: 'pool' | 'target' | null; bound_ms: number } {
  const loadgen = loadgenNumbers(run);
  const bound = run.summary?.run?.slo.p95_ms ?? DEFAULT_P95_MS;
  const cpu = loadgen.cpu_mean_millicores !== null && loadgen.cpu_mean_millicores >= LOADGEN_CPU_LIMIT_MILLICORES;
  const vus = !loadgen.out_of_vus ? null : loadgen.iteration_mean_ms !== null && loadgen.iteration_mean_ms > bound ? 'target' : 'pool';
  return { cpu, vus, bound_ms: bound };
}
