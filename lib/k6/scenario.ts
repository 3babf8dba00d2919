/// <reference types="k6" />
/**
 * The thin adapter between a plan and k6: it reads `__ENV`, aborts the run on bad configuration,
 * and returns what a scenario file exports (`options`, the default function, `handleSummary`).
 * Everything it calls is pure and tested on its own; this file is exercised by real k6 runs.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import http, { type Params } from 'k6/http';
import type { Options } from 'k6/options';
import type { Schema } from '../config.ts';
import { ScenarioError } from '../errors.ts';
import { planIterations, planScenario, type IterationPlan, type Plan, type ScenarioDefinition } from '../plan.ts';
import { levelTracker } from '../schedule.ts';
import { buildSummary, formatTextSummary, type SummaryData } from '../summary.ts';

export interface ScenarioModule {
  readonly options: Options;
  readonly iteration: () => void;
  readonly handleSummary: (data: SummaryData) => Record<string, string>;
}

/** Sends one request of the mix: a closure built once per VU with only the arguments it needs. */
type Send = () => { status: number };

const STATUS_CHECK = { 'status is 2xx': (r: { status: number }) => r.status >= 200 && r.status < 300 };

export function defineScenario<S extends Schema>(definition: ScenarioDefinition<S>): ScenarioModule {
  // k6 runs this init code in every VU but reads `options` from its first instance alone (`__VU` 0,
  // which also runs handleSummary); it validates the environment, and stops the run on a problem
  // before any other VU starts. The VUs that only iterate (`__VU` ≥ 1) build what an iteration needs
  // and nothing else: each pays this in CPU at start-up and keeps it in memory for the whole run.
  if (typeof __VU === 'number' && __VU > 0) {
    return {
      options: {},
      iteration: iterationOf(load(() => planIterations(definition, __ENV))),
      // Never called in these VUs; correct all the same.
      handleSummary: (data) => summaryHandler(load(() => fullPlan(definition)))(data),
    };
  }
  const plan = load(() => fullPlan(definition));
  return { options: plan.options, iteration: iterationOf(plan), handleSummary: summaryHandler(plan) };
}

/** The iteration: the request's sender itself when it is one request with nothing else to do. */
function iterationOf(plan: IterationPlan): () => void {
  const senders = prepareSenders(plan);
  const { mix, levelSchedule, checks } = plan;
  const active = mix.entries.filter((entry) => entry.weight > 0);
  const single = active.length === 1 ? senders[active[0]?.name ?? ''] : undefined;
  if (single !== undefined && levelSchedule === null && !checks) return single;
  const levelAtElapsed = levelSchedule === null ? null : levelTracker(levelSchedule);
  let currentLevel = '';

  // The iteration runs thousands of times a second per VU: no work in it that init could do.
  return function iteration(): void {
    if (levelAtElapsed !== null) {
      const level = levelAtElapsed((Date.now() - exec.scenario.startTime) / 1000);
      // VU tags stick to every later sample of this VU, so they only need setting on a change.
      if (level !== currentLevel) {
        exec.vu.metrics.tags.level = level;
        currentLevel = level;
      }
    }
    const response = (single ?? (senders[mix.pick(Math.random())] as Send))();
    if (checks) check(response, STATUS_CHECK);
  };
}

function summaryHandler(plan: Plan): (data: SummaryData) => Record<string, string> {
  return (data) => {
    // handleSummary runs in a fresh VU whose generated run id differs from the one in the options
    // every sample was tagged with; the consolidated options hold the real one.
    const runId = String(exec.test.options.tags?.run_id ?? plan.run.run_id);
    const summary = buildSummary(data, { ...plan.run, run_id: runId }, new Date());
    const out: Record<string, string> = { stdout: formatTextSummary(summary, plan.summaryPath) };
    if (plan.summaryPath !== null) out[plan.summaryPath] = `${JSON.stringify(summary, null, 2)}\n`;
    return out;
  };
}

function fullPlan<S extends Schema>(definition: ScenarioDefinition<S>): Plan {
  return planScenario(definition, __ENV, { now: new Date(), random: Math.random() });
}

function load<P>(plan: () => P): P {
  try {
    return plan();
  } catch (error) {
    // abort() in the init context stops k6 before any VU starts, with exit code 108 and our message.
    // k6 logs in logfmt, where a newline shows as `\n`: one line, problems separated by `; `.
    if (error instanceof ScenarioError) exec.test.abort(error.message.split('\n').join('; '));
    throw error;
  }
}

/**
 * One sender per request of the mix. k6 converts every argument of an `http` call from JS to Go on
 * every request, which costs it more CPU than the script's own code (npm run bench): a plain GET is
 * `http.get(url)`, and `params` carries only what differs from k6's defaults. The `name` tag stays
 * k6's default, the URL, which is stable because catalog paths carry no ids.
 */
function prepareSenders(plan: IterationPlan): Record<string, Send> {
  const senders: Record<string, Send> = {};
  const { get, request } = http;
  for (const entry of plan.mix.entries) {
    const spec = plan.catalog[entry.name];
    if (spec === undefined) continue;
    const headers: Record<string, string> = { ...spec.headers };
    if (plan.authToken !== undefined) headers.Authorization = `Bearer ${plan.authToken}`;
    const params: Params = {};
    if (Object.keys(headers).length > 0) params.headers = headers;
    if (plan.requestTimeout !== undefined) params.timeout = plan.requestTimeout.text;
    const url = plan.baseUrl + spec.path;
    const { method } = spec;
    const body = spec.body ?? null;
    if (Object.keys(params).length > 0) senders[entry.name] = () => request(method, url, body, params);
    else if (method === 'GET') senders[entry.name] = () => get(url);
    else senders[entry.name] = () => request(method, url, body);
  }
  return senders;
}
