/**
 * The analysis toolkit's public API, for notebook-like custom reports:
 *
 *   import { analyze, analysisContext, analysisReport, capacityAnalysis, writeReport } from './analysis/index.ts';
 *   const analysis = await analyze(['runs/sweep-1']);
 *   const context = analysisContext(analysis, { slo: { p95Ms: 50 } });
 *   const report = { title: 'Checkout capacity', cells: [{ kind: 'section', section: capacityAnalysis.run(context) }] };
 *   await writeReport('runs/sweep-1/custom', report, context, { toolVersion: 'mine' });
 *
 * writeReport writes report.md, report.html, report.ipynb, analysis.json and junit.xml; examples/
 * holds two such scripts.
 */
export { analyze, mergeAnalyses, type Analysis } from './analyze.ts';
export { AnalysisError, type AnalysisErrorCode } from './errors.ts';
export { FINDING_KINDS, finding, inputFindings, runFindings, type Finding, type Severity } from './findings.ts';
export { Aggregator, groupTotals, type AggregatorTransfer, type BucketStats, type FoldedTagSets, type SeriesGroup } from './ingest/aggregate.ts';
export { loadK6Csv } from './ingest/k6-csv.ts';
export { loadK6Ndjson } from './ingest/k6-ndjson.ts';
export { loadK6Summary, type SummaryLoad } from './ingest/k6-summary.ts';
export type { InputReport, Problem } from './ingest/problems.ts';
export { loadRuns, type LoadOptions, type Loaded } from './model/load.ts';
export { readManifest, type Manifest, type ManifestLevel } from './model/manifest.ts';
export { loadgenNumbers, runNumbers, type LatencyMs, type Run, type RunNumbers } from './model/run.ts';
export { resolveSlo, type Slo } from './model/slo.ts';
export { endpointNumbers, steadyNumbers, windowSamples, type SteadyNumbers, type WindowSample } from './model/steady.ts';
export { sweepsOf, type Sweep } from './model/sweeps.ts';
export { endpointsTable, eventsTable, groupsTable, replicasTable, resourcesTable, runsTable, seriesTable, usageTable } from './model/tables.ts';
export { ANALYSES, analysisContext, type AnalysisContext, type AnalysisDefinition, type ReportOptions } from './analyses/index.ts';
export { capacityAnalysis, capacityOf, type Capacity } from './analyses/capacity.ts';
export { compareSides, comparisonSection, type Comparison, type CompareOptions, type Side } from './analyses/compare.ts';
export { horizontalAnalysis, horizontalScaling, replicaFamilies, type HorizontalScaling, type ScalingPoint } from './analyses/horizontal.ts';
export { hpaAnalysis, hpaTimelinesOf } from './analyses/hpa.ts';
export { rightsizingAnalysis, type Rightsizing } from './analyses/rightsizing.ts';
export { tierFamilies, verticalAnalysis, verticalScaling, type Tier, type VerticalScaling } from './analyses/vertical.ts';
export { hpaEventsFromSnapshots, hpaPointsFromSnapshots, hpaTimelines, loadChanges, type HpaPoint, type HpaTimeline } from './model/hpa.ts';
export { PERCENTILE_METHOD, toAnalysisJson, type AnalysisJson } from './report/analysis-json.ts';
export { analysisReport } from './report/build.ts';
export { chartSvg, writeCharts } from './report/charts.ts';
export { formatNumber, formatValue, type Unit } from './report/format.ts';
export { renderHtml } from './report/html.ts';
export { renderNotebook } from './report/ipynb.ts';
export { renderJunit } from './report/junit.ts';
export { renderMarkdown } from './report/markdown.ts';
export { reportMdast } from './report/mdast.ts';
export { section, type Cell, type ChartSpec, type Check, type Report, type Section, type TableSpec } from './report/section.ts';
export { code, plain, t, value, type Phrase } from './report/text.ts';
export { writeReport } from './report/write.ts';
export { parseSnapshot, readSnapshots } from './snapshots/index.ts';
export { hodgesLehmann } from './stats/hodges-lehmann.ts';
export { holm } from './stats/holm.ts';
export { kneedle } from './stats/kneedle.ts';
export { LogHistogram } from './stats/log-histogram.ts';
export { mannWhitneyU } from './stats/mann-whitney-u.ts';
export { uslFit, type UslFit, type UslPoint } from './stats/usl-fit.ts';
export { uslThroughput } from './stats/usl-throughput.ts';
