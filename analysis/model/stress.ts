/**
 * A stress run (the `stress` scenario, or any ramp with steps held): where does the target break and
 * how fast does it come back? From the run's schedule (our summary.json: the stages and the start)
 * and its per-second buckets:
 *
 * - **steps**: each held stage up to the peak, judged on its buckets after the first
 *   `STEP_SETTLE_S` seconds (the ramp's backlog drains there): achieved rate, p95 and p99, error rate,
 *   dropped iterations, and the SLO of capacity (p95, p99, errors, ≥ 95% of the offered rate, ≤ 1%
 *   dropped);
 * - **breaking point**: the first step that breaks the SLO; also the first step whose errors reach
 *   0.1%, and the first whose achieved rate rose by less than half of the offered increase over the
 *   step before (throughput stopped rising);
 * - **maximum throughput**: the highest achieved rate of a step;
 * - **recovery**, when the schedule drops back after the peak (stress `RECOVERY_DURATION`): the
 *   baseline is the first step (before any stress): its worst second's p95 and its error rate. The
 *   target has recovered by the rule of model/recovery.ts (a good second from which the next 5 s,
 *   pooled, are within the baseline); recovery time = that second − the drop. Not recovered within
 *   the phase is said as such, with the phase's length.
 */
import { LogHistogram } from '../stats/log-histogram.ts';
import type { Slo } from './slo.ts';
import { perSecondOf, type Second } from './per-second.ts';
import { MIN_REQUESTS_PER_SECOND, RECOVERY_WINDOW_S, recoveredAt, recoveryBound, recoveryRuleText } from './recovery.ts';
import { runNumbers, type Run } from './run.ts';

/** Seconds of a step left out at its start. */
export const STEP_SETTLE_S = 2;
export { RECOVERY_WINDOW_S };
/** Errors at or above this share count as "errors start". */
export const ERRORS_START = 0.001;
/** Achieved rate must rise by at least this share of the offered increase between steps. */
export const THROUGHPUT_RISE_SHARE = 0.5;

export interface StressStep {
  readonly index: number;
  readonly level: number;
  /** Seconds from the start of the run: the step's held part, [from, to). */
  readonly from_s: number;
  readonly to_s: number;
  readonly requests: number;
  readonly rps: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
  readonly error_rate: number | null;
  readonly dropped_share: number | null;
  readonly achieved_share: number | null;
  readonly ok: boolean;
  readonly violations: readonly string[];
}

export interface Stress {
  readonly run: string;
  readonly label: string;
  readonly steps: readonly StressStep[];
  /** The first step that broke the SLO. */
  readonly breaking_level: number | null;
  readonly breaking_reasons: readonly string[];
  readonly errors_start_level: number | null;
  readonly throughput_plateau_level: number | null;
  readonly max_rps: number | null;
  readonly max_rps_level: number | null;
  readonly recovery: Recovery;
  /** [seconds from the start, offered rate, achieved req/s, p95 ms | null, error rate | null] per second. */
  readonly seconds: readonly (readonly [number, number | null, number, number | null, number | null])[];
}

export interface Recovery {
  /** When the load dropped back, seconds from the start; `null` without a recovery phase. */
  readonly drop_s: number | null;
  readonly phase_s: number | null;
  readonly baseline_p95_ms: number | null;
  readonly bound_p95_ms: number | null;
  readonly baseline_error_rate: number | null;
  readonly bound_error_rate: number | null;
  readonly recovered_at_s: number | null;
  /** recovered_at − drop; `null` when not measured or not recovered (see `reason`). */
  readonly recovery_s: number | null;
  readonly reason: string;
}

interface Stage {
  readonly from_s: number;
  readonly to_s: number;
  readonly from_rate: number;
  readonly target: number;
}

/** The schedule's stages with their times, from our summary.json; `null` without it. */
function stagesOf(run: Run): { stages: Stage[]; startMs: number } | null {
  const schedule = run.summary?.run?.schedule;
  const start = run.summary?.run?.start ?? runNumbers(run).start;
  if (schedule === undefined || schedule === null || start === null || start === undefined) return null;
  const stages: Stage[] = [];
  let at = 0;
  let rate = schedule.start_rate;
  for (const stage of schedule.stages) {
    stages.push({ from_s: at, to_s: at + stage.seconds, from_rate: rate, target: stage.target });
    at += stage.seconds;
    rate = stage.target;
  }
  return { stages, startMs: Date.parse(start) };
}

/** Whether `run` has the steps of a stress: two or more held stages at different rates. */
export function isStress(run: Run): boolean {
  if (run.scenario === 'stress') return true;
  const plan = stagesOf(run);
  if (plan === null) return false;
  const held = new Set(plan.stages.filter((s) => s.from_rate === s.target && s.to_s > s.from_s).map((s) => s.target));
  return run.scenario === 'ramp' && held.size >= 2;
}

export function stressOf(run: Run, slo: Slo): Stress | null {
  const plan = stagesOf(run);
  if (plan === null || run.aggregator === null) return null;
  const bucketMs = run.aggregator.bucketMs;
  const perSecond = perSecondOf(run, plan.startMs);
  const bucketS = bucketMs / 1000;

  const over = (from: number, to: number) => {
    const hist = new LogHistogram();
    let requests = 0;
    let failed = 0;
    let dropped = 0;
    for (const [s, e] of perSecond) {
      if (s < from || s >= to) continue;
      requests += e.requests;
      failed += e.failed;
      dropped += e.dropped;
      hist.merge(e.hist);
    }
    return { requests, failed, dropped, hist };
  };

  const peak = Math.max(...plan.stages.map((s) => s.target));
  const peakEnd = plan.stages.findIndex((s) => s.target === peak && s.from_rate === peak);
  const held = plan.stages.filter((s, i) => s.from_rate === s.target && s.to_s > s.from_s && (peakEnd < 0 || i <= peakEnd));
  const steps: StressStep[] = held.map((stage, index) => {
    const from = stage.from_s + Math.min(STEP_SETTLE_S, (stage.to_s - stage.from_s) / 4);
    const { requests, failed, dropped, hist } = over(Math.ceil(from), Math.floor(stage.to_s));
    const seconds = Math.floor(stage.to_s) - Math.ceil(from);
    const rps = seconds > 0 ? requests / seconds : null;
    const p95 = hist.count > 0 ? hist.quantile(0.95) : null;
    const p99 = hist.count > 0 ? hist.quantile(0.99) : null;
    const errorRate = requests > 0 ? failed / requests : null;
    const droppedShare = requests + dropped > 0 ? dropped / (requests + dropped) : null;
    const achieved = rps === null || stage.target <= 0 ? null : rps / stage.target;
    const violations: string[] = [];
    if (slo.p95_ms !== null && p95 !== null && p95 > slo.p95_ms) violations.push('p95');
    if (slo.p99_ms !== null && p99 !== null && p99 > slo.p99_ms) violations.push('p99');
    if (slo.error_rate !== null && errorRate !== null && errorRate > slo.error_rate) violations.push('errors');
    if (achieved !== null && achieved < slo.min_achieved_share) violations.push('rate not held');
    if (droppedShare !== null && droppedShare > slo.max_dropped_share) violations.push('dropped iterations');
    if (requests === 0) violations.push('no requests');
    return { index, level: stage.target, from_s: Math.ceil(from), to_s: Math.floor(stage.to_s), requests, rps, p95_ms: p95, p99_ms: p99, error_rate: errorRate, dropped_share: droppedShare, achieved_share: achieved, ok: violations.length === 0, violations };
  });

  const breaking = steps.find((s) => !s.ok);
  const errorsStart = steps.find((s) => s.error_rate !== null && s.error_rate >= ERRORS_START);
  const plateau = steps.find((s, i) => {
    const before = steps[i - 1];
    if (before === undefined || s.rps === null || before.rps === null) return false;
    return s.rps - before.rps < THROUGHPUT_RISE_SHARE * (s.level - before.level);
  });
  const best = steps.reduce<StressStep | null>((a, b) => (b.rps !== null && (a === null || (a.rps ?? -1) < b.rps) ? b : a), null);

  // Per second, for the chart and the recovery.
  const offeredAt = (s: number): number | null => {
    const stage = plan.stages.find((st) => s >= st.from_s && s < st.to_s);
    if (stage === undefined) return null;
    return stage.from_rate + ((stage.target - stage.from_rate) * (s + 0.5 - stage.from_s)) / (stage.to_s - stage.from_s);
  };
  const ordered = [...perSecond.keys()].sort((a, b) => a - b);
  const seconds = ordered.map((s) => {
    const e = perSecond.get(s) as Second;
    return [s, offeredAt(s), e.requests / bucketS, e.hist.count >= MIN_REQUESTS_PER_SECOND ? e.hist.quantile(0.95) : null, e.requests > 0 ? e.failed / e.requests : null] as const;
  });

  return {
    run: run.id,
    label: run.label,
    steps,
    breaking_level: breaking?.level ?? null,
    breaking_reasons: breaking?.violations ?? [],
    errors_start_level: errorsStart?.level ?? null,
    throughput_plateau_level: plateau?.level ?? null,
    max_rps: best?.rps ?? null,
    max_rps_level: best?.level ?? null,
    recovery: recoveryOf(plan.stages, peakEnd, steps, perSecond, bucketS),
    seconds,
  };
}

function recoveryOf(
  stages: readonly Stage[],
  peakEnd: number,
  steps: readonly StressStep[],
  perSecond: ReadonlyMap<number, Second>,
  bucketS: number,
): Recovery {
  const none = (reason: string, extra: Partial<Recovery> = {}): Recovery => ({ drop_s: null, phase_s: null, baseline_p95_ms: null, bound_p95_ms: null, baseline_error_rate: null, bound_error_rate: null, recovered_at_s: null, recovery_s: null, reason, ...extra });
  const after = peakEnd < 0 ? [] : stages.slice(peakEnd + 1);
  const hold = after.find((s) => s.from_rate === s.target && s.to_s > s.from_s);
  if (hold === undefined) return none('the schedule does not drop back after its peak: set RECOVERY_DURATION (stress) to measure the recovery');
  if (bucketS > 1) return none(`the run's time buckets are ${bucketS} s: the recovery needs 1 s`);
  const baseline = steps[0];
  if (baseline === undefined) return none('no first step to take the baseline from');
  const drop = (stages[peakEnd] as Stage).to_s;
  const bases = [...perSecond].filter(([s]) => s >= baseline.from_s && s < baseline.to_s).map(([, e]) => e);
  const bound = baseline.error_rate === null ? null : recoveryBound(bases, baseline.error_rate);
  if (bound === null) return none('the first step has no second with enough requests for a baseline', { drop_s: drop, phase_s: hold.to_s - drop });
  const common = { drop_s: drop, phase_s: hold.to_s - drop, baseline_p95_ms: baseline.p95_ms, bound_p95_ms: bound.p95_ms, baseline_error_rate: baseline.error_rate, bound_error_rate: bound.error_rate };
  const last = Math.floor(hold.to_s) - 1;
  const s = recoveredAt(perSecond, Math.floor(drop), last, bound);
  if (s !== null) {
    return { ...common, recovered_at_s: s, recovery_s: s - drop, reason: `${recoveryRuleText(bound)} ${s - drop} s after the drop` };
  }
  return { ...common, recovered_at_s: null, recovery_s: null, reason: `not recovered within the ${hold.to_s - drop} s of the recovery phase` };
}
