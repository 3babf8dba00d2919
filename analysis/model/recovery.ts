/**
 * When has a target recovered? One rule for the stress report (after the load drops back) and the
 * resilience report (after a disruption), on a run's seconds (model/per-second.ts).
 *
 * - The **bound** comes from a baseline of seconds before the stress or the disruption: the worst
 *   p95 of its seconds that have at least `MIN_REQUESTS_PER_SECOND` requests, and its error rate +
 *   `ERROR_MARGIN` (0.1 percentage points).
 * - A **good second** has requests, errors at or below the error bound, and a p95 at or below the p95
 *   bound (a second with too few requests for a p95 counts by its errors alone).
 * - The target has **recovered** at the first good second `s` from which the `RECOVERY_WINDOW_S`
 *   seconds [s, s + 5) all have requests and, pooled, have a p95 at or below the p95 bound and errors
 *   at or below the error bound.
 *
 * Why pooled: on a shared host a single second now and then is slower than the baseline's worst
 * (CPU steal; measured here every few seconds under steady load), so "5 good seconds in a row" could
 * take tens of seconds to happen on a target that came back at once. Pooling the window keeps one
 * slow second from hiding a recovery, while a target still degraded, where most seconds are slow,
 * stays "not recovered"; the first second must itself be good so that the recovery is not dated early.
 */
import { LogHistogram } from '../stats/log-histogram.ts';
import type { Second } from './per-second.ts';

/** Seconds pooled to judge a recovery. */
export const RECOVERY_WINDOW_S = 5;
/** Errors may exceed the baseline's by this share (0.1 percentage points). */
export const ERROR_MARGIN = 0.001;
/** A second needs this many requests for its p95 to count. */
export const MIN_REQUESTS_PER_SECOND = 5;

export interface RecoveryBound {
  /** The baseline's worst second's p95. */
  readonly p95_ms: number;
  /** The baseline's error rate + `ERROR_MARGIN`. */
  readonly error_rate: number;
}

/** The bound from baseline seconds with the baseline's error rate; `null` without a second with enough requests. */
export function recoveryBound(baseline: readonly Second[], baselineErrorRate: number): RecoveryBound | null {
  const withLatency = baseline.filter((e) => e.hist.count >= MIN_REQUESTS_PER_SECOND);
  if (withLatency.length === 0) return null;
  return { p95_ms: Math.max(...withLatency.map((e) => e.hist.quantile(0.95))), error_rate: baselineErrorRate + ERROR_MARGIN };
}

/** Whether one second is within the bound. */
export function isGoodSecond(e: Second | undefined, bound: RecoveryBound): boolean {
  if (e === undefined || e.requests === 0) return false;
  if (e.failed / e.requests > bound.error_rate) return false;
  return e.hist.count < MIN_REQUESTS_PER_SECOND || e.hist.quantile(0.95) <= bound.p95_ms;
}

/**
 * The first second `s` in [from, last − RECOVERY_WINDOW_S + 1] at which the target has recovered by the
 * rule above; `null` when it has not by `last` (the last second that may be judged).
 */
export function recoveredAt(perSecond: ReadonlyMap<number, Second>, from: number, last: number, bound: RecoveryBound): number | null {
  for (let s = from; s + RECOVERY_WINDOW_S - 1 <= last; s++) {
    if (!isGoodSecond(perSecond.get(s), bound)) continue;
    if (windowWithin(perSecond, s, bound)) return s;
  }
  return null;
}

function windowWithin(perSecond: ReadonlyMap<number, Second>, s: number, bound: RecoveryBound): boolean {
  const pooled = new LogHistogram();
  let requests = 0;
  let failed = 0;
  for (let i = s; i < s + RECOVERY_WINDOW_S; i++) {
    const e = perSecond.get(i);
    if (e === undefined || e.requests === 0) return false;
    requests += e.requests;
    failed += e.failed;
    pooled.merge(e.hist);
  }
  if (failed / requests > bound.error_rate) return false;
  return pooled.count < MIN_REQUESTS_PER_SECOND || pooled.quantile(0.95) <= bound.p95_ms;
}

/** The rule in words, for reports: "p95 … and errors … over 5 s pooled". */
export function recoveryRuleText(bound: RecoveryBound): string {
  return `p95 at or below ${bound.p95_ms.toFixed(2)} ms and errors at or below ${(bound.error_rate * 100).toFixed(2)}% over the ${RECOVERY_WINDOW_S} s from`;
}
