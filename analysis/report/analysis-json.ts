/**
 * `analysis.json`, schemaVersion 2 (DESIGN.md): version 1's inputs, runs and findings, plus the sweeps
 * and, from the report's sections, each section's data under the section's id (`capacity`,
 * `comparisons`, `endpoints`, `resources`). Numbers are numbers; what is unknown is `null`.
 */
import type { AnalysisContext } from '../analyses/context.ts';
import type { Finding } from '../findings.ts';
import type { InputReport } from '../ingest/problems.ts';
import type { Run, RunNumbers } from '../model/run.ts';
import type { Sweep } from '../model/sweeps.ts';
import { findingsOf, sectionsOf, type Report } from './section.ts';
import { plain } from './text.ts';

export const ANALYSIS_SCHEMA_VERSION = 2;

/** How latency percentiles are computed, stated in every analysis.json and report. */
export const PERCENTILE_METHOD =
  "percentiles of raw k6 samples come from mergeable log-bucketed histograms (DDSketch) with R-7 interpolation (k6's own definition of p(N)): " +
  "a run's and a tag set's come from whole-run histograms of relative accuracy 0.1% (every estimate within 0.1% of the exact value), " +
  "those of a time bucket, a window or the steady state from per-bucket histograms of relative accuracy 0.5% (within 0.5%); " +
  "runs known only from a k6 summary use k6's exact values";

export interface AnalysisJson {
  readonly schemaVersion: typeof ANALYSIS_SCHEMA_VERSION;
  readonly generated_at: string;
  readonly tool: { readonly name: 'k6-capacity'; readonly version: string };
  readonly percentile_method: string;
  readonly inputs: readonly InputReport[];
  readonly runs: readonly AnalysisRun[];
  readonly findings: readonly FindingJson[];
  readonly sweeps: readonly Sweep[];
  readonly [section: string]: unknown;
}

/** A finding with its text written out. */
export type FindingJson = Omit<Finding, 'title' | 'detail'> & { readonly title: string; readonly detail: string };

/** A run in analysis.json: what identifies it, its key numbers, and what k6 judged. */
export type AnalysisRun = Pick<Run, 'id' | 'label' | 'scenario' | 'target' | 'level' | 'levels' | 'replicas' | 'status' | 'instances' | 'files'> &
  RunNumbers & {
    readonly sweep: string | null;
    readonly planned_iterations: number | null;
    /** The run's time bucket, s: 1, or coarser for a long run (ingest/aggregate.ts); `null` without raw samples. */
    readonly bucket_s: number | null;
    readonly thresholds: readonly { readonly metric: string; readonly expression: string; readonly ok: boolean }[];
  };

export function toAnalysisJson(context: AnalysisContext, report: Report, options: { toolVersion: string; now?: Date }): AnalysisJson {
  const { toolVersion, now = new Date() } = options;
  const { analysis } = context;
  const sweepOf = new Map(context.sweeps.flatMap((sweep) => sweep.runs.map((run) => [run, sweep.id] as const)));
  // A section's data goes under its id; a dotted id nests (`scaling.vertical` → scaling: { vertical }).
  const sections: Record<string, unknown> = {};
  for (const section of sectionsOf(report)) {
    if (section.data === null || section.data === undefined) continue;
    const [head, ...rest] = section.id.split('.') as [string, ...string[]];
    if (rest.length === 0) sections[head] = section.data;
    else sections[head] = { ...(sections[head] as Record<string, unknown> | undefined), [rest.join('.')]: section.data };
  }
  return {
    schemaVersion: ANALYSIS_SCHEMA_VERSION,
    generated_at: now.toISOString(),
    tool: { name: 'k6-capacity', version: toolVersion },
    percentile_method: PERCENTILE_METHOD,
    inputs: context.inputs,
    runs: analysis.results.map(({ run, numbers }) => ({
      id: run.id,
      label: run.label,
      sweep: sweepOf.get(run.id) ?? null,
      scenario: run.scenario,
      target: run.target,
      level: run.level,
      levels: run.levels,
      replicas: run.replicas,
      status: run.status,
      start: numbers.start,
      end: numbers.end,
      duration_s: numbers.duration_s,
      requests: numbers.requests,
      failed_requests: numbers.failed_requests,
      error_rate: numbers.error_rate,
      rps: numbers.rps,
      iterations: numbers.iterations,
      dropped_iterations: numbers.dropped_iterations,
      planned_iterations: run.plannedIterations,
      bucket_s: run.aggregator === null ? null : run.aggregator.bucketMs / 1000,
      latency_ms: numbers.latency_ms,
      source: numbers.source,
      instances: run.instances,
      files: run.files.map(context.options.path ?? ((file: string) => file)),
      thresholds: run.summary?.thresholds ?? [],
    })),
    findings: findingsOf(report).map((finding) => ({ ...finding, title: plain(finding.title), detail: plain(finding.detail) })),
    sweeps: context.sweeps,
    ...sections,
  };
}
