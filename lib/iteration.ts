/**
 * What an iteration needs, as plain JSON: k6's first VU plans the run and returns this from
 * `setup()`; k6 hands it to every VU's default function, which builds its senders from it at its
 * first iteration (lib/k6/iterate.ts). So the VUs that only iterate never run the planning code:
 * every object a script creates in a VU stays live there for the whole run, and the Go garbage
 * collector scanning hundreds of VUs' worth of it costs the load generator CPU (npm run bench --
 * lib-overhead).
 */
import { mixTable } from './mix.ts';
import type { IterationPlan } from './plan.ts';
import { levelTable, type LevelTable } from './schedule.ts';

/** Tells setup data of ours from a foreign script's; bumped when the shape changes. */
export const ITERATION_DATA_VERSION = 1;

export interface RequestData {
  readonly name: string;
  readonly method: string;
  readonly url: string;
  readonly body: string | null;
  /** The request's own headers, without `Authorization` (null when none). */
  readonly headers: Readonly<Record<string, string>> | null;
}

export interface IterationData {
  readonly k6capacity: typeof ITERATION_DATA_VERSION;
  /** The requests of the mix with weight > 0, in the mix's order, with their cumulative shares. */
  readonly requests: readonly RequestData[];
  readonly bounds: readonly number[];
  /** A timeout other than k6's default, as k6 reads it (`3s`). */
  readonly timeout: string | null;
  readonly checks: boolean;
  /**
   * Whether `AUTH_TOKEN` is set. The token itself stays out of setup data, which k6 shows in places
   * (its REST API, handleSummary's `setup_data`): each VU reads it from its environment.
   */
  readonly auth: boolean;
  /** Where `level` follows the schedule (ramp, stress), its stages; else `null`. */
  readonly levels: LevelTable | null;
}

export function iterationData(plan: IterationPlan): IterationData {
  const { names, bounds } = mixTable(plan.mix.entries);
  const requests = names.map((name): RequestData => {
    const spec = plan.catalog[name];
    if (spec === undefined) throw new Error(`iteration: \`${name}\` is not in the catalog`);
    const headers = spec.headers !== undefined && Object.keys(spec.headers).length > 0 ? { ...spec.headers } : null;
    return { name, method: spec.method, url: plan.baseUrl + spec.path, body: spec.body ?? null, headers };
  });
  return {
    k6capacity: ITERATION_DATA_VERSION,
    requests,
    bounds,
    timeout: plan.requestTimeout?.text ?? null,
    checks: plan.checks,
    auth: plan.authToken !== undefined,
    levels: plan.levelSchedule === null ? null : levelTable(plan.levelSchedule),
  };
}

export function isIterationData(value: unknown): value is IterationData {
  return typeof value === 'object' && value !== null && (value as { k6capacity?: unknown }).k6capacity === ITERATION_DATA_VERSION;
}
