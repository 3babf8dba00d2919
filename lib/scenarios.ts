/**
 * The four standard scenarios as definitions: variables, schedule, abort policy. The files in
 * scenarios/ turn them into k6 entry points; keeping the definitions here lets tests and the README
 * check read them without k6.
 *
 * Each definition is made by a function, not a module constant, so a bundle holds only the one it
 * uses: every object a script creates at load time is created again in each of k6's VUs and stays
 * live for the whole run, which costs the Go garbage collector (and so the load generator) CPU.
 */
import { booleanField, durationField, numberField, optional } from './config.ts';
import { scenarioDefinition, stagesField } from './plan.ts';
import { constantSchedule, rampSchedule, soakSchedule, stressSchedule } from './schedule.ts';

/** `TPS` iterations per second for `DURATION` (constant-arrival-rate). */
export function constantDefinition() {
  return scenarioDefinition({
    kind: 'constant',
    fields: {},
    schedule: (config) => constantSchedule({ rate: config.TPS, duration: config.DURATION }),
  });
}

/** From `START_RATE` through `STAGES`, linear in between; without `STAGES`, to `TPS` over `DURATION`. */
export function rampDefinition() {
  return scenarioDefinition({
    kind: 'ramp',
    fields: {
      START_RATE: numberField({ min: 0, fallback: '0', doc: 'Rate at the start of the first stage' }),
      STAGES: optional(stagesField({ doc: '`duration:rate` stages, e.g. `30s:10,2m:50,30s:0`; default: `DURATION:TPS`' })),
    },
    schedule: (config) =>
      rampSchedule({ startRate: config.START_RATE, stages: config.STAGES ?? [{ duration: config.DURATION, target: config.TPS }] }),
  });
}

/**
 * Step the rate up from `START_RATE` by `STEP` to `MAX_RATE`, each step held for `STEP_DURATION`;
 * with `ABORT_ON_FAIL` the run stops at the first SLO breach (still exit code 99).
 */
export function stressDefinition() {
  return scenarioDefinition({
    kind: 'stress',
    fields: {
      START_RATE: numberField({ min: 0, exclusiveMin: true, fallback: '10', doc: 'Rate of the first step' }),
      STEP: numberField({ min: 0, exclusiveMin: true, fallback: '10', doc: 'Rate added at each step' }),
      MAX_RATE: numberField({ min: 0, exclusiveMin: true, fallback: '100', doc: 'Rate of the last step' }),
      STEP_DURATION: durationField({ fallback: '30s', doc: 'How long each step is held' }),
      RAMP_DURATION: durationField({ allowZero: true, fallback: '5s', doc: 'Ramp between two steps' }),
      RECOVERY_DURATION: durationField({ allowZero: true, fallback: '0s', doc: 'Then back to `START_RATE` this long, for the recovery (ignores `ABORT_ON_FAIL`)' }),
      ABORT_ON_FAIL: booleanField({ fallback: 'true', doc: 'Stop at the first SLO breach' }),
      ABORT_DELAY: durationField({ allowZero: true, fallback: '10s', doc: 'No abort before this much time has passed' }),
    },
    schedule: (config) =>
      stressSchedule({
        startRate: config.START_RATE,
        step: config.STEP,
        maxRate: config.MAX_RATE,
        stepDuration: config.STEP_DURATION,
        rampDuration: config.RAMP_DURATION,
        recoveryDuration: config.RECOVERY_DURATION,
      }),
    // A recovery can only be seen if the run goes on past the breach.
    abortPolicy: (config) => ({ abortOnFail: config.ABORT_ON_FAIL && config.RECOVERY_DURATION.seconds === 0, delayAbortEval: config.ABORT_DELAY.text }),
  });
}

/** Ramp up to `TPS` over `WARMUP`, then hold it for `DURATION` (an hour unless told otherwise). */
export function soakDefinition() {
  return scenarioDefinition({
    kind: 'soak',
    fields: {
      WARMUP: durationField({ allowZero: true, fallback: '5m', doc: 'Warm-up ramp from 0 to `TPS`, before `DURATION`' }),
    },
    defaults: { DURATION: '1h' },
    schedule: (config) => soakSchedule({ rate: config.TPS, warmup: config.WARMUP, duration: config.DURATION }),
  });
}

export const SCENARIOS = { constant: constantDefinition, ramp: rampDefinition, stress: stressDefinition, soak: soakDefinition } as const;
