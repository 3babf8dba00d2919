/// <reference types="k6" />
/**
 * The thin adapter between a plan and k6: it reads `__ENV`, aborts the run on bad configuration,
 * and returns what a scenario file exports (`options`, `setup`, the default function, `handleSummary`).
 * Everything it calls is pure and tested on its own; this file is exercised by real k6 runs.
 */
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import type { Schema } from '../config.ts';
import { ScenarioError } from '../errors.ts';
import { iterationData, type IterationData } from '../iteration.ts';
import { planIterations, planScenario, type Plan, type ScenarioDefinition } from '../plan.ts';
import { buildSummary, formatTextSummary, type SummaryData } from '../summary.ts';
import { iterationFrom, iterationOf } from './iterate.ts';

export interface ScenarioModule {
  readonly options: Options;
  /** Plans what an iteration needs, once, in k6's first VU; k6 passes it to every iteration. */
  readonly setup: () => IterationData;
  readonly iteration: (data?: unknown) => void;
  readonly handleSummary: (data: SummaryData) => Record<string, string>;
}

export function defineScenario<S extends Schema>(definition: ScenarioDefinition<S>): ScenarioModule {
  // k6 runs this init code in every VU but reads `options` from its first instance alone (`__VU` 0,
  // which also runs setup() and handleSummary); it validates the environment, and stops the run on
  // a problem before any other VU starts. The VUs that iterate (`__VU` ≥ 1) get what an iteration
  // needs from setup()'s data and build nothing here. (In the bundles they do not even run this:
  // scripts/build.ts keeps it in a function that only the first VU calls.)
  const first = typeof __VU !== 'number' || __VU === 0;
  const plan = first ? load(() => fullPlan(definition)) : null;
  const planned = () => plan ?? load(() => fullPlan(definition));
  return {
    options: plan?.options ?? {},
    setup: () => iterationData(planned()),
    iteration: iterationFrom(() => iterationOf(iterationData(plan ?? load(() => planIterations(definition, __ENV))), __ENV).iteration),
    handleSummary: (data) => summaryHandler(planned())(data),
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
