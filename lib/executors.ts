/**
 * k6 executor configuration for a schedule: `constant-arrival-rate` for a flat schedule,
 * `ramping-arrival-rate` otherwise (both open-model), with VU pools sized from the rate.
 */
import type { Scenario } from 'k6/options';
import { ScenarioError } from './errors.ts';
import type { Schedule } from './schedule.ts';

export interface VuSizing {
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
}

/**
 * VUs needed to hold `peak` iterations/s when an iteration takes `expectedLatencyMs` (Little's law:
 * concurrency = rate × time in system). The pre-allocated pool covers 1.5× that so normal jitter does
 * not allocate VUs mid-run; the ceiling allows latency to grow 10× (and at least 20 VUs) before k6
 * drops iterations, because dropped iterations are the signal that the target can no longer keep up,
 * and we want that signal rather than an unbounded pile of VUs. Both can be overridden.
 */
export function vuSizing(options: {
  peakRate: number;
  expectedLatencyMs: number;
  preAllocatedVUs?: number | undefined;
  maxVUs?: number | undefined;
}): VuSizing {
  const { peakRate: rate, expectedLatencyMs } = options;
  const concurrency = (rate * expectedLatencyMs) / 1000;
  const preAllocatedVUs = options.preAllocatedVUs ?? Math.max(1, Math.ceil(concurrency * 1.5));
  const maxVUs = options.maxVUs ?? Math.max(preAllocatedVUs, Math.ceil(concurrency * 10), 20);
  if (maxVUs < preAllocatedVUs) {
    throw new ScenarioError(
      'schedule',
      `executor: \`MAX_VUS\` is \`${maxVUs}\`: expected at least PRE_ALLOCATED_VUS (\`${preAllocatedVUs}\`)`,
    );
  }
  return { preAllocatedVUs, maxVUs };
}

/** The k6 scenario for `schedule`; `tags` are added to every sample of the scenario. */
export function k6Scenario(schedule: Schedule, vus: VuSizing, extra: { tags?: Record<string, string> } = {}): Scenario {
  const unit = rateUnit(schedule);
  const scaled = (rate: number): number => Math.round(rate * unit);
  const common = { preAllocatedVUs: vus.preAllocatedVUs, maxVUs: vus.maxVUs, timeUnit: `${unit}s`, ...extra };
  const only = schedule.stages[0];
  if (schedule.kind === 'constant' && only !== undefined && schedule.stages.length === 1) {
    return { executor: 'constant-arrival-rate', rate: scaled(only.target), duration: only.duration.text, ...common };
  }
  return {
    executor: 'ramping-arrival-rate',
    startRate: scaled(schedule.startRate),
    stages: schedule.stages.map((stage) => ({ duration: stage.duration.text, target: scaled(stage.target) })),
    ...common,
  };
}

/**
 * k6 takes rates as integers per `timeUnit`, so a rate of 2.5/s is written as 25 per 10s: the
 * time unit is the smallest power of ten (seconds) that makes every rate of the schedule whole.
 */
function rateUnit(schedule: Schedule): number {
  const rates = [schedule.startRate, ...schedule.stages.map((stage) => stage.target)];
  for (const unit of [1, 10, 100, 1000]) {
    if (rates.every((rate) => Math.abs(rate * unit - Math.round(rate * unit)) < 1e-9)) return unit;
  }
  throw new ScenarioError(
    'schedule',
    `executor: rate \`${rates.find((rate) => !Number.isInteger(rate * 1000))}\` has more than 3 decimals: expected a rate with at most 3`,
  );
}
