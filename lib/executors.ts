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
 * The largest VU pool (pre-allocated and maximum) a run may ask for unless `VU_LIMIT` says otherwise.
 * k6 builds a JavaScript runtime per VU, so its memory grows with the pool, not with the rate: a
 * `TPS=1e9` run asked for 150 million VUs and k6 reached 12.8 GB in 35 s.
 *
 * Measured 2026-12-01 (k6 v2.2.0, dist/constant.js, 2 cores, peak RSS from `/usr/bin/time -f %M`,
 * 5–10 s runs against the sample service on 127.0.0.1): 44 MiB with 1 VU; idle pools (20/s) of
 * 1000 / 2000 / 4000 / 8000 VUs peaked at 348–376 / 693–713 / 1244–1319 / 2668 MiB, about 0.33 MiB
 * per VU; with every VU waiting on a 1 s response and `--out json`, 1500 / 2000 / 4000 VUs peaked at
 * 772 / 987 / 1913 MiB, about 0.48 MiB per VU. So 1500 fully busy VUs leave a 1 GiB k6 runner pod a
 * quarter of its memory spare (2000 would not), and leave a 2-core / 24 GiB machine room for the
 * target; the pool also starts in about 2 s, where 8000 VUs took 18 s. Bigger load generators raise
 * `VU_LIMIT`.
 */
export const DEFAULT_VU_LIMIT = 1500;

/**
 * VUs needed to hold `peak` iterations/s when an iteration takes `expectedLatencyMs` (Little's law:
 * concurrency = rate × time in system). The pre-allocated pool covers 1.5× that so normal jitter does
 * not allocate VUs mid-run; the ceiling allows latency to grow 10× (and at least 20 VUs) before k6
 * drops iterations, because dropped iterations are the signal that the target can no longer keep up,
 * and we want that signal rather than an unbounded pile of VUs. Both can be overridden.
 *
 * Neither may exceed `vuLimit`, so a pool the load generator cannot hold is refused before k6
 * allocates it. The default ceiling is only headroom, so it is capped at the limit rather than
 * refused; a pre-allocated pool over the limit (the VUs the rate needs) or an explicit value over it
 * is refused with the numbers and what to change.
 */
export function vuSizing(options: {
  peakRate: number;
  expectedLatencyMs: number;
  preAllocatedVUs?: number | undefined;
  maxVUs?: number | undefined;
  vuLimit?: number | undefined;
}): VuSizing {
  const { peakRate: rate, expectedLatencyMs, vuLimit = DEFAULT_VU_LIMIT } = options;
  const concurrency = (rate * expectedLatencyMs) / 1000;
  const preAllocatedVUs = options.preAllocatedVUs ?? Math.max(1, Math.ceil(concurrency * 1.5));
  const maxVUs = options.maxVUs ?? Math.min(Math.max(preAllocatedVUs, Math.ceil(concurrency * 10), 20), vuLimit);

  const need = `a peak rate of \`${rate}\`/s with \`EXPECTED_LATENCY_MS\` \`${expectedLatencyMs}\``;
  const atMost = `expected at most ${vuLimit} (\`VU_LIMIT\`)`;
  const orRaise = 'or raise `VU_LIMIT` if the load generator has the memory (about 0.5 MB per VU)';
  const problems: string[] = [];
  if (preAllocatedVUs > vuLimit) {
    problems.push(
      options.preAllocatedVUs === undefined
        ? `executor: ${need} needs ${preAllocatedVUs} pre-allocated VUs (1.5 × rate × latency): ${atMost}; ` +
            `lower the rate or \`EXPECTED_LATENCY_MS\`, set \`PRE_ALLOCATED_VUS\` and \`MAX_VUS\` to at most ${vuLimit}, ${orRaise}`
        : `executor: \`PRE_ALLOCATED_VUS\` is \`${preAllocatedVUs}\`: ${atMost}; lower it, ${orRaise}`,
    );
  }
  if (maxVUs > vuLimit) problems.push(`executor: \`MAX_VUS\` is \`${maxVUs}\`: ${atMost}; lower it, ${orRaise}`);
  // Below a pre-allocated pool that is itself refused, the ceiling is not the problem to fix first.
  if (maxVUs < preAllocatedVUs && preAllocatedVUs <= vuLimit) {
    problems.push(
      options.preAllocatedVUs === undefined
        ? `executor: \`MAX_VUS\` is \`${maxVUs}\`: expected at least ${preAllocatedVUs}, the pre-allocated VUs ${need} needs ` +
            `(1.5 × rate × latency); raise it, or set \`PRE_ALLOCATED_VUS\` to at most ${maxVUs}`
        : `executor: \`MAX_VUS\` is \`${maxVUs}\`: expected at least ${preAllocatedVUs} (\`PRE_ALLOCATED_VUS\`)`,
    );
  }
  if (problems.length > 0) throw new ScenarioError('schedule', problems.join('\n'));
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
