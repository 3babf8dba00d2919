/**
 * The analysis as a library: load runs from paths, derive findings, expose arquero tables, and build
 * `analysis.json`. The `analyze` CLI and custom report scripts both start here.
 *
 *   const analysis = await analyze(['runs/sweep-1']);
 *   analysis.tables.series().filter((d) => d.p95_ms > 200).print();
 */
import type { ColumnTable } from 'arquero';
import { inputFindings, runFindings, type Finding } from './findings.ts';
import { loadRuns, type LoadOptions, type Loaded } from './model/load.ts';
import { runNumbers, type Run, type RunNumbers } from './model/run.ts';
import { eventsTable, groupsTable, replicasTable, resourcesTable, seriesTable } from './model/tables.ts';

export interface Analysis extends Loaded {
  readonly findings: readonly Finding[];
  /** Each run with its key numbers, in report order. */
  readonly results: readonly { readonly run: Run; readonly numbers: RunNumbers }[];
  readonly tables: {
    /** Per run per time bucket (1 s, coarser for long runs: `bucket_s`): requests, rps, errors, p50/p95/p99, iterations, dropped, VUs. */
    series(): ColumnTable;
    /** Per run per metric and tag set, over the whole run. */
    groups(): ColumnTable;
    /** Pod CPU and memory over time. */
    resources(): ColumnTable;
    /** HPA replicas over time. */
    replicas(): ColumnTable;
    /** Cluster events. */
    events(): ColumnTable;
  };
}

export async function analyze(paths: readonly string[], options: LoadOptions = {}): Promise<Analysis> {
  return fromLoaded(await loadRuns(paths, options));
}

function fromLoaded(loaded: Loaded): Analysis {
  const findings = [...loaded.runs.flatMap(runFindings), ...inputFindings(loaded.inputs)];
  const results = loaded.runs.map((run) => ({ run, numbers: runNumbers(run) }));
  return {
    ...loaded,
    findings,
    results,
    tables: {
      series: () => seriesTable(loaded.runs),
      groups: () => groupsTable(loaded.runs),
      resources: () => resourcesTable(loaded.runs, loaded.snapshots),
      replicas: () => replicasTable(loaded.runs, loaded.snapshots),
      events: () => eventsTable(loaded.runs, loaded.snapshots),
    },
  };
}

/**
 * Several analyses as one (the sides of a comparison, judged together for the scaling reports): the
 * loaded runs, manifests and captures side by side, nothing read again.
 */
export function mergeAnalyses(analyses: readonly Analysis[]): Analysis {
  const loaded: Loaded = {
    inputs: analyses.flatMap((a) => a.inputs),
    runs: analyses.flatMap((a) => a.runs),
    manifests: analyses.flatMap((a) => a.manifests),
    snapshots: analyses.flatMap((a) => a.snapshots),
    bucketMs: analyses[0]?.bucketMs ?? 1000,
  };
  return fromLoaded(loaded);
}
