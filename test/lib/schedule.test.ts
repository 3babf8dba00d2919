import { describe, expect, it } from 'vitest';
import { parseDuration, type Duration } from '../../lib/config.ts';
import { ScenarioError } from '../../lib/errors.ts';
import { DEFAULT_VU_LIMIT, k6Scenario, vuSizing } from '../../lib/executors.ts';
import {
  constantSchedule,
  levelAt,
  levelTracker,
  peakRate,
  plannedIterations,
  rampSchedule,
  soakSchedule,
  stressLevels,
  stressSchedule,
  totalSeconds,
} from '../../lib/schedule.ts';
import { levelTag } from '../../lib/tags.ts';

const d = (text: string): Duration => {
  const duration = parseDuration(text);
  if (duration === undefined) throw new Error(`bad duration in test: ${text}`);
  return duration;
};

describe('schedules', () => {
  it('constant: one flat stage', () => {
    const schedule = constantSchedule({ rate: 20, duration: d('30s') });
    expect(schedule).toEqual({ kind: 'constant', startRate: 20, stages: [{ duration: d('30s'), target: 20 }] });
    expect(plannedIterations(schedule)).toBe(600);
    expect(totalSeconds(schedule)).toBe(30);
    expect(levelAt(schedule, 0)).toBe(20);
    expect(levelAt(schedule, 45)).toBe(20);
  });

  it('ramp: the offered iterations are the area under the rate curve', () => {
    const schedule = rampSchedule({
      startRate: 0,
      stages: [
        { duration: d('30s'), target: 10 },
        { duration: d('1m'), target: 50 },
        { duration: d('0s'), target: 20 },
        { duration: d('10s'), target: 20 },
      ],
    });
    // 30 s ramping 0→10: 150; 60 s ramping 10→50: 1800; the jump adds nothing; 10 s at 20: 200.
    expect(plannedIterations(schedule)).toBe(2150);
    expect(totalSeconds(schedule)).toBe(100);
    expect(peakRate(schedule)).toBe(50);
    expect([levelAt(schedule, 0), levelAt(schedule, 29.9), levelAt(schedule, 30), levelAt(schedule, 95)]).toEqual([10, 10, 50, 20]);
  });

  it('ramp needs a stage that lasts', () => {
    expect(() => rampSchedule({ startRate: 0, stages: [] })).toThrow('ramp: `stages` is empty: expected at least one stage');
    expect(() => rampSchedule({ startRate: 0, stages: [{ duration: d('0s'), target: 5 }] })).toThrow(
      'ramp: every stage lasts `0s`: expected at least one stage longer than zero',
    );
  });

  it('stress: holds each level, ramps between them, and ends on the max', () => {
    const schedule = stressSchedule({ startRate: 10, step: 15, maxRate: 50, stepDuration: d('30s'), rampDuration: d('5s') });
    expect(stressLevels(10, 15, 50)).toEqual([10, 25, 40, 50]);
    expect(schedule.stages.map((stage) => [stage.duration.text, stage.target])).toEqual([
      ['30s', 10],
      ['5s', 25],
      ['30s', 25],
      ['5s', 40],
      ['30s', 40],
      ['5s', 50],
      ['30s', 50],
    ]);
    // Holds: 30·(10+25+40+50) = 3750; ramps: 5·(17.5+32.5+45) = 475.
    expect(plannedIterations(schedule)).toBe(4225);
    expect(levelAt(schedule, 31)).toBe(25);
  });

  it('stress with a recovery phase: back to the start rate within a second, held that long', () => {
    const schedule = stressSchedule({ startRate: 10, step: 20, maxRate: 50, stepDuration: d('10s'), rampDuration: d('2s'), recoveryDuration: d('20s') });
    expect(schedule.stages.map((stage) => [stage.duration.text, stage.target])).toEqual([
      ['10s', 10],
      ['2s', 30],
      ['10s', 30],
      ['2s', 50],
      ['10s', 50],
      ['1s', 10],
      ['20s', 10],
    ]);
    // Holds 10·(10+30+50) + 20·10 = 1100; ramps 2·(20+40) + 1·30 = 150.
    expect(plannedIterations(schedule)).toBe(1250);
    expect(levelAt(schedule, 35)).toBe(10);
    // No recovery phase when there is no stress to recover from, or none asked for.
    expect(stressSchedule({ startRate: 10, step: 20, maxRate: 10, stepDuration: d('10s'), rampDuration: d('2s'), recoveryDuration: d('20s') }).stages).toHaveLength(1);
    expect(stressSchedule({ startRate: 10, step: 20, maxRate: 50, stepDuration: d('10s'), rampDuration: d('2s'), recoveryDuration: d('0s') }).stages).toHaveLength(5);
  });

  it('stress levels do not drift with fractional steps', () => {
    expect(stressLevels(0.1, 0.1, 0.5)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(stressLevels(10, 10, 10)).toEqual([10]);
  });

  it('stress refuses a max below the start', () => {
    expect(() => stressSchedule({ startRate: 50, step: 10, maxRate: 20, stepDuration: d('1s'), rampDuration: d('0s') })).toThrow(
      'stress: max rate `20` is below the start rate `50`: expected max >= start',
    );
  });

  it('stress refuses more than 1000 steps before building them, and takes exactly 1000', () => {
    expect(() => stressSchedule({ startRate: 10, step: 10, maxRate: 1e9, stepDuration: d('30s'), rampDuration: d('5s') })).toThrow(
      new ScenarioError('schedule', 'stress: `START_RATE` `10` to `MAX_RATE` `1000000000` by `STEP` `10` makes 100000000 steps: expected at most 1000; raise `STEP` or lower `MAX_RATE`'),
    );
    expect(stressLevels(1, 1, 1000)).toHaveLength(1000);
    expect(stressSchedule({ startRate: 1, step: 1, maxRate: 1000, stepDuration: d('1s'), rampDuration: d('0s') }).stages).toHaveLength(1 + 2 * 999);
    expect(() => stressSchedule({ startRate: 1, step: 1, maxRate: 1001, stepDuration: d('1s'), rampDuration: d('0s') })).toThrow('makes 1001 steps: expected at most 1000');
  });

  it('soak: warm-up ramp from zero, then the rate', () => {
    const schedule = soakSchedule({ rate: 40, warmup: d('5m'), duration: d('1h') });
    expect(schedule.startRate).toBe(0);
    expect(plannedIterations(schedule)).toBe(40 * 150 + 40 * 3600);
    expect(soakSchedule({ rate: 40, warmup: d('0s'), duration: d('1m') }).stages).toHaveLength(1);
  });

  it('refuses a rate of zero', () => {
    expect(() => constantSchedule({ rate: 0, duration: d('1s') })).toThrow(new ScenarioError('schedule', 'schedule: rate is `0`: expected a number > 0'));
  });

  it('does not mutate its input stages', () => {
    const stages = Object.freeze([Object.freeze({ duration: d('10s'), target: 5 })]);
    const schedule = rampSchedule({ startRate: 1, stages });
    expect(plannedIterations(schedule)).toBe(30);
  });
});

describe('executors', () => {
  it('sizes the VU pool from rate and latency (Little\'s law)', () => {
    // 200/s × 0.1 s = 20 in flight: 30 pre-allocated, 200 at most.
    expect(vuSizing({ peakRate: 200, expectedLatencyMs: 100 })).toEqual({ preAllocatedVUs: 30, maxVUs: 200 });
    // Low rates still get a floor of 20 VUs to absorb a slow spell.
    expect(vuSizing({ peakRate: 5, expectedLatencyMs: 100 })).toEqual({ preAllocatedVUs: 1, maxVUs: 20 });
    expect(vuSizing({ peakRate: 5, expectedLatencyMs: 100, preAllocatedVUs: 40 })).toEqual({ preAllocatedVUs: 40, maxVUs: 40 });
  });

  it.each([
    ['an explicit pool', { peakRate: 5, preAllocatedVUs: 10, maxVUs: 5 }, 'executor: `MAX_VUS` is `5`: expected at least 10 (`PRE_ALLOCATED_VUS`)'],
    [
      'the default pool, naming what sized it',
      { peakRate: 200, maxVUs: 5 },
      'executor: `MAX_VUS` is `5`: expected at least 30, the pre-allocated VUs a peak rate of `200`/s with `EXPECTED_LATENCY_MS` `100` ' +
        'needs (1.5 × rate × latency); raise it, or set `PRE_ALLOCATED_VUS` to at most 5',
    ],
  ])('refuses a ceiling below %s', (_, sizing, message) => {
    expect(() => vuSizing({ expectedLatencyMs: 100, ...sizing })).toThrow(new ScenarioError('schedule', message));
  });

  it('caps the default ceiling at the VU limit, since it is only headroom', () => {
    // 5000/s × 0.1 s = 500 in flight: 750 pre-allocated; 10× would be 5000, over the default 1500.
    expect(vuSizing({ peakRate: 5000, expectedLatencyMs: 100 })).toEqual({ preAllocatedVUs: 750, maxVUs: DEFAULT_VU_LIMIT });
    // The floor of 20 gives way to a smaller limit too.
    expect(vuSizing({ peakRate: 5, expectedLatencyMs: 100, vuLimit: 10 })).toEqual({ preAllocatedVUs: 1, maxVUs: 10 });
    // A pool of exactly the limit is allowed.
    expect(vuSizing({ peakRate: 10_000, expectedLatencyMs: 100 })).toEqual({ preAllocatedVUs: 1500, maxVUs: 1500 });
  });

  it('constant schedules run on constant-arrival-rate', () => {
    const scenario = k6Scenario(constantSchedule({ rate: 20, duration: d('30s') }), { preAllocatedVUs: 3, maxVUs: 20 });
    expect(scenario).toEqual({
      executor: 'constant-arrival-rate',
      rate: 20,
      timeUnit: '1s',
      duration: '30s',
      preAllocatedVUs: 3,
      maxVUs: 20,
    });
  });

  it('other schedules run on ramping-arrival-rate', () => {
    const schedule = soakSchedule({ rate: 10, warmup: d('1m'), duration: d('10m') });
    expect(k6Scenario(schedule, { preAllocatedVUs: 2, maxVUs: 20 })).toEqual({
      executor: 'ramping-arrival-rate',
      startRate: 0,
      stages: [
        { duration: '1m', target: 10 },
        { duration: '10m', target: 10 },
      ],
      timeUnit: '1s',
      preAllocatedVUs: 2,
      maxVUs: 20,
    });
  });

  it('writes fractional rates as whole numbers per a longer time unit', () => {
    const scenario = k6Scenario(constantSchedule({ rate: 2.5, duration: d('1m') }), { preAllocatedVUs: 1, maxVUs: 20 });
    expect(scenario).toMatchObject({ rate: 25, timeUnit: '10s' });
    const stress = k6Scenario(stressSchedule({ startRate: 0.25, step: 0.25, maxRate: 1, stepDuration: d('1m'), rampDuration: d('0s') }), {
      preAllocatedVUs: 1,
      maxVUs: 20,
    });
    expect(stress).toMatchObject({ startRate: 25, timeUnit: '100s' });
    expect(() => k6Scenario(constantSchedule({ rate: 0.0001, duration: d('1m') }), { preAllocatedVUs: 1, maxVUs: 1 })).toThrow(
      'executor: rate `0.0001` has more than 3 decimals: expected a rate with at most 3',
    );
  });
});

describe('levelTracker: levelAt precomputed for the iteration (lib/k6/scenario.ts)', () => {
  const schedules = {
    constant: constantSchedule({ rate: 20, duration: d('30s') }),
    // a zero-length stage (a jump) in the middle, and a fractional rate
    ramp: rampSchedule({
      startRate: 0,
      stages: [
        { duration: d('30s'), target: 10 },
        { duration: d('1m'), target: 50 },
        { duration: d('0s'), target: 2.5 },
        { duration: d('10s'), target: 20 },
      ],
    }),
    stress: stressSchedule({ startRate: 10, step: 10, maxRate: 30, stepDuration: d('10s'), rampDuration: d('1500ms') }),
    soak: soakSchedule({ rate: 7, warmup: d('0s'), duration: d('1h') }),
    'no stages': { kind: 'ramp', startRate: 3, stages: [] },
  } as const;
  // Every stage edge, just before and after it, and beyond the end, then the same times shuffled
  // (time going back starts the cursor again) and odd inputs.
  const edges = [0, 10, 11.5, 21.5, 23, 30, 90, 100, 3600];
  const forward = [-1, ...edges.flatMap((t) => [t - 1e-9, t, t + 1e-9, t + 0.5]), 1e9];
  const shuffled = [95, 0, 33, 10.2, 10.2, 3599.9, 5, 29.999, 100, 22, 11.5, -3];

  it.each(Object.entries(schedules))('%s: the same tag as levelTag(levelAt(t)) forward, backward and shuffled', (_name, schedule) => {
    for (const times of [forward, [...forward].reverse(), shuffled, [Number.NaN, 5, Number.POSITIVE_INFINITY, 0]]) {
      const at = levelTracker(schedule);
      expect(times.map((t) => at(t))).toEqual(times.map((t) => levelTag(levelAt(schedule, t))));
    }
  });

  it('stress: the steps in order', () => {
    const at = levelTracker(schedules.stress);
    expect([0, 9.9, 10, 11.4, 11.5, 21.4, 21.5, 23, 40].map((t) => at(t))).toEqual(['10', '10', '20', '20', '20', '20', '30', '30', '30']);
  });
});
