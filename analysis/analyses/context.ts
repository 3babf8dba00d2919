/**
 * What every analysis is given: the loaded runs, the tables built from them once (arquero), the
 * sweeps, and the options of the command. An analysis is a pure function of this context that
 * returns a section, or `null` when it does not apply (analysis/analyses/index.ts lists them).
 */
import type { ColumnTable } from 'arquero';
import type { Analysis } from '../analyze.ts';
import type { InputReport } from '../ingest/problems.ts';
import type { SloFlags } from '../model/slo.ts';
import { sweepsOf, type Sweep } from '../model/sweeps.ts';
import { endpointsTable, runsTable, usageTable } from '../model/tables.ts';
import type { Section } from '../report/section.ts';

export interface ReportOptions {
  /** `--slo-p95-ms`, `--slo-p99-ms`, `--slo-error-rate`. */
  readonly slo?: SloFlags;
  /** `--warmup D`: the part of each level left out of its steady state; default: model/steady.ts's rule. */
  readonly warmupMs?: number | undefined;
  /** `--target-rate N`: the rate a tier must hold to count as big enough (vertical scaling). */
  readonly targetRate?: number | undefined;
  /** How a file is shown (relative to the report, so a run directory moves with its report); default as read. */
  readonly path?: (file: string) => string;
}

export interface AnalysisContext {
  readonly analysis: Analysis;
  readonly options: ReportOptions;
  /** The inputs with their paths (and the paths in their messages) as the report shows them. */
  readonly inputs: readonly InputReport[];
  readonly sweeps: readonly Sweep[];
  /** model/tables.ts `runsTable`: one row per run, whole-run and steady-state numbers. */
  readonly runs: ColumnTable;
  /** Per run per endpoint (steady window). */
  readonly endpoints: ColumnTable;
  /** Per run per time bucket (model/tables.ts `seriesTable`). */
  readonly series: ColumnTable;
  /** Per run per pod (and k6): CPU and memory while the run sent load. */
  readonly usage: ColumnTable;
}

export interface AnalysisDefinition {
  readonly id: string;
  readonly run: (context: AnalysisContext) => Section | null;
}

export function analysisContext(analysis: Analysis, options: ReportOptions = {}): AnalysisContext {
  const sweeps = sweepsOf(analysis.runs, analysis.manifests);
  const sweepOf = new Map(sweeps.flatMap((sweep) => sweep.runs.map((run) => [run, sweep.id] as const)));
  const shown = options.path ?? ((file: string) => file);
  const inputs = analysis.inputs.map((input) => {
    const path = shown(input.path);
    const swap = (message: string): string => message.split(input.path).join(path);
    return {
      ...input,
      path,
      problems: input.problems.map((problem) => ({ ...problem, message: swap(problem.message) })),
      ...(input.skipped_reason === undefined ? {} : { skipped_reason: swap(input.skipped_reason) }),
    };
  });
  return {
    analysis,
    options,
    inputs,
    sweeps,
    runs: runsTable(analysis.runs, { warmupMs: options.warmupMs, sweepOf: (run) => sweepOf.get(run.id) ?? null }),
    endpoints: endpointsTable(analysis.runs, { warmupMs: options.warmupMs }),
    series: analysis.tables.series(),
    usage: usageTable(analysis.runs),
  };
}

/** The runs table's rows as objects (arquero's `objects()`, typed for the columns analyses read). */
export interface RunRow {
  readonly run: string;
  readonly label: string;
  readonly sweep: string | null;
  readonly target: string | null;
  readonly scenario: string | null;
  readonly level: number | null;
  readonly replicas: number | null;
  readonly status: string;
  readonly source: 'raw' | 'summary' | 'none';
  readonly duration_s: number | null;
  readonly requests: number;
  readonly error_rate: number | null;
  readonly rps: number | null;
  readonly dropped_iterations: number;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
  readonly steady_s: number | null;
  readonly warmup_s: number | null;
  readonly steady_requests: number | null;
  readonly steady_rps: number | null;
  readonly steady_error_rate: number | null;
  readonly steady_dropped: number | null;
  readonly steady_iterations: number | null;
  readonly steady_p50_ms: number | null;
  readonly steady_p95_ms: number | null;
  readonly steady_p99_ms: number | null;
  readonly achieved_share: number | null;
  readonly loadgen_cpu_m: number | null;
  readonly loadgen_cpu_limited: boolean;
  readonly out_of_vus: 'pool' | 'target' | null;
  readonly iteration_ms: number | null;
  readonly slo_p95_ms: number | null;
  readonly slo_p99_ms: number | null;
  readonly slo_error_rate: number | null;
  readonly thresholds: string;
}

export function runRows(context: AnalysisContext): RunRow[] {
  return context.runs.objects() as RunRow[];
}
