/**
 * Load schedules for the open model: the rate at which iterations *start* (iterations/s), whatever the
 * response time, so latency is free of coordinated omission.
 *
 * Every scenario is a piecewise-linear rate curve: a start rate and stages that move linearly to their
 * target over their duration (a zero duration jumps). Constant is one flat stage; ramp, stress and soak
 * are built from stages. The same description yields the k6 executor config, the number of
 * iterations the schedule offers (what tests and the sweep's ETA compare against) and the `level` tag
 * of any instant.
 */
import type { Duration } from './config.ts';
import { ScenarioError } from './errors.ts';
import { levelTag } from './tags.ts';

export type ScenarioKind = 'constant' | 'ramp' | 'stress' | 'soak';

export interface RateStage {
  readonly duration: Duration;
  /** Rate (iterations/s) reached at the end of the stage. */
  readonly target: number;
}

export interface Schedule {
  readonly kind: ScenarioKind;
  readonly startRate: number;
  readonly stages: readonly RateStage[];
}

export function constantSchedule({ rate, duration }: { rate: number; duration: Duration }): Schedule {
  positive('rate', rate);
  return { kind: 'constant', startRate: rate, stages: [{ duration, target: rate }] };
}

export function rampSchedule({ startRate, stages }: { startRate: number; stages: readonly RateStage[] }): Schedule {
  if (stages.length === 0) throw new ScenarioError('schedule', 'ramp: `stages` is empty: expected at least one stage');
  if (stages.every((stage) => stage.duration.seconds === 0)) {
    throw new ScenarioError('schedule', 'ramp: every stage lasts `0s`: expected at least one stage longer than zero');
  }
  return { kind: 'ramp', startRate, stages };
}

/**
 * Step-ups: hold `startRate` for `stepDuration`, then for each next level ramp to it over
 * `rampDuration` and hold it for `stepDuration`. Levels go up by `step` while below `maxRate`; the last
 * level is `maxRate` itself, so the maximum the user asked for is always tested.
 * With `recoveryDuration` > 0 the load then drops back to `startRate` within a second and holds it
 * that long, so the run shows how fast the target recovers once the stress is over.
 */
export function stressSchedule(options: {
  startRate: number;
  step: number;
  maxRate: number;
  stepDuration: Duration;
  rampDuration: Duration;
  recoveryDuration?: Duration;
}): Schedule {
  const { startRate, step, maxRate, stepDuration, rampDuration, recoveryDuration } = options;
  positive('start rate', startRate);
  positive('step', step);
  if (maxRate < startRate) {
    throw new ScenarioError('schedule', `stress: max rate \`${maxRate}\` is below the start rate \`${startRate}\`: expected max >= start`);
  }
  // Counted before they are built: `MAX_RATE=1e9` with `STEP=10` would be 10⁸ stages, gigabytes of
  // them in every VU before the VU bound is even checked.
  const steps = Math.ceil((maxRate - startRate) / step - 1e-9) + 1;
  if (steps > MAX_STRESS_STEPS) {
    throw new ScenarioError(
      'schedule',
      `stress: \`START_RATE\` \`${startRate}\` to \`MAX_RATE\` \`${maxRate}\` by \`STEP\` \`${step}\` makes ${steps} steps: expected at most ${MAX_STRESS_STEPS}; raise \`STEP\` or lower \`MAX_RATE\``,
    );
  }
  const stages: RateStage[] = [{ duration: stepDuration, target: startRate }];
  for (const level of stressLevels(startRate, step, maxRate).slice(1)) {
    stages.push({ duration: rampDuration, target: level }, { duration: stepDuration, target: level });
  }
  if (recoveryDuration !== undefined && recoveryDuration.seconds > 0 && maxRate > startRate) {
    stages.push({ duration: RECOVERY_DROP, target: startRate }, { duration: recoveryDuration, target: startRate });
  }
  return { kind: 'stress', startRate, stages };
}

/** How long a stress takes to drop back to its start rate before the recovery phase. */
const RECOVERY_DROP: Duration = { text: '1s', seconds: 1 };

/** More steps than a test could hold for a meaningful time each (1000 steps of 30 s are 8 hours). */
export const MAX_STRESS_STEPS = 1000;

/** The plateau rates of a stress schedule: start, start+step, … below max, then max. */
export function stressLevels(startRate: number, step: number, maxRate: number): number[] {
  const levels: number[] = [];
  // Multiply rather than accumulate so 0.1-sized steps do not drift (0.1 + 0.2 !== 0.3).
  for (let i = 0; startRate + i * step < maxRate - 1e-9; i++) levels.push(roundRate(startRate + i * step));
  levels.push(maxRate);
  return levels;
}

/** Warm-up ramp from zero to `rate` over `warmup`, then `rate` for `duration`. */
export function soakSchedule({ rate, warmup, duration }: { rate: number; warmup: Duration; duration: Duration }): Schedule {
  positive('rate', rate);
  const stages: RateStage[] = warmup.seconds > 0 ? [{ duration: warmup, target: rate }] : [];
  stages.push({ duration, target: rate });
  return { kind: 'soak', startRate: warmup.seconds > 0 ? 0 : rate, stages };
}

// --- derived numbers --------------------------------------------------------------------------------

export function totalSeconds(schedule: Schedule): number {
  return schedule.stages.reduce((sum, stage) => sum + stage.duration.seconds, 0);
}

export function peakRate(schedule: Schedule): number {
  return schedule.stages.reduce((max, stage) => Math.max(max, stage.target), schedule.startRate);
}

/**
 * Iterations the schedule offers: the integral of the rate curve (trapezoids, since each stage is
 * linear). k6 starts iterations on this curve, so a healthy run completes this many, give or take
 * the rounding at stage edges.
 */
export function plannedIterations(schedule: Schedule): number {
  let from = schedule.startRate;
  let total = 0;
  for (const stage of schedule.stages) {
    total += ((from + stage.target) / 2) * stage.duration.seconds;
    from = stage.target;
  }
  return total;
}

/**
 * The `level` of an instant: the target rate of the stage in progress `elapsedSeconds` after the
 * start (the last stage's target once the schedule has ended). For stress that is the step being
 * ramped to or held; for constant and soak it is the rate.
 */
export function levelAt(schedule: Schedule, elapsedSeconds: number): number {
  let end = 0;
  for (const stage of schedule.stages) {
    end += stage.duration.seconds;
    if (elapsedSeconds < end) return stage.target;
  }
  const last = schedule.stages[schedule.stages.length - 1];
  return last === undefined ? schedule.startRate : last.target;
}

/**
 * `levelTag(levelAt(schedule, t))` for an iteration's clock, without its per-call work: the stage ends
 * and their tags are computed once, and a cursor follows time forward (it starts again from the first
 * stage if time goes back), so a call is a comparison or two and allocates nothing.
 */
export function levelTracker(schedule: Schedule): (elapsedSeconds: number) => string {
  return levelLookup(levelTable(schedule));
}

/** The `level` tag of each stage and the elapsed second it ends at, as plain data (setup() passes it on). */
export interface LevelTable {
  readonly ends: readonly number[];
  readonly tags: readonly string[];
}

export function levelTable(schedule: Schedule): LevelTable {
  const ends: number[] = [];
  const tags: string[] = [];
  let end = 0;
  for (const stage of schedule.stages) {
    end += stage.duration.seconds;
    ends.push(end);
    tags.push(levelTag(stage.target));
  }
  // After the last stage (or with none): the last stage's target, else the start rate, as levelAt.
  // JSON has no Infinity: the last entry has no end and is where every later instant lands.
  tags.push(levelTag(levelAt(schedule, Number.POSITIVE_INFINITY)));
  return { ends, tags };
}

/** The level at an elapsed time, for times that mostly move forward (one step per stage change). */
export function levelLookup(table: LevelTable): (elapsedSeconds: number) => string {
  const { ends, tags } = table;
  const last = tags.length - 1;
  let cursor = 0;
  let from = 0;
  return (elapsedSeconds) => {
    if (elapsedSeconds < from) cursor = 0;
    // `!(t < end)` rather than `t >= end`, so NaN ends at the last entry as it does in levelAt.
    while (cursor < last && !(elapsedSeconds < (ends[cursor] as number))) cursor++;
    from = cursor === 0 ? 0 : (ends[cursor - 1] as number);
    return tags[cursor] as string;
  };
}

function positive(what: string, value: number): void {
  if (!(value > 0)) throw new ScenarioError('schedule', `schedule: ${what} is \`${value}\`: expected a number > 0`);
}

function roundRate(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
