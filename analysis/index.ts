/**
 * The analysis toolkit's public API, for notebook-like custom reports:
 *
 *   import { analyze, renderMarkdown } from './analysis/index.ts';
 *   const analysis = await analyze(['runs/sweep-1']);
 *   const slow = analysis.tables.series().filter((d) => d.p95_ms > 250);
 */
export { analyze, type Analysis } from './analyze.ts';
export { AnalysisError, type AnalysisErrorCode } from './errors.ts';
export { inputFindings, runFindings, type Finding, type Severity } from './findings.ts';
export { Aggregator, type BucketStats, type SeriesGroup } from './ingest/aggregate.ts';
export { loadK6Csv } from './ingest/k6-csv.ts';
export { loadK6Ndjson } from './ingest/k6-ndjson.ts';
export { loadK6Summary, type SummaryLoad } from './ingest/k6-summary.ts';
export type { InputReport, Problem } from './ingest/problems.ts';
export { loadRuns, type LoadOptions, type Loaded } from './model/load.ts';
export { readManifest, type Manifest, type ManifestLevel } from './model/manifest.ts';
export { runNumbers, type LatencyMs, type Run, type RunNumbers } from './model/run.ts';
export { eventsTable, groupsTable, replicasTable, resourcesTable, seriesTable } from './model/tables.ts';
export { PERCENTILE_METHOD, toAnalysisJson, type AnalysisJson } from './report/analysis-json.ts';
export { renderMarkdown, reportTree } from './report/markdown.ts';
export { parseSnapshot, readSnapshots } from './snapshots/index.ts';
export { LogHistogram } from './stats/log-histogram.ts';
