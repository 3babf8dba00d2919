import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../lib/errors.ts';
import { planScenario } from '../../lib/plan.ts';
import { constantDefinition, rampDefinition, soakDefinition, stressDefinition } from '../../lib/scenarios.ts';

const CONSTANT = constantDefinition();
const RAMP = rampDefinition();
const STRESS = stressDefinition();
const SOAK = soakDefinition();

const clock = { now: new Date('2026-11-24T01:00:00Z'), random: 0.5 };

describe('planScenario', () => {
  it('constant: k6 options from the defaults', () => {
    const plan = planScenario(CONSTANT, Object.freeze({}), clock);
    expect(plan.options).toEqual({
      scenarios: {
        constant: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '1m', preAllocatedVUs: 2, maxVUs: 20 },
      },
      thresholds: { http_req_duration: ['p(95)<500'], http_req_failed: ['rate<0.01'] },
      tags: { run_id: '20261124T010000Z-800000', target: '127.0.0.1:18080', level: '10' },
      summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
      discardResponseBodies: true,
    });
    expect(plan.dynamicLevel).toBe(false);
    expect(plan.summaryPath).toBe('summary.json');
    expect(plan.run.schedule.planned_iterations).toBe(600);
  });

  it('constant: everything from the environment', () => {
    const plan = planScenario(
      CONSTANT,
      {
        BASE_URL: 'http://10.0.0.5:8080/',
        TPS: '200',
        DURATION: '3m',
        RUN_ID: 'sweep-1.tps-200',
        TARGET: 'medium',
        SLO_P95_MS: '250',
        SLO_P99_MS: '900',
        SLO_ERROR_RATE: '0.001',
        EXPECTED_LATENCY_MS: '50',
        MAX_VUS: '100',
        MIX: 'predict',
        SUMMARY_PATH: 'none',
        AUTH_TOKEN: 's3cret',
      },
      clock,
    );
    expect(plan.options.scenarios).toEqual({
      constant: { executor: 'constant-arrival-rate', rate: 200, timeUnit: '1s', duration: '3m', preAllocatedVUs: 15, maxVUs: 100 },
    });
    expect(plan.options.thresholds).toEqual({ http_req_duration: ['p(95)<250', 'p(99)<900'], http_req_failed: ['rate<0.001'] });
    expect(plan.options.tags).toEqual({ run_id: 'sweep-1.tps-200', target: 'medium', level: '200' });
    expect(plan.baseUrl).toBe('http://10.0.0.5:8080');
    expect(plan.summaryPath).toBeNull();
    expect(plan.authToken).toBe('s3cret');
    // The token is for requests only: it is nowhere in what the summary records.
    expect(JSON.stringify(plan.run)).not.toContain('s3cret');
  });

  it('ramp: stages from STAGES; the level is tagged per VU, not in the options', () => {
    const plan = planScenario(RAMP, { START_RATE: '5', STAGES: '30s:10,1m:50,30s:0' }, clock);
    expect(plan.options.scenarios).toEqual({
      ramp: {
        executor: 'ramping-arrival-rate',
        startRate: 5,
        stages: [
          { duration: '30s', target: 10 },
          { duration: '1m', target: 50 },
          { duration: '30s', target: 0 },
        ],
        timeUnit: '1s',
        preAllocatedVUs: 8,
        maxVUs: 50,
      },
    });
    expect(plan.options.tags).toEqual({ run_id: '20261124T010000Z-800000', target: '127.0.0.1:18080' });
    expect(plan.dynamicLevel).toBe(true);
    expect(plan.run.level).toBeNull();
    expect(plan.run.schedule.planned_iterations).toBe(225 + 1800 + 750);
  });

  it('ramp: without STAGES, one stage to TPS over DURATION', () => {
    const plan = planScenario(RAMP, { TPS: '40', DURATION: '2m' }, clock);
    expect(plan.schedule.stages.map((s) => [s.duration.text, s.target])).toEqual([['2m', 40]]);
    expect(plan.schedule.startRate).toBe(0);
  });

  it('stress: step-ups with abort-on-fail thresholds', () => {
    const plan = planScenario(STRESS, { START_RATE: '10', STEP: '20', MAX_RATE: '50', STEP_DURATION: '1m', RAMP_DURATION: '0s' }, clock);
    expect(plan.options.scenarios).toEqual({
      stress: {
        executor: 'ramping-arrival-rate',
        startRate: 10,
        stages: [
          { duration: '1m', target: 10 },
          { duration: '0s', target: 30 },
          { duration: '1m', target: 30 },
          { duration: '0s', target: 50 },
          { duration: '1m', target: 50 },
        ],
        timeUnit: '1s',
        preAllocatedVUs: 8,
        maxVUs: 50,
      },
    });
    expect(plan.options.thresholds).toEqual({
      http_req_duration: [{ threshold: 'p(95)<500', abortOnFail: true, delayAbortEval: '10s' }],
      http_req_failed: [{ threshold: 'rate<0.01', abortOnFail: true, delayAbortEval: '10s' }],
    });
  });

  it('stress: ABORT_ON_FAIL=false keeps plain thresholds', () => {
    const plan = planScenario(STRESS, { ABORT_ON_FAIL: 'false' }, clock);
    expect(plan.options.thresholds).toEqual({ http_req_duration: ['p(95)<500'], http_req_failed: ['rate<0.01'] });
  });

  it('soak: an hour by default after a 5 minute warm-up', () => {
    const plan = planScenario(SOAK, { TPS: '20' }, clock);
    expect(plan.options.scenarios).toEqual({
      soak: {
        executor: 'ramping-arrival-rate',
        startRate: 0,
        stages: [
          { duration: '5m', target: 20 },
          { duration: '1h', target: 20 },
        ],
        timeUnit: '1s',
        preAllocatedVUs: 3,
        maxVUs: 20,
      },
    });
    expect(plan.options.tags).toMatchObject({ level: '20' });
  });

  it('refuses bad values of the scenario\'s own variables with the shared ones', () => {
    expect(() => planScenario(STRESS, { TPS: 'abc', STEP: '0', STEP_DURATION: '10' }, clock)).toThrow(
      new ScenarioError(
        'config',
        [
          'config: `TPS` is `abc`: expected a number > 0',
          'config: `STEP` is `0`: expected a number > 0',
          'config: `STEP_DURATION` is `10`: expected a k6 duration such as `30s`, `5m` or `1h30m` (more than zero)',
        ].join('\n'),
      ),
    );
    expect(() => planScenario(RAMP, { STAGES: '30s:10,1m' }, clock)).toThrow(
      'config: `STAGES` is `30s:10,1m`: expected comma-separated `duration:rate` stages such as `30s:10,1m:50`',
    );
    expect(() => planScenario(CONSTANT, { MIX: 'predict:1,unknown:2' }, clock)).toThrow('config: `MIX` is `predict:1,unknown:2`');
  });
});
