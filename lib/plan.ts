/**
 * From environment to a runnable plan: the configuration every scenario shares, the scenario's own
 * variables, its schedule, and the k6 options (executor, thresholds, tags). Pure, so every scenario's
 * options are unit-tested without k6; `lib/k6/scenario.ts` only wires the plan to k6's APIs.
 */
import type { Options } from 'k6/options';
import {
  booleanField,
  durationField,
  numberField,
  optional,
  readConfig,
  stringField,
  urlField,
  type ConfigOf,
  type Duration,
  type Env,
  type Field,
  type Schema,
} from './config.ts';
import { DEFAULT_VU_LIMIT, k6Scenario, vuSizing, type VuSizing } from './executors.ts';
import { mixField, weightedMix, type Mix } from './mix.ts';
import { SAMPLE_SERVICE_REQUESTS, type Catalog } from './requests.ts';
import { peakRate, plannedIterations, totalSeconds, type RateStage, type ScenarioKind, type Schedule } from './schedule.ts';
import { SUMMARY_TREND_STATS, type RunInfo } from './summary.ts';
import { levelTag, newRunId, targetOfUrl } from './tags.ts';
import { sloThresholds, type AbortPolicy, type Slo } from './thresholds.ts';

/** Where `npm run sample-service` listens by default. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:18080';


/** Defaults a scenario may change for the shared variables (soak runs for an hour, not a minute). */
export interface CommonDefaults {
  readonly TPS?: string;
  readonly DURATION?: string;
}

/**
 * The variables an iteration reads: all that a VU other than k6's first needs (`planIterations`).
 * Built apart from the others so such a VU does not build and parse them.
 */
export function iterationFields() {
  const catalog = Object.keys(SAMPLE_SERVICE_REQUESTS);
  return {
    BASE_URL: urlField({ fallback: DEFAULT_BASE_URL, doc: 'Base URL of the service under test' }),
    MIX: mixField(catalog, {
      fallback: 'predict:80,health:10,metrics:10',
      doc: `Weighted request mix, \`name:weight\` pairs from ${catalog.map((name) => `\`${name}\``).join(', ')}`,
    }),
    REQUEST_TIMEOUT: optional(durationField({ doc: "Per-request timeout; default: k6's (60s)" })),
    CHECKS: booleanField({
      fallback: 'false',
      doc: 'Also record a k6 check (status is 2xx) per response; `http_req_failed` counts failed responses either way',
    }),
    AUTH_TOKEN: optional(stringField({ doc: 'Sent as `Authorization: Bearer …`; never written to summaries or logs' })),
  } satisfies Schema;
}

export function commonFields(defaults: CommonDefaults = {}) {
  const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
  const { BASE_URL, MIX, REQUEST_TIMEOUT, CHECKS, AUTH_TOKEN } = iterationFields();
  return {
    BASE_URL,
    TPS: numberField({ min: 0, exclusiveMin: true, fallback: defaults.TPS ?? '10', doc: 'Target rate in iterations (requests) per second: constant, soak, and ramp without `STAGES`' }),
    DURATION: durationField({ fallback: defaults.DURATION ?? '1m', doc: 'How long constant holds the rate, soak\'s steady part, ramp\'s length without `STAGES`' }),
    MIX,
    TARGET: optional(stringField({ pattern: RUN_ID, expected: 'letters, digits, `.`, `_` or `-`', doc: '`target` tag; default: host:port of `BASE_URL`' })),
    RUN_ID: optional(stringField({ pattern: RUN_ID, expected: 'letters, digits, `.`, `_` or `-` (at most 128)', doc: '`run_id` tag; default: UTC start time and a random suffix' })),
    SLO_P95_MS: numberField({ min: 0, exclusiveMin: true, fallback: '500', doc: 'SLO: p95 of `http_req_duration` below this many ms' }),
    SLO_P99_MS: optional(numberField({ min: 0, exclusiveMin: true, doc: 'SLO: p99 of `http_req_duration` below this many ms (off when unset)' })),
    SLO_ERROR_RATE: numberField({ min: 0, max: 1, fallback: '0.01', doc: 'SLO: share of failed requests below this' }),
    EXPECTED_LATENCY_MS: numberField({ min: 0, exclusiveMin: true, fallback: '100', doc: 'Expected response time, sizes the VU pool' }),
    PRE_ALLOCATED_VUS: optional(numberField({ min: 1, integer: true, doc: 'VUs allocated before the start; default: 1.5 × rate × expected latency' })),
    MAX_VUS: optional(numberField({ min: 1, integer: true, doc: 'VU ceiling; default: max(10 × rate × expected latency, 20), at most `VU_LIMIT`' })),
    VU_LIMIT: numberField({
      min: 1,
      integer: true,
      fallback: String(DEFAULT_VU_LIMIT),
      doc: 'Largest VU pool (pre-allocated and maximum) a run may ask for; k6 needs about 0.5 MB per VU',
    }),
    REQUEST_TIMEOUT,
    CHECKS,
    AUTH_TOKEN,
    SUMMARY_PATH: stringField({ fallback: 'summary.json', doc: 'Where `handleSummary` writes the JSON summary (`none`: nowhere); the folder must exist' }),
  } satisfies Schema;
}

type CommonSchema = ReturnType<typeof commonFields>;
export type CommonConfig = ConfigOf<CommonSchema>;

export interface ScenarioDefinition<S extends Schema> {
  readonly kind: ScenarioKind;
  /** The scenario's own variables. */
  readonly fields: S;
  readonly defaults?: CommonDefaults;
  readonly schedule: (config: CommonConfig & ConfigOf<S>) => Schedule;
  readonly abortPolicy?: (config: CommonConfig & ConfigOf<S>) => AbortPolicy;
}

/** What an iteration needs: the requests, and the schedule where the `level` tag follows it. */
export interface IterationPlan {
  readonly baseUrl: string;
  readonly mix: Mix;
  readonly catalog: Catalog;
  /** True when `level` changes during the run and the VU must re-tag itself (ramp, stress). */
  readonly dynamicLevel: boolean;
  /** The schedule for a dynamic level, else `null`: an iteration needs no other part of it. */
  readonly levelSchedule: Schedule | null;
  readonly requestTimeout: Duration | undefined;
  readonly checks: boolean;
  readonly authToken: string | undefined;
}

export interface Plan extends IterationPlan {
  readonly kind: ScenarioKind;
  readonly schedule: Schedule;
  readonly options: Options;
  readonly run: RunInfo;
  /** `null` when the summary file is switched off. */
  readonly summaryPath: string | null;
}

/** Identity, so TypeScript infers the config type of `schedule` from `fields`. */
export function scenarioDefinition<S extends Schema>(definition: ScenarioDefinition<S>): ScenarioDefinition<S> {
  return definition;
}

export function scenarioSchema<S extends Schema>(definition: ScenarioDefinition<S>): CommonSchema & S {
  return { ...commonFields(definition.defaults), ...definition.fields };
}

/**
 * Reads and validates the environment, then derives everything a run needs. Throws `ScenarioError`
 * (every problem listed) before anything is sent, including a VU pool over `VU_LIMIT` at the
 * schedule's peak rate: k6 would allocate it before the first request, so the sweep calls this to
 * refuse such a level before starting k6, and inside k6 it stops the run in the init context.
 */
export function planScenario<S extends Schema>(
  definition: ScenarioDefinition<S>,
  env: Env,
  clock: { now: Date; random: number },
): Plan {
  const config = readConfig(env, scenarioSchema(definition)) as CommonConfig & ConfigOf<S>;
  const schedule = definition.schedule(config);
  const peak = peakRate(schedule);
  const vus: VuSizing = vuSizing({
    peakRate: peak,
    expectedLatencyMs: config.EXPECTED_LATENCY_MS,
    preAllocatedVUs: config.PRE_ALLOCATED_VUS,
    maxVUs: config.MAX_VUS,
    vuLimit: config.VU_LIMIT,
  });
  const slo: Slo = { p95Ms: config.SLO_P95_MS, p99Ms: config.SLO_P99_MS, errorRate: config.SLO_ERROR_RATE };
  const dynamicLevel = definition.kind === 'ramp' || definition.kind === 'stress';
  const level = dynamicLevel ? null : peak;
  const runId = config.RUN_ID ?? newRunId(clock.now, clock.random);
  const target = config.TARGET ?? targetOfUrl(config.BASE_URL);
  const tags: Record<string, string> = { run_id: runId, target };
  if (level !== null) tags.level = levelTag(level);

  const options: Options = {
    scenarios: { [definition.kind]: k6Scenario(schedule, vus) },
    thresholds: sloThresholds(slo, definition.abortPolicy?.(config) ?? { abortOnFail: false }),
    tags,
    summaryTrendStats: SUMMARY_TREND_STATS,
    // Only statuses are checked; not keeping bodies saves the generator memory and CPU.
    discardResponseBodies: true,
  };

  const run: RunInfo = {
    run_id: runId,
    target,
    scenario: definition.kind,
    level,
    base_url: config.BASE_URL,
    schedule: {
      start_rate: schedule.startRate,
      stages: schedule.stages.map((stage) => ({ duration: stage.duration.text, seconds: stage.duration.seconds, target: stage.target })),
      total_seconds: totalSeconds(schedule),
      planned_iterations: plannedIterations(schedule),
    },
    vus: { pre_allocated: vus.preAllocatedVUs, max: vus.maxVUs },
    slo: { p95_ms: slo.p95Ms, p99_ms: slo.p99Ms ?? null, error_rate: slo.errorRate },
    mix: config.MIX,
  };

  return {
    kind: definition.kind,
    schedule,
    options,
    run,
    baseUrl: config.BASE_URL,
    mix: weightedMix(config.MIX),
    catalog: SAMPLE_SERVICE_REQUESTS,
    dynamicLevel,
    levelSchedule: dynamicLevel ? schedule : null,
    requestTimeout: config.REQUEST_TIMEOUT,
    checks: config.CHECKS,
    authToken: config.AUTH_TOKEN,
    summaryPath: config.SUMMARY_PATH === 'none' ? null : config.SUMMARY_PATH,
  };
}

/**
 * The part of `planScenario` an iteration uses, equal to it, for the VUs that only iterate: k6 runs a
 * script's init code in every VU but reads its options from the first instance alone, which has
 * already validated the same environment with `planScenario` (and stopped the run on a problem). A
 * scenario whose level is constant reads only `iterationFields`; one whose level follows the
 * schedule (ramp, stress) needs every variable of it and reads them all.
 */
export function planIterations<S extends Schema>(definition: ScenarioDefinition<S>, env: Env): IterationPlan {
  const dynamicLevel = definition.kind === 'ramp' || definition.kind === 'stress';
  const config = dynamicLevel
    ? (readConfig(env, scenarioSchema(definition)) as CommonConfig & ConfigOf<S>)
    : readConfig(env, iterationFields());
  return {
    baseUrl: config.BASE_URL,
    mix: weightedMix(config.MIX),
    catalog: SAMPLE_SERVICE_REQUESTS,
    dynamicLevel,
    levelSchedule: dynamicLevel ? definition.schedule(config as CommonConfig & ConfigOf<S>) : null,
    requestTimeout: config.REQUEST_TIMEOUT,
    checks: config.CHECKS,
    authToken: config.AUTH_TOKEN,
  };
}

/** `duration:target` pairs such as `30s:10,1m:50`, for ramp stages. */
export function stagesField(options: { fallback?: string; doc?: string } = {}): Field<readonly RateStage[]> {
  const duration = durationField({ allowZero: true });
  const target = numberField({ min: 0 });
  return {
    ...options,
    expected: 'comma-separated `duration:rate` stages such as `30s:10,1m:50`',
    parse(raw) {
      const stages: RateStage[] = [];
      for (const part of raw.split(',')) {
        const [durationText = '', targetText = '', ...rest] = part.trim().split(':');
        const d = duration.parse(durationText.trim());
        const t = target.parse(targetText.trim());
        if (d === undefined || t === undefined || rest.length > 0) return undefined;
        stages.push({ duration: d, target: t });
      }
      return stages;
    },
  };
}
