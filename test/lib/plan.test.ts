import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../lib/errors.ts';
import { commonFields, iterationFields, planIterations, planScenario } from '../../lib/plan.ts';
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

describe('planScenario: VU_LIMIT', () => {
  /** The refusal as `code: message`, so a test pins both; `null` when the plan is accepted. */
  function refusal(definition: Parameters<typeof planScenario>[0], env: Record<string, string>): string | null {
    try {
      planScenario(definition, Object.freeze(env), clock);
      return null;
    } catch (error) {
      if (!(error instanceof ScenarioError)) throw error;
      return `${error.code}: ${error.message}`;
    }
  }

  const fix = (limit: number): string =>
    `lower the rate or \`EXPECTED_LATENCY_MS\`, set \`PRE_ALLOCATED_VUS\` and \`MAX_VUS\` to at most ${limit}, ` +
    'or raise `VU_LIMIT` if the load generator has the memory (about 0.5 MB per VU)';
  const raise = 'or raise `VU_LIMIT` if the load generator has the memory (about 0.5 MB per VU)';

  // [case, definition, env, the one refusal line (code `schedule`)]
  it.each([
    [
      'constant: TPS=1e9 with the default latency',
      CONSTANT,
      { TPS: '1e9' },
      'executor: a peak rate of `1000000000`/s with `EXPECTED_LATENCY_MS` `100` needs 150000000 pre-allocated VUs ' +
        `(1.5 × rate × latency): expected at most 1500 (\`VU_LIMIT\`); ${fix(1500)}`,
    ],
    [
      // The peak of the stages, not the start or the last one: 20000/s × 0.1 s × 1.5.
      'ramp: the peak of STAGES',
      RAMP,
      { START_RATE: '10', STAGES: '30s:20000,1m:50' },
      'executor: a peak rate of `20000`/s with `EXPECTED_LATENCY_MS` `100` needs 3000 pre-allocated VUs ' +
        `(1.5 × rate × latency): expected at most 1500 (\`VU_LIMIT\`); ${fix(1500)}`,
    ],
    [
      'stress: MAX_RATE, the last step',
      STRESS,
      { START_RATE: '1000', STEP: '1e8', MAX_RATE: '1e9' },
      'executor: a peak rate of `1000000000`/s with `EXPECTED_LATENCY_MS` `100` needs 150000000 pre-allocated VUs ' +
        `(1.5 × rate × latency): expected at most 1500 (\`VU_LIMIT\`); ${fix(1500)}`,
    ],
    [
      // 4001/s × 0.25 s × 1.5 = 1500.4, one VU over: a slower target needs a larger pool at a rate
      // that fits at 100 ms.
      'soak: TPS with a higher EXPECTED_LATENCY_MS',
      SOAK,
      { TPS: '4001', EXPECTED_LATENCY_MS: '250' },
      'executor: a peak rate of `4001`/s with `EXPECTED_LATENCY_MS` `250` needs 1501 pre-allocated VUs ' +
        `(1.5 × rate × latency): expected at most 1500 (\`VU_LIMIT\`); ${fix(1500)}`,
    ],
    [
      'a lower VU_LIMIT',
      CONSTANT,
      { TPS: '1000', VU_LIMIT: '100' },
      'executor: a peak rate of `1000`/s with `EXPECTED_LATENCY_MS` `100` needs 150 pre-allocated VUs ' +
        `(1.5 × rate × latency): expected at most 100 (\`VU_LIMIT\`); ${fix(100)}`,
    ],
    [
      'an explicit PRE_ALLOCATED_VUS',
      CONSTANT,
      { PRE_ALLOCATED_VUS: '2000' },
      `executor: \`PRE_ALLOCATED_VUS\` is \`2000\`: expected at most 1500 (\`VU_LIMIT\`); lower it, ${raise}`,
    ],
    [
      'an explicit MAX_VUS',
      STRESS,
      { MAX_VUS: '5000' },
      `executor: \`MAX_VUS\` is \`5000\`: expected at most 1500 (\`VU_LIMIT\`); lower it, ${raise}`,
    ],
    [
      // A ceiling below a pool that is refused anyway is not the first thing to fix.
      'TPS=1e9 with a small MAX_VUS: only the pool it needs',
      CONSTANT,
      { TPS: '1e9', MAX_VUS: '100' },
      'executor: a peak rate of `1000000000`/s with `EXPECTED_LATENCY_MS` `100` needs 150000000 pre-allocated VUs ' +
        `(1.5 × rate × latency): expected at most 1500 (\`VU_LIMIT\`); ${fix(1500)}`,
    ],
  ])('refuses %s', (_, definition, env, message) => {
    expect(refusal(definition as Parameters<typeof planScenario>[0], env)).toBe(`schedule: ${message}`);
  });

  it('lists every VU problem at once', () => {
    expect(refusal(CONSTANT, { PRE_ALLOCATED_VUS: '2000', MAX_VUS: '5000', VU_LIMIT: '1000' })).toBe(
      [
        `schedule: executor: \`PRE_ALLOCATED_VUS\` is \`2000\`: expected at most 1000 (\`VU_LIMIT\`); lower it, ${raise}`,
        `executor: \`MAX_VUS\` is \`5000\`: expected at most 1000 (\`VU_LIMIT\`); lower it, ${raise}`,
      ].join('\n'),
    );
  });

  // [case, definition, env, preAllocatedVUs, maxVUs]
  it.each([
    ['constant: 5000/s, the default ceiling capped at the limit', CONSTANT, { TPS: '5000' }, 750, 1500],
    ['constant: 10000/s, a pool of exactly the limit', CONSTANT, { TPS: '10000' }, 1500, 1500],
    ['stress: explicit pools at the limit', STRESS, { MAX_RATE: '1e6', STEP: '1e5', PRE_ALLOCATED_VUS: '1500', MAX_VUS: '1500' }, 1500, 1500],
    ['soak: a bigger generator raises VU_LIMIT', SOAK, { TPS: '1e5', VU_LIMIT: '20000' }, 15000, 20000],
  ])('accepts %s', (_, definition, env, preAllocatedVUs, maxVUs) => {
    const plan = planScenario(definition as Parameters<typeof planScenario>[0], Object.freeze(env), clock);
    expect(Object.values(plan.options.scenarios ?? {})[0]).toMatchObject({ preAllocatedVUs, maxVUs });
    expect(plan.run.vus).toEqual({ pre_allocated: preAllocatedVUs, max: maxVUs });
  });

  it('refuses a VU_LIMIT that is not a positive integer', () => {
    expect(refusal(CONSTANT, { VU_LIMIT: '0' })).toBe('config: config: `VU_LIMIT` is `0`: expected an integer >= 1');
    expect(refusal(CONSTANT, { VU_LIMIT: '1e3.5' })).toBe('config: config: `VU_LIMIT` is `1e3.5`: expected an integer >= 1');
  });
});

describe('planIterations: what VUs after the first build (lib/k6/scenario.ts)', () => {
  const envs: [string, Record<string, string>][] = [
    ['defaults', {}],
    ['everything an iteration reads', { BASE_URL: 'https://svc.example:8443/', MIX: 'predict:3,light:1,health:0', AUTH_TOKEN: 'tok', REQUEST_TIMEOUT: '2s', CHECKS: 'yes' }],
    ['the scenario variables too', { TPS: '40', DURATION: '2m', START_RATE: '5', STAGES: '30s:10,0s:50,1m:50', STEP: '5', MAX_RATE: '25', MIX: 'health' }],
  ];
  const definitions = { constant: CONSTANT, ramp: RAMP, stress: STRESS, soak: SOAK } as const;
  const cases = Object.entries(definitions).flatMap(([name, definition]) => envs.map(([label, env]) => [name, label, definition, env] as const));

  it.each(cases)('%s, %s: equal to the same parts of planScenario', (_name, _label, any, env) => {
    const definition = any as Parameters<typeof planScenario>[0];
    const frozen = Object.freeze({ ...env });
    const full = planScenario(definition, frozen, clock);
    const light = planIterations(definition, frozen);
    const { mix, ...rest } = light;
    expect(rest).toEqual({
      baseUrl: full.baseUrl,
      catalog: full.catalog,
      dynamicLevel: full.dynamicLevel,
      levelSchedule: full.dynamicLevel ? full.schedule : null,
      requestTimeout: full.requestTimeout,
      checks: full.checks,
      authToken: full.authToken,
    });
    expect(full.levelSchedule).toEqual(rest.levelSchedule);
    expect(mix.entries).toEqual(full.mix.entries);
    const draws = Array.from({ length: 1000 }, (_, i) => i / 1000);
    expect(draws.map((u) => mix.pick(u))).toEqual(draws.map((u) => full.mix.pick(u)));
  });

  it('constant and soak read only the iteration variables, so a VU after the first does not parse the rest', () => {
    // The first VU refuses this environment (planScenario throws); the others never see the bad TPS.
    const env = Object.freeze({ TPS: 'abc', MIX: 'health' });
    expect(() => planScenario(CONSTANT, env, clock)).toThrow('config: `TPS` is `abc`');
    expect(planIterations(CONSTANT, env).baseUrl).toBe('http://127.0.0.1:18080');
    expect(planIterations(SOAK, env).levelSchedule).toBeNull();
    // ramp and stress tag the level from the schedule, which needs every variable
    expect(() => planIterations(RAMP, env)).toThrow('config: `TPS` is `abc`');
  });

  it('iterationFields are the same fields as in commonFields, whose order is unchanged', () => {
    const common = commonFields();
    const iteration = iterationFields();
    for (const [name, field] of Object.entries(iteration)) {
      const { parse: _a, ...described } = field;
      const { parse: _b, ...expected } = common[name as keyof typeof common];
      expect(described).toEqual(expected);
    }
    expect(Object.keys(common)).toEqual([
      'BASE_URL', 'TPS', 'DURATION', 'MIX', 'TARGET', 'RUN_ID', 'SLO_P95_MS', 'SLO_P99_MS', 'SLO_ERROR_RATE', 'EXPECTED_LATENCY_MS',
      'PRE_ALLOCATED_VUS', 'MAX_VUS', 'VU_LIMIT', 'REQUEST_TIMEOUT', 'CHECKS', 'AUTH_TOKEN', 'SUMMARY_PATH',
    ]);
  });
});
