/**
 * The k6 adapter through the shims of test/shims (aliased in vitest.config.ts): what one iteration
 * sends, how VUs re-tag themselves, what handleSummary returns, and the abort on bad configuration.
 * Real k6 runs of the same code are in test/integration.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineScenario } from '../../lib/k6/scenario.ts';
import { k6Require, splitEntry } from '../../lib/k6/split.ts';
import { constantDefinition, stressDefinition } from '../../lib/scenarios.ts';

const CONSTANT = constantDefinition();
const STRESS = stressDefinition();
import { checks } from '../shims/k6.ts';
import exec, { TestAborted } from '../shims/k6-execution.ts';
import { requests, responder } from '../shims/k6-http.ts';

const globals = globalThis as { __ENV?: Record<string, string>; __VU?: number };

/** What `iteration` sends over 200 fixed draws of Math.random, and how many checks it records. */
const draws = Array.from({ length: 200 }, (_, i) => (i * 0.618) % 1);
function sent(iteration: () => void) {
  requests.length = 0;
  checks.length = 0;
  const random = Math.random;
  let i = 0;
  Math.random = () => draws[i++ % draws.length] as number;
  try {
    for (let n = 0; n < draws.length; n++) iteration();
  } finally {
    Math.random = random;
  }
  return { requests: [...requests], checks: checks.length };
}

beforeEach(() => {
  requests.length = 0;
  checks.length = 0;
  exec.test.aborts.length = 0;
  exec.vu.metrics.tags = {};
  responder.status = 200;
});

afterEach(() => {
  delete globals.__ENV;
  delete globals.__VU;
});

describe('defineScenario', () => {
  it('sends the mix: 80/10/10 over many iterations, with the auth header and timeout', () => {
    globals.__ENV = { BASE_URL: 'http://127.0.0.1:9999', AUTH_TOKEN: 'tok', REQUEST_TIMEOUT: '3s' };
    const scenario = defineScenario(CONSTANT);
    for (let i = 0; i < 2000; i++) scenario.iteration();
    const byUrl: Record<string, number> = {};
    for (const request of requests) byUrl[`${request.method} ${request.url}`] = (byUrl[`${request.method} ${request.url}`] ?? 0) + 1;
    expect(Object.keys(byUrl).sort()).toEqual(['GET http://127.0.0.1:9999/health', 'GET http://127.0.0.1:9999/metrics', 'POST http://127.0.0.1:9999/predict']);
    // Math.random drives the choice; 2000 draws land within a few percent of the weights.
    expect(byUrl['POST http://127.0.0.1:9999/predict']).toBeGreaterThan(1500);
    expect(byUrl['POST http://127.0.0.1:9999/predict']).toBeLessThan(1700);
    const predict = requests.find((request) => request.url.endsWith('/predict'));
    expect(predict?.body).toBe('{"features":[0.42,1.7,3.14,2.72]}');
    expect(predict?.params).toEqual({ headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok' }, timeout: '3s' });
  });

  it('passes no params when nothing differs from k6\'s defaults (each field costs k6 CPU per request)', () => {
    globals.__ENV = { BASE_URL: 'http://127.0.0.1:9999', MIX: 'health' };
    defineScenario(CONSTANT).iteration();
    expect(requests).toEqual([{ method: 'GET', url: 'http://127.0.0.1:9999/health', body: null, params: undefined }]);
  });

  it('checks every response for a 2xx status with CHECKS=true, and not by default', () => {
    responder.status = 503;
    globals.__ENV = { MIX: 'health' };
    defineScenario(CONSTANT).iteration();
    expect(checks).toEqual([]);

    globals.__ENV = { MIX: 'health', CHECKS: 'true' };
    defineScenario(CONSTANT).iteration();
    expect(checks).toEqual([{ names: ['status is 2xx'], passed: false }]);
  });

  it('re-tags the VU with the level of the stage in progress (stress)', () => {
    globals.__ENV = { START_RATE: '10', STEP: '10', MAX_RATE: '30', STEP_DURATION: '10s', RAMP_DURATION: '0s', MIX: 'health' };
    const scenario = defineScenario(STRESS);
    const start = Date.now();
    const levels: unknown[] = [];
    for (const elapsed of [0, 9_000, 10_500, 25_000, 40_000]) {
      exec.scenario.startTime = start - elapsed;
      scenario.iteration();
      levels.push(exec.vu.metrics.tags.level);
    }
    expect(levels).toEqual(['10', '10', '20', '30', '30']);
  });

  it('does not tag the level per VU when it is constant (it is in the options)', () => {
    globals.__ENV = { TPS: '7', MIX: 'health' };
    const scenario = defineScenario(CONSTANT);
    scenario.iteration();
    expect(exec.vu.metrics.tags).toEqual({});
    expect(scenario.options.tags).toMatchObject({ level: '7' });
  });

  it('aborts the run before any request on bad configuration, all problems on one line', () => {
    globals.__ENV = { TPS: 'abc', BASE_URL: 'notaurl' };
    expect(() => defineScenario(CONSTANT)).toThrow(TestAborted);
    expect(exec.test.aborts).toEqual([
      'config: `BASE_URL` is `notaurl`: expected an http:// or https:// URL such as `http://127.0.0.1:18080`; config: `TPS` is `abc`: expected a number > 0',
    ]);
    expect(requests).toHaveLength(0);
  });

  it('handleSummary prints the text summary and writes JSON with the run id all samples carry', () => {
    globals.__ENV = { TPS: '5', SUMMARY_PATH: 'out/summary.json', AUTH_TOKEN: 'never-in-files' };
    exec.test.options.tags = { run_id: 'from-options' };
    const scenario = defineScenario(CONSTANT);
    const files = scenario.handleSummary({
      state: { testRunDurationMs: 1000 },
      metrics: { http_reqs: { type: 'counter', contains: 'default', values: { count: 5, rate: 5 } } },
    });
    expect(Object.keys(files)).toEqual(['stdout', 'out/summary.json']);
    expect(files.stdout?.split('\n')[0]).toBe('k6-capacity constant · target 127.0.0.1:18080 · level 5/s · run from-options');
    const json = JSON.parse(files['out/summary.json'] ?? '{}');
    expect(json.run.run_id).toBe('from-options');
    expect(json.results.requests).toBe(5);
    expect(files['out/summary.json']).not.toContain('never-in-files');
  });
});

// k6 reads the options from its first instance (`__VU` 0, as in the tests above, where `__VU` is
// unset); the VUs that iterate have ids from 1 and build only what an iteration needs.
describe('defineScenario in a VU after the first', () => {
  it('sends what the first VU would, exports empty options and does not parse the other variables', () => {
    const env = { BASE_URL: 'http://127.0.0.1:9999', MIX: 'predict:1,health:1', AUTH_TOKEN: 'tok', REQUEST_TIMEOUT: '3s', CHECKS: 'true' };
    globals.__ENV = env;
    const first = defineScenario(CONSTANT);
    const expected = sent(first.iteration);

    // TPS=abc would stop the run in the first VU; here it is not even read.
    globals.__ENV = { ...env, TPS: 'abc' };
    globals.__VU = 3;
    const later = defineScenario(CONSTANT);
    expect(exec.test.aborts).toEqual([]);
    expect(later.options).toEqual({});
    expect(sent(later.iteration)).toEqual(expected);
    expect(expected.checks).toBe(draws.length);
  });

  it('re-tags the level as the first VU would (stress)', () => {
    globals.__ENV = { START_RATE: '10', STEP: '10', MAX_RATE: '30', STEP_DURATION: '10s', RAMP_DURATION: '0s', MIX: 'health' };
    globals.__VU = 1;
    const scenario = defineScenario(STRESS);
    const start = Date.now();
    const levels: unknown[] = [];
    for (const elapsed of [0, 9_000, 10_500, 25_000, 40_000]) {
      exec.scenario.startTime = start - elapsed;
      scenario.iteration();
      levels.push(exec.vu.metrics.tags.level);
    }
    expect(levels).toEqual(['10', '10', '20', '30', '30']);
  });

  it('handleSummary, which k6 never calls there, still gives what the first VU gives', () => {
    globals.__ENV = { TPS: '5', SUMMARY_PATH: 'none' };
    exec.test.options.tags = { run_id: 'from-options' };
    const data = { state: { testRunDurationMs: 1000 }, metrics: { http_reqs: { type: 'counter', contains: 'default', values: { count: 5, rate: 5 } } } } as const;
    const first = defineScenario(CONSTANT).handleSummary(data);
    globals.__VU = 2;
    expect(defineScenario(CONSTANT).handleSummary(data)).toEqual(first);
  });
});

// k6 runs setup() once, in a VU with `__VU` 0, and passes its JSON-copied result to every
// iteration of every VU; those VUs then need neither the plan nor the variables it parsed.
describe('setup() data: planned once, iterated everywhere', () => {

  it('is plain JSON without the token, and a later VU sends from it what the first VU sends', () => {
    const env = { BASE_URL: 'http://127.0.0.1:9999', MIX: 'predict:1,health:1', AUTH_TOKEN: ' tok ', REQUEST_TIMEOUT: '3s', CHECKS: 'true' };
    globals.__ENV = env;
    const first = defineScenario(CONSTANT);
    const data = JSON.parse(JSON.stringify(first.setup()));
    expect(data).toEqual({
      k6capacity: 1,
      requests: [
        { name: 'predict', method: 'POST', url: 'http://127.0.0.1:9999/predict', body: '{"features":[0.42,1.7,3.14,2.72]}', headers: { 'Content-Type': 'application/json' } },
        { name: 'health', method: 'GET', url: 'http://127.0.0.1:9999/health', body: null, headers: null },
      ],
      bounds: [0.5, 1],
      timeout: '3s',
      checks: true,
      auth: true,
      levels: null,
    });
    const expected = sent(() => first.iteration());
    expect(expected.requests[0]?.params).toEqual({ headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok' }, timeout: '3s' });

    // Only AUTH_TOKEN is read in a later VU: a variable that would stop the run is not even parsed.
    globals.__ENV = { AUTH_TOKEN: ' tok ', TPS: 'abc', MIX: 'nonsense' };
    globals.__VU = 3;
    const later = defineScenario(CONSTANT);
    expect(exec.test.aborts).toEqual([]);
    expect(sent(() => later.iteration(data))).toEqual(expected);
    expect(expected.checks).toBe(draws.length);
  });

  it('one plain GET is sent as it is; a token read in the VU still adds its header', () => {
    globals.__ENV = { BASE_URL: 'http://127.0.0.1:9999', MIX: 'health', AUTH_TOKEN: 'tok' };
    const data = JSON.parse(JSON.stringify(defineScenario(CONSTANT).setup()));
    globals.__VU = 5;
    globals.__ENV = {};
    defineScenario(CONSTANT).iteration(data);
    const withoutToken = { ...data, auth: false };
    const scenario = defineScenario(CONSTANT);
    scenario.iteration(withoutToken);
    scenario.iteration(withoutToken);
    globals.__ENV = { AUTH_TOKEN: 'tok' };
    defineScenario(CONSTANT).iteration(data);
    expect(requests).toEqual([
      // AUTH_TOKEN set where planned but not in this VU's environment: nothing to send.
      { method: 'GET', url: 'http://127.0.0.1:9999/health', body: null, params: undefined },
      { method: 'GET', url: 'http://127.0.0.1:9999/health', body: null, params: undefined },
      { method: 'GET', url: 'http://127.0.0.1:9999/health', body: null, params: undefined },
      { method: 'GET', url: 'http://127.0.0.1:9999/health', body: null, params: { headers: { Authorization: 'Bearer tok' } } },
    ]);
  });

  it('carries the stress schedule\'s levels, and a later VU re-tags itself by them', () => {
    globals.__ENV = { START_RATE: '10', STEP: '10', MAX_RATE: '30', STEP_DURATION: '10s', RAMP_DURATION: '0s', MIX: 'health' };
    const data = JSON.parse(JSON.stringify(defineScenario(STRESS).setup()));
    // Stages: 10 s at 10, jump to 20, 10 s at 20, jump to 30, 10 s at 30; then 30 for good.
    expect(data.levels).toEqual({ ends: [10, 10, 20, 20, 30], tags: ['10', '20', '20', '30', '30', '30'] });
    globals.__ENV = {};
    globals.__VU = 2;
    const scenario = defineScenario(STRESS);
    const start = Date.now();
    const levels: unknown[] = [];
    for (const elapsed of [0, 9_000, 10_500, 25_000, 40_000]) {
      exec.scenario.startTime = start - elapsed;
      scenario.iteration(data);
      levels.push(exec.vu.metrics.tags.level);
    }
    expect(levels).toEqual(['10', '10', '20', '30', '30']);
  });
});

describe('splitEntry: the outer part of a bundle (scripts/build.ts)', () => {
  const inner = () => {
    const calls: string[] = [];
    return {
      calls,
      load: () => {
        calls.push('load');
        return {
          options: { tags: { run_id: 'r' } },
          setup: () => ({ k6capacity: 1, requests: [{ name: 'health', method: 'GET', url: 'http://127.0.0.1:9999/health', body: null, headers: null }], bounds: [1], timeout: null, checks: false, auth: false, levels: null }),
          default: (data?: unknown) => void calls.push(`default ${JSON.stringify(data)}`),
          handleSummary: () => ({ stdout: 'summary' }),
        };
      },
    };
  };

  it('loads the scenario\'s own bundle in the first VU only', () => {
    const first = inner();
    expect(splitEntry(first.load).options).toEqual({ tags: { run_id: 'r' } });
    expect(first.calls).toEqual(['load']);

    globals.__VU = 4;
    globals.__ENV = {};
    const later = inner();
    const entry = splitEntry(later.load);
    expect(entry.options).toEqual({});
    entry.iteration(first.load().setup());
    entry.iteration(first.load().setup());
    expect(later.calls).toEqual([]);
    expect(requests).toEqual([
      { method: 'GET', url: 'http://127.0.0.1:9999/health', body: null, params: undefined },
      { method: 'GET', url: 'http://127.0.0.1:9999/health', body: null, params: undefined },
    ]);
  });

  it('hands other data, or none (k6 run --no-setup), to the scenario\'s own default function, loaded once', () => {
    globals.__VU = 4;
    const later = inner();
    const entry = splitEntry(later.load);
    entry.iteration();
    entry.iteration();
    expect(later.calls).toEqual(['load', 'default undefined', 'default undefined']);
    expect(entry.handleSummary({ state: { testRunDurationMs: 1 }, metrics: {} })).toEqual({ stdout: 'summary' });
  });

  it('k6Require: named exports first, else the default export\'s property, read when used; no own keys to copy', () => {
    let reads = 0;
    const execution = {
      default: {
        get test() {
          reads++;
          return { abort: 'abort' };
        },
      },
    };
    const require = k6Require({ 'k6/execution': execution, k6: { check: 'named check', default: { check: 'default check' } } });
    const exec = require('k6/execution') as { test: unknown };
    expect(Object.getOwnPropertyNames(exec)).toEqual([]);
    expect(reads).toBe(0);
    expect(exec.test).toEqual({ abort: 'abort' });
    expect(reads).toBe(1);
    expect((require('k6') as { check: unknown }).check).toBe('named check');
    expect(() => require('k6/ws')).toThrow('split bundle: `k6/ws` is not among the k6 modules it imports');
  });
});
