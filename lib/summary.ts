/**
 * What `handleSummary` writes: a JSON summary with the run's metadata and key numbers (the analysis
 * reads it beside the raw NDJSON), and a short text summary for the terminal. Pure functions over
 * k6's handleSummary `data`, so they are tested without k6.
 */
import type { MixEntry } from './mix.ts';
import type { Schedule } from './schedule.ts';

/** The parts of k6's handleSummary `data` used here (k6 v2, default summary format). */
export interface SummaryData {
  readonly metrics: Readonly<Record<string, SummaryMetric | undefined>>;
  readonly state?: { readonly testRunDurationMs?: number };
  readonly root_group?: SummaryGroup;
}

export interface SummaryMetric {
  readonly type: 'counter' | 'gauge' | 'rate' | 'trend';
  readonly contains: 'default' | 'time' | 'data';
  readonly values: Readonly<Record<string, number>>;
  readonly thresholds?: Readonly<Record<string, { readonly ok: boolean }>>;
}

export interface SummaryGroup {
  readonly name: string;
  readonly groups: readonly SummaryGroup[];
  readonly checks: readonly { readonly name: string; readonly passes: number; readonly fails: number }[];
}

export interface RunInfo {
  readonly run_id: string;
  readonly target: string;
  readonly scenario: Schedule['kind'];
  /** The target rate (iterations/s) for constant and soak; `null` where it varies (ramp, stress). */
  readonly level: number | null;
  readonly base_url: string;
  readonly schedule: {
    readonly start_rate: number;
    readonly stages: readonly { readonly duration: string; readonly seconds: number; readonly target: number }[];
    readonly total_seconds: number;
    readonly planned_iterations: number;
  };
  readonly vus: { readonly pre_allocated: number; readonly max: number };
  readonly slo: { readonly p95_ms: number; readonly p99_ms: number | null; readonly error_rate: number };
  readonly mix: readonly MixEntry[];
}

export interface CapacitySummary {
  readonly kind: 'k6-capacity-summary';
  readonly schemaVersion: 1;
  readonly run: RunInfo & { readonly start: string; readonly end: string; readonly duration_s: number };
  readonly results: {
    readonly requests: number;
    readonly failed_requests: number;
    readonly error_rate: number;
    readonly rps: number;
    readonly iterations: number;
    readonly dropped_iterations: number;
    readonly checks: { readonly passes: number; readonly fails: number };
    readonly vus_max: number | null;
    readonly latency_ms: LatencySummary | null;
  };
  readonly thresholds: readonly { readonly metric: string; readonly expression: string; readonly ok: boolean }[];
  readonly thresholds_ok: boolean;
  /** k6's own per-metric summary values, unchanged, for anything not lifted above. */
  readonly k6_metrics: SummaryData['metrics'];
}

export interface LatencySummary {
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Trend columns k6 must compute for `latency_ms`; set as `summaryTrendStats` in the options. */
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

export function buildSummary(data: SummaryData, run: RunInfo, end: Date): CapacitySummary {
  const durationMs = data.state?.testRunDurationMs ?? 0;
  const value = (metric: string, key: string): number => data.metrics[metric]?.values[key] ?? 0;
  const requests = value('http_reqs', 'count');
  // http_req_failed is a rate metric: `passes` counts samples equal to 1, i.e. failed requests.
  const failed = value('http_req_failed', 'passes');
  const duration = data.metrics.http_req_duration;
  const thresholds = Object.entries(data.metrics).flatMap(([metric, summary]) =>
    Object.entries(summary?.thresholds ?? {}).map(([expression, result]) => ({ metric, expression, ok: result.ok })),
  );
  const checks = collectChecks(data.root_group);
  return {
    kind: 'k6-capacity-summary',
    schemaVersion: 1,
    run: {
      ...run,
      start: new Date(end.getTime() - durationMs).toISOString(),
      end: end.toISOString(),
      duration_s: round(durationMs / 1000, 3),
    },
    results: {
      requests,
      failed_requests: failed,
      error_rate: requests > 0 ? failed / requests : 0,
      rps: durationMs > 0 ? requests / (durationMs / 1000) : 0,
      iterations: value('iterations', 'count'),
      dropped_iterations: value('dropped_iterations', 'count'),
      checks,
      vus_max: data.metrics.vus_max?.values.max ?? null,
      latency_ms: duration === undefined || requests === 0 ? null : latencyOf(duration.values),
    },
    thresholds,
    thresholds_ok: thresholds.every((threshold) => threshold.ok),
    k6_metrics: data.metrics,
  };
}

function latencyOf(values: Readonly<Record<string, number>>): LatencySummary {
  const get = (key: string): number => values[key] ?? Number.NaN;
  return {
    min: get('min'), mean: get('avg'), p50: get('med'), p90: get('p(90)'), p95: get('p(95)'), p99: get('p(99)'), max: get('max'),
  };
}

function collectChecks(group: SummaryGroup | undefined): { passes: number; fails: number } {
  const total = { passes: 0, fails: 0 };
  const visit = (g: SummaryGroup): void => {
    for (const check of g.checks) {
      total.passes += check.passes;
      total.fails += check.fails;
    }
    for (const child of g.groups) visit(child);
  };
  if (group !== undefined) visit(group);
  return total;
}

/**
 * The terminal summary: what ran, the key numbers, every threshold, and a loud warning when the
 * generator or the target could not hold the planned rate.
 */
export function formatTextSummary(summary: CapacitySummary, summaryPath: string | null): string {
  const { run, results } = summary;
  const level = run.level === null ? `peak ${Math.max(run.schedule.start_rate, ...run.schedule.stages.map((s) => s.target))}/s` : `level ${run.level}/s`;
  const lines = [
    `k6-capacity ${run.scenario} · target ${run.target} · ${level} · run ${run.run_id}`,
    `  requests    ${results.requests} in ${run.duration_s.toFixed(1)} s = ${results.rps.toFixed(1)}/s · failed ${results.failed_requests} (${percent(results.error_rate)})`,
  ];
  const latency = results.latency_ms;
  lines.push(
    latency === null
      ? '  latency     no requests completed'
      : `  latency ms  p50 ${ms(latency.p50)} · p90 ${ms(latency.p90)} · p95 ${ms(latency.p95)} · p99 ${ms(latency.p99)} · max ${ms(latency.max)}`,
  );
  lines.push(
    `  iterations  ${results.iterations} of ${Math.round(run.schedule.planned_iterations)} planned · dropped ${results.dropped_iterations}`,
  );
  for (const [i, threshold] of summary.thresholds.entries()) {
    lines.push(`  ${i === 0 ? 'thresholds' : '          '}  ${threshold.ok ? 'ok  ' : 'FAIL'} ${threshold.metric} ${threshold.expression}`);
  }
  if (results.dropped_iterations > 0) {
    lines.push(`  WARNING     ${results.dropped_iterations} iterations dropped (no free VU at their start time): the rate was not held; the target slowed down or MAX_VUS is too low`);
  }
  if (summaryPath !== null) lines.push(`  summary     ${summaryPath}`);
  return `${lines.join('\n')}\n`;
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(2)}%`;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
