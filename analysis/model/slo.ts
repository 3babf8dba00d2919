/**
 * The SLO a sweep is judged by, and the judgement of one level against it. Where the bounds come
 * from, in this order: the command's `--slo-p95-ms`, `--slo-p99-ms`, `--slo-error-rate` (the names of
 * the scenarios' variables); else the runs' own thresholds (our summary.json records the SLO it ran
 * with; a k6 summary's `p(95)<N` and `rate<X` thresholds are read); else the defaults, which are
 * lib's: p95 < 500 ms, error rate < 1%, no p99 bound. A level must also be held: achieved at least
 * 95% of the offered rate, and at most 1% of its iterations dropped (a few drop whenever k6 has to
 * add VUs mid-level, which a noisy machine makes it do).
 */
import type { SummaryThreshold } from '../ingest/k6-summary.ts';

export const DEFAULT_SLO = { p95_ms: 500, p99_ms: null, error_rate: 0.01 } as const;
export const MIN_ACHIEVED_SHARE = 0.95;
export const MAX_DROPPED_SHARE = 0.01;

export interface Slo {
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
  readonly error_rate: number | null;
  readonly min_achieved_share: number;
  readonly max_dropped_share: number;
  /** Where the latency and error bounds come from (per bound in `sources`). */
  readonly source: 'flags' | 'thresholds' | 'defaults';
  readonly sources: { readonly p95_ms: SloSource; readonly p99_ms: SloSource; readonly error_rate: SloSource };
}

export type SloSource = 'flags' | 'thresholds' | 'defaults' | 'none';

export interface SloFlags {
  readonly p95Ms?: number | undefined;
  readonly p99Ms?: number | undefined;
  readonly errorRate?: number | undefined;
}

/** What a run says about its own SLO: our summary's `slo`, or its thresholds. */
export interface RunSlo {
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
  readonly error_rate: number | null;
}

/** The SLO bounds in k6 thresholds: `p(95)<500` on `http_req_duration`, `rate<0.01` on `http_req_failed`. */
export function sloFromThresholds(thresholds: readonly SummaryThreshold[]): RunSlo {
  const bound = (metric: string, pattern: RegExp): number | null => {
    for (const threshold of thresholds) {
      if (threshold.metric !== metric) continue;
      const match = pattern.exec(threshold.expression.replace(/\s+/g, ''));
      if (match !== null) return Number(match[1]);
    }
    return null;
  };
  return {
    p95_ms: bound('http_req_duration', /^p\(95\)<=?(\d+(?:\.\d+)?)$/),
    p99_ms: bound('http_req_duration', /^p\(99\)<=?(\d+(?:\.\d+)?)$/),
    error_rate: bound('http_req_failed', /^rate<=?(\d+(?:\.\d+)?)$/),
  };
}

/** The SLO of a sweep: flags first, then the first run that states a bound, then the defaults. */
export function resolveSlo(flags: SloFlags, runs: readonly RunSlo[]): Slo {
  const pick = (flag: number | undefined, key: keyof RunSlo, fallback: number | null): { value: number | null; source: SloSource } => {
    if (flag !== undefined) return { value: flag, source: 'flags' };
    const stated = runs.find((run) => run[key] !== null)?.[key];
    if (stated !== undefined && stated !== null) return { value: stated, source: 'thresholds' };
    return { value: fallback, source: fallback === null ? 'none' : 'defaults' };
  };
  const p95 = pick(flags.p95Ms, 'p95_ms', DEFAULT_SLO.p95_ms);
  const p99 = pick(flags.p99Ms, 'p99_ms', DEFAULT_SLO.p99_ms);
  const errors = pick(flags.errorRate, 'error_rate', DEFAULT_SLO.error_rate);
  const all = [p95.source, p99.source, errors.source];
  return {
    p95_ms: p95.value,
    p99_ms: p99.value,
    error_rate: errors.value,
    min_achieved_share: MIN_ACHIEVED_SHARE,
    max_dropped_share: MAX_DROPPED_SHARE,
    source: all.includes('flags') ? 'flags' : all.includes('thresholds') ? 'thresholds' : 'defaults',
    sources: { p95_ms: p95.source, p99_ms: p99.source, error_rate: errors.source },
  };
}

export type Violation = 'p95' | 'p99' | 'error_rate' | 'achieved' | 'dropped' | 'no_data';

/** One level against the SLO: which bounds it broke (none: it holds). */
export function violations(
  slo: Slo,
  level: { p95_ms: number | null; p99_ms: number | null; error_rate: number | null; achieved_share: number | null; dropped: number | null; iterations: number | null },
): Violation[] {
  if (level.p95_ms === null && level.error_rate === null) return ['no_data'];
  const out: Violation[] = [];
  if (slo.p95_ms !== null && (level.p95_ms === null || level.p95_ms >= slo.p95_ms)) out.push('p95');
  if (slo.p99_ms !== null && (level.p99_ms === null || level.p99_ms >= slo.p99_ms)) out.push('p99');
  if (slo.error_rate !== null && level.error_rate !== null && level.error_rate >= slo.error_rate) out.push('error_rate');
  if (level.achieved_share !== null && level.achieved_share < slo.min_achieved_share) out.push('achieved');
  const offered = (level.iterations ?? 0) + (level.dropped ?? 0);
  if (level.dropped !== null && level.dropped > 0 && offered > 0 && level.dropped / offered > slo.max_dropped_share) out.push('dropped');
  return out;
}
