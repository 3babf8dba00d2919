/**
 * Real k6 runs of the bundled scenarios (dist/, built by the global setup) against the sample service
 * on 127.0.0.1, each shortened to a few seconds through the environment.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoRoot } from '../../scripts/lib/cli.ts';
import { runK6, startSampleService, type RunningService } from '../../scripts/lib/processes.ts';

const k6 = inject('k6');
let service: RunningService;
let work: string;

beforeAll(async () => {
  service = await startSampleService({ replicas: 2 });
  work = mkdtempSync(path.join(os.tmpdir(), 'k6-capacity-it-'));
});

afterAll(async () => {
  await service?.stop();
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

interface Point {
  metric: string;
  type: 'Point';
  data: { time: string; value: number; tags: Record<string, string> | null };
}

function points(file: string): Point[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { type: string })
    .filter((entry): entry is Point => entry.type === 'Point');
}

async function runScenario(name: string, vars: Record<string, string>) {
  const dir = mkdtempSync(path.join(work, `${name}-`));
  const result = await runK6({
    k6,
    script: path.join(repoRoot, 'dist', `${name}.js`),
    vars: { BASE_URL: service.url, SUMMARY_PATH: path.join(dir, 'summary.json'), RUN_ID: `it-${name}`, TARGET: 'sample', ...vars },
    jsonOut: path.join(dir, 'k6.json'),
    cwd: dir,
  });
  return { result, dir, points: () => points(path.join(dir, 'k6.json')) };
}

// [scenario, shortened env, iterations the schedule offers (rate × duration, or the sum over stages)]
const cases: [string, Record<string, string>, number][] = [
  ['constant', { TPS: '20', DURATION: '5s' }, 100],
  // 4 s ramping 10 → 30: (10 + 30) / 2 × 4
  ['ramp', { START_RATE: '10', STAGES: '4s:30' }, 80],
  // 2 s at 10, 1 s ramp to 20, 2 s at 20, 1 s ramp to 30, 2 s at 30
  ['stress', { START_RATE: '10', STEP: '10', MAX_RATE: '30', STEP_DURATION: '2s', RAMP_DURATION: '1s' }, 20 + 15 + 40 + 25 + 60],
  // 2 s warm-up 0 → 20, then 3 s at 20
  ['soak', { TPS: '20', WARMUP: '2s', DURATION: '3s' }, 20 + 60],
];

describe.each(cases)('k6 run dist/%s.js', (name, vars, offered) => {
  let run: Awaited<ReturnType<typeof runScenario>>;
  beforeAll(async () => {
    run = await runScenario(name, vars);
  });

  it('exits 0 and prints the text summary', () => {
    expect(run.result.stderr).toBe('');
    expect(run.result.exitCode).toBe(0);
    expect(run.result.stdout).toMatch(new RegExp(`^k6-capacity ${name} · target sample · `));
  });

  it('sends what the schedule offers, ±10%', () => {
    const requests = run.points().filter((p) => p.metric === 'http_reqs').length;
    expect(requests).toBeGreaterThanOrEqual(Math.floor(offered * 0.9));
    expect(requests).toBeLessThanOrEqual(Math.ceil(offered * 1.1));
  });

  it('tags every http_req_duration sample with run_id, target, scenario and level', () => {
    const durations = run.points().filter((p) => p.metric === 'http_req_duration');
    expect(durations.length).toBeGreaterThan(0);
    const levels = new Set<string>();
    for (const point of durations) {
      expect(point.data.tags).toMatchObject({ run_id: `it-${name}`, target: 'sample', scenario: name });
      expect(point.data.tags?.level).toMatch(/^\d+(\.\d+)?$/);
      levels.add(point.data.tags?.level ?? '');
    }
    if (name === 'stress') expect([...levels].sort()).toEqual(['10', '20', '30']);
    if (name === 'constant' || name === 'soak') expect([...levels]).toEqual(['20']);
  });

  it('writes a summary.json that agrees with the raw output', () => {
    const summary = JSON.parse(readFileSync(path.join(run.dir, 'summary.json'), 'utf8'));
    const requests = run.points().filter((p) => p.metric === 'http_reqs').length;
    expect(summary.kind).toBe('k6-capacity-summary');
    expect(summary.run).toMatchObject({ run_id: `it-${name}`, target: 'sample', scenario: name });
    expect(summary.run.schedule.planned_iterations).toBe(offered);
    expect(summary.results.requests).toBe(requests);
    expect(summary.results.failed_requests).toBe(0);
    expect(summary.thresholds_ok).toBe(true);
  });
});

describe('failures', () => {
  it('a breached SLO gives exit code 99', async () => {
    // Nothing answers in under a microsecond, so the p95 SLO is breached for sure.
    const { result } = await runScenario('constant', { TPS: '20', DURATION: '2s', SLO_P95_MS: '0.001' });
    expect(result.exitCode).toBe(99);
    expect(result.stdout).toContain('FAIL http_req_duration p(95)<0.001');
  });

  it('stress aborts at the first SLO breach, long before its schedule ends', async () => {
    // Six steps of 5 s would offer 10·5 + … = 1050+ requests over 35 s; the abort comes after ~2 s.
    const { result, points } = await runScenario('stress', {
      START_RATE: '10', STEP: '10', MAX_RATE: '60', STEP_DURATION: '5s', RAMP_DURATION: '1s', ABORT_DELAY: '0s', SLO_P95_MS: '0.001',
    });
    expect(result.exitCode).toBe(99);
    expect(result.stderr).toContain('thresholds on metrics \'http_req_duration\' were crossed');
    expect(points().filter((p) => p.metric === 'http_reqs').length).toBeLessThan(200);
  });

  // Without setup() the VUs get no plan from it: each builds its iteration itself, and sends the same.
  it('k6 run --no-setup still sends the mix, checked, as the schedule offers', async () => {
    const dir = mkdtempSync(path.join(work, 'no-setup-'));
    const result = await runK6({
      k6,
      script: path.join(repoRoot, 'dist', 'constant.js'),
      vars: { BASE_URL: service.url, SUMMARY_PATH: 'none', TPS: '20', DURATION: '3s', MIX: 'health:1,ready:1', CHECKS: 'true' },
      jsonOut: path.join(dir, 'k6.json'),
      extraArgs: ['--no-setup'],
      cwd: dir,
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const sent = points(path.join(dir, 'k6.json')).filter((p) => p.metric === 'http_reqs');
    expect(sent.length).toBeGreaterThanOrEqual(54);
    expect(sent.length).toBeLessThanOrEqual(66);
    expect(new Set(sent.map((p) => p.data.tags?.name))).toEqual(new Set([`${service.url}/health`, `${service.url}/ready`]));
    expect(points(path.join(dir, 'k6.json')).filter((p) => p.metric === 'checks').length).toBe(sent.length);
  });

  it('TPS=abc stops k6 before any request, naming TPS', async () => {
    const { result, dir } = await runScenario('constant', { TPS: 'abc' });
    expect(result.exitCode).toBe(108);
    expect(result.stderr).toContain('test aborted: config: `TPS` is `abc`: expected a number > 0');
    // k6 stopped in the init context: it never opened its output, let alone sent a request.
    expect(() => readFileSync(path.join(dir, 'k6.json'))).toThrow('ENOENT');
  });

  // A VU pool past VU_LIMIT is refused in the init context of the one VU k6 starts to read the
  // options, before it allocates the pool; unbounded, `TPS=1e9` took k6 to 12.8 GB in 35 s.
  // Stress climbs to MAX_RATE by STEP, so STEP is large enough to keep its schedule to ten steps.
  it.each([
    ['constant', { TPS: '1e9' }],
    ['stress', { START_RATE: '10', STEP: '1e8', MAX_RATE: '1e9' }],
  ])('%s: a peak rate of 1e9/s stops k6 with 108 before any VU is allocated', async (name, vars) => {
    const { result, dir } = await runScenario(name, vars);
    expect(result.exitCode).toBe(108);
    expect(result.stderr).toContain(`could not initialize '${path.join(repoRoot, 'dist', `${name}.js`)}'`);
    expect(result.stderr).toContain(
      'test aborted: executor: a peak rate of `1000000000`/s with `EXPECTED_LATENCY_MS` `100` needs 150000000 pre-allocated VUs ' +
        '(1.5 × rate × latency): expected at most 1500 (`VU_LIMIT`); lower the rate or `EXPECTED_LATENCY_MS`, ' +
        'set `PRE_ALLOCATED_VUS` and `MAX_VUS` to at most 1500, or raise `VU_LIMIT` if the load generator has the memory (about 0.5 MB per VU)',
    );
    // Neither the output k6 opens when the test starts nor the summary it writes at the end exists,
    // and no summary was printed: the run never began, so no request was sent.
    expect(readdirSync(dir)).toEqual([]);
    expect(result.stdout).toBe('');
  });
});
