/**
 * From paths to runs: a sweep folder (with `manifest.json`), a level folder, a folder of bare files,
 * or single files (k6 NDJSON, CSV, summaries, kubectl captures). Data files of one run (k6-operator
 * runners, split outputs) are merged exactly; captures are tied to the runs they were taken during.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { AnalysisError } from '../errors.ts';
import { Aggregator } from '../ingest/aggregate.ts';
import { detectInput, type InputKind } from '../ingest/detect.ts';
import { loadK6Csv } from '../ingest/k6-csv.ts';
import { loadK6Ndjson } from '../ingest/k6-ndjson.ts';
import { loadK6Summary, type SummaryLoad } from '../ingest/k6-summary.ts';
import type { InputReport } from '../ingest/problems.ts';
import { readSnapshotFile, readSnapshots } from '../snapshots/index.ts';
import type { SnapshotResult } from '../snapshots/types.ts';
import { readManifest, type Manifest, type ManifestLevel } from './manifest.ts';
import { runNumbers, type Run, type RunStatus } from './run.ts';

export interface LoadOptions {
  /** Time bucket of the aggregates, ms (default 1000). */
  readonly bucketMs?: number;
  /** Problems kept per input with their line numbers (all are counted). */
  readonly keepProblems?: number;
}

export interface Loaded {
  readonly inputs: readonly InputReport[];
  readonly runs: readonly Run[];
  readonly manifests: readonly { readonly file: string; readonly manifest: Manifest }[];
  /** Captures that belong to no run's folder (given on their own, or at the top of a sweep). */
  readonly snapshots: readonly SnapshotResult[];
  readonly bucketMs: number;
}

/** Where a run's data comes from before it is loaded. */
interface RunSource {
  readonly folder: string | null;
  readonly label: string;
  readonly files: string[];
  readonly level: ManifestLevel | null;
  readonly manifest: Manifest | null;
  snapshotsDir: string | null;
}

/** Captures within this margin of a run's first and last sample are counted as taken during it. */
const SNAPSHOT_MARGIN_MS = 15_000;

const DATA_FILE = /\.(json|ndjson|jsonl|csv)(\.gz)?$|\.gz$/;

/**
 * Loads every path. Throws `AnalysisError` (with the file and line) when an input the user named is
 * unusable; problems inside usable inputs are reported, not thrown.
 */
export async function loadRuns(paths: readonly string[], options: LoadOptions = {}): Promise<Loaded> {
  const { bucketMs = 1000, keepProblems = 20 } = options;
  if (paths.length === 0) throw new AnalysisError('usage', 'analyze: no input: expected one or more files or folders');
  const sources: RunSource[] = [];
  const manifests: { file: string; manifest: Manifest }[] = [];
  const looseSnapshots: SnapshotResult[] = [];
  const looseFiles: string[] = [];
  // Each file's kind is read from its first bytes once, however many steps ask.
  const kinds = new Map<string, InputKind>();
  const detect = (file: string): InputKind => {
    let kind = kinds.get(file);
    if (kind === undefined) {
      kind = detectInput(file);
      kinds.set(file, kind);
    }
    return kind;
  };

  // Paths stay as given (relative ones too), so messages and reports show what the user typed.
  for (const given of paths) {
    if (!existsSync(given)) throw new AnalysisError('unreadable', `analyze: \`${given}\` does not exist`);
    if (statSync(given).isDirectory()) collectFolder(given, sources, manifests, looseSnapshots);
    else if (detect(given) === 'manifest') collectFolder(path.dirname(given), sources, manifests, looseSnapshots);
    else looseFiles.push(given);
  }

  const inputs: InputReport[] = [];
  const runs: Run[] = [];
  const context: LoadContext = { bucketMs, keepProblems, inputs, detect };
  for (const source of sources) runs.push(...(await loadSource(source, context)));
  // Loose files: each its own source, unless their run_id tags say they are one run.
  const loose = looseFiles.filter((file) => {
    if (detect(file) !== 'snapshot') return true;
    looseSnapshots.push(...readSnapshotFile(file));
    return false;
  });
  if (loose.length > 0) {
    const perFile = await Promise.all(
      loose.map((file) => loadSource({ folder: null, label: path.basename(file), files: [file], level: null, manifest: null, snapshotsDir: null }, context)),
    );
    runs.push(...mergeByRunId(perFile.flat()));
  }
  inputs.push(...snapshotReports(looseSnapshots));

  // Captures given on their own belong to the runs they were taken during.
  const placed = runs.map((run) => {
    const { start, end } = runNumbers(run);
    if (start === null || end === null) return run;
    const from = Date.parse(start) - SNAPSHOT_MARGIN_MS;
    const to = Date.parse(end) + SNAPSHOT_MARGIN_MS;
    const during = looseSnapshots.filter((s) => s.capturedAtMs !== null && s.capturedAtMs >= from && s.capturedAtMs <= to);
    return during.length === 0 ? run : { ...run, snapshots: [...run.snapshots, ...during] };
  });

  return { inputs, runs: sortRuns(placed), manifests, snapshots: looseSnapshots, bucketMs };
}

function collectFolder(
  folder: string,
  sources: RunSource[],
  manifests: { file: string; manifest: Manifest }[],
  snapshots: SnapshotResult[],
): void {
  const manifestFile = path.join(folder, 'manifest.json');
  if (existsSync(manifestFile)) {
    const manifest = readManifest(manifestFile);
    manifests.push({ file: manifestFile, manifest });
    for (const level of manifest.levels) {
      const dir = path.join(folder, level.id);
      const source: RunSource = { folder: dir, label: level.id, files: [], level, manifest, snapshotsDir: null };
      if (existsSync(dir)) fillFromFolder(source, dir);
      sources.push(source);
    }
    const top = path.join(folder, 'snapshots');
    if (existsSync(top)) snapshots.push(...readSnapshots(top));
    return;
  }
  const own: RunSource = { folder, label: path.basename(path.resolve(folder)), files: [], level: null, manifest: null, snapshotsDir: null };
  fillFromFolder(own, folder);
  if (own.files.length > 0) {
    sources.push(own);
    return;
  }
  // A folder of level folders without a manifest.
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name === 'report') continue;
    if (entry.name === 'snapshots') {
      snapshots.push(...readSnapshots(path.join(folder, entry.name)));
      continue;
    }
    const sub: RunSource = { folder: path.join(folder, entry.name), label: entry.name, files: [], level: null, manifest: null, snapshotsDir: null };
    fillFromFolder(sub, sub.folder as string);
    if (sub.files.length > 0) sources.push(sub);
  }
  if (sources.length === 0 && snapshots.length === 0) {
    throw new AnalysisError('no-data', `analyze: no k6 output, summary or capture in \`${folder}\``, {
      note: 'expected a sweep folder with manifest.json, a level folder with k6.json.gz or summary.json, or such files',
    });
  }
}

function fillFromFolder(source: RunSource, dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory()) {
      if (entry.name === 'snapshots') source.snapshotsDir = path.join(dir, entry.name);
      continue;
    }
    if (entry.name === 'manifest.json' || !DATA_FILE.test(entry.name)) continue;
    source.files.push(path.join(dir, entry.name));
  }
}

interface LoadContext {
  readonly bucketMs: number;
  readonly keepProblems: number;
  readonly inputs: InputReport[];
  readonly detect: (file: string) => InputKind;
}

/** Loads a source's files; returns one run per run id found in them (normally one). */
async function loadSource(source: RunSource, context: LoadContext): Promise<Run[]> {
  const aggregators: Aggregator[] = [];
  const summaries: SummaryLoad[] = [];
  const snapshots: SnapshotResult[] = [];
  const kinds = source.files.map((file) => [file, context.detect(file)] as const);
  const hasNdjson = kinds.some(([, kind]) => kind === 'k6-ndjson');
  for (const [file, kind] of kinds) {
    if (kind === 'k6-csv' && hasNdjson) {
      // Both outputs of one k6 run (`--out json --out csv`) hold the same samples: read one of them.
      context.inputs.push({
        path: file,
        format: 'k6-csv',
        lines: 0,
        skipped: 0,
        problems: [{ line: null, message: `analyze: skipped \`${file}\`: its folder has k6 NDJSON output of the same run, and reading both would count every sample twice` }],
        problems_total: 1,
      });
      continue;
    }
    switch (kind) {
      case 'k6-ndjson':
      case 'k6-csv': {
        const aggregator = new Aggregator({ bucketMs: context.bucketMs });
        const report =
          kind === 'k6-ndjson'
            ? await loadK6Ndjson(file, aggregator, { keepProblems: context.keepProblems })
            : await loadK6Csv(file, aggregator, { keepProblems: context.keepProblems });
        context.inputs.push(report);
        aggregators.push(aggregator);
        break;
      }
      case 'json-document': {
        const summary = loadK6Summary(file);
        summaries.push(summary);
        context.inputs.push({ path: file, format: summary.format, lines: 1, skipped: 0, problems: [], problems_total: 0 });
        break;
      }
      case 'snapshot':
        snapshots.push(...readSnapshotFile(file));
        break;
      case 'manifest':
        break;
      case 'empty':
        throw new AnalysisError('no-data', `analyze: \`${file}\` is empty`);
      default:
        throw new AnalysisError('unknown-format', `analyze: \`${file}\` is not a k6 output, summary or kubectl capture (line 1)`, {
          note: 'accepted: k6 --out json (NDJSON, .gz), k6 --out csv, k6 summaries, k6-capacity summary.json and manifest.json, kubectl captures',
        });
    }
  }
  if (source.snapshotsDir !== null) snapshots.push(...readSnapshots(source.snapshotsDir));
  context.inputs.push(...snapshotReports(snapshots));

  // Partition the groups by the run they carry (run_id, else k6-operator's testrun_name).
  const byRun = new Map<string, Aggregator>();
  for (const aggregator of aggregators) {
    for (const group of aggregator.groups()) {
      const id = group.tags.run_id ?? group.tags.testrun_name ?? '';
      let target = byRun.get(id);
      if (target === undefined) {
        target = new Aggregator({ bucketMs: context.bucketMs });
        byRun.set(id, target);
      }
      target.mergeGroup(group);
    }
  }
  if (byRun.size === 0) byRun.set(summaries[0]?.run?.run_id ?? '', new Aggregator({ bucketMs: context.bucketMs }));

  const runs: Run[] = [];
  for (const [runId, aggregator] of byRun) {
    const own = summaries.filter((s) => s.run?.run_id === runId);
    const candidates = own.length > 0 ? own : byRun.size === 1 ? summaries : [];
    const summary = candidates.length > 1 ? mergeRunnerSummaries(candidates) : (candidates[0] ?? null);
    const groups = aggregator.groups();
    const tagValues = (tag: string): string[] => [...new Set(groups.map((g) => g.tags[tag]).filter((v): v is string => v !== undefined))].sort();
    const levels = tagValues('level').map(Number).filter(Number.isFinite).sort((a, b) => a - b);
    const scenarios = tagValues('scenario');
    const targets = tagValues('target');
    const level = source.level?.level ?? summary?.run?.level ?? (levels.length === 1 ? (levels[0] as number) : null);
    const id = runId !== '' ? runId : (source.level?.run_id ?? source.label);
    runs.push({
      id,
      label: byRun.size === 1 ? source.label : `${source.label} · ${id}`,
      scenario: summary?.run?.scenario ?? (scenarios.length === 1 ? (scenarios[0] as string) : null) ?? source.manifest?.scenario ?? null,
      target: summary?.run?.target ?? (targets.length === 1 ? (targets[0] as string) : null) ?? source.manifest?.target.name ?? null,
      level,
      levels,
      replicas: source.level?.replicas ?? source.manifest?.target.resources?.replicas ?? null,
      status: statusOf(source.level, summary, groups.length > 0),
      statusReason: source.level?.reason ?? null,
      folder: source.folder,
      files: source.files,
      instances: tagValues('instance_id'),
      aggregator: groups.length > 0 ? aggregator : null,
      summary,
      snapshots,
      plannedIterations: summary?.run?.schedule.planned_iterations ?? null,
    });
  }
  return runs;
}

function statusOf(level: ManifestLevel | null, summary: SummaryLoad | null, hasData: boolean): RunStatus {
  if (level !== null) return level.status;
  if (summary?.thresholdsOk === false) return 'thresholds-failed';
  if (summary !== null || hasData) return summary?.thresholdsOk === true ? 'ok' : 'unknown';
  return 'unknown';
}

/**
 * The summaries of several runners of one run (k6-operator: one per runner). Each runner judged its
 * thresholds on its own share of the load, so a threshold is `ok` only if it passed on every runner;
 * counts add up; percentiles cannot be merged from summaries, so they are left out (`null`) — the
 * raw outputs, when present, give the exact ones.
 */
function mergeRunnerSummaries(summaries: readonly SummaryLoad[]): SummaryLoad {
  const first = summaries[0] as SummaryLoad;
  const thresholds = new Map<string, { metric: string; expression: string; ok: boolean }>();
  for (const summary of summaries) {
    for (const threshold of summary.thresholds) {
      const key = `${threshold.metric}\u0000${threshold.expression}`;
      const seen = thresholds.get(key);
      thresholds.set(key, { ...threshold, ok: (seen?.ok ?? true) && threshold.ok });
    }
  }
  const sum = (pick: (s: SummaryLoad) => number | null): number | null =>
    summaries.every((s) => pick(s) !== null) ? summaries.reduce((total, s) => total + (pick(s) as number), 0) : null;
  const durations = summaries.map((s) => s.durationMs).filter((d): d is number => d !== null);
  const requests = sum((s) => s.keyNumbers.requests);
  const failed = sum((s) => s.keyNumbers.failedRequests);
  const durationMs = durations.length > 0 ? Math.max(...durations) : null;
  const merged = [...thresholds.values()];
  return {
    ...first,
    path: summaries.map((s) => s.path).join(', '),
    durationMs,
    metrics: {},
    thresholds: merged,
    thresholdsOk: summaries.every((s) => s.thresholdsOk === true) ? true : summaries.some((s) => s.thresholdsOk === false) ? false : null,
    checks: null,
    keyNumbers: {
      requests,
      failedRequests: failed,
      errorRate: requests !== null && failed !== null && requests > 0 ? failed / requests : null,
      rps: requests !== null && durationMs !== null && durationMs > 0 ? requests / (durationMs / 1000) : null,
      iterations: sum((s) => s.keyNumbers.iterations),
      droppedIterations: sum((s) => s.keyNumbers.droppedIterations),
      // min and max merge exactly; percentiles and means of parts do not.
      latencyMs: {
        min: extreme(summaries.map((s) => s.keyNumbers.latencyMs.min), Math.min),
        mean: null,
        p50: null,
        p90: null,
        p95: null,
        p99: null,
        max: extreme(summaries.map((s) => s.keyNumbers.latencyMs.max), Math.max),
      },
    },
  };
}

function extreme(values: readonly (number | null)[], pick: (...values: number[]) => number): number | null {
  return values.every((v) => v !== null) && values.length > 0 ? pick(...(values as number[])) : null;
}

/** Loose files that carry the same run id are one run (k6-operator runners collected by hand). */
function mergeByRunId(runs: Run[]): Run[] {
  const merged = new Map<string, Run>();
  for (const run of runs) {
    const previous = merged.get(run.id);
    if (previous === undefined || run.aggregator === null || previous.aggregator === null) {
      merged.set(previous === undefined ? run.id : `${run.id}#${merged.size}`, run);
      continue;
    }
    const aggregator = new Aggregator({ bucketMs: previous.aggregator.bucketMs });
    aggregator.merge(previous.aggregator);
    aggregator.merge(run.aggregator);
    const instances = [...new Set([...previous.instances, ...run.instances])].sort();
    merged.set(run.id, {
      ...previous,
      label: run.id,
      files: [...previous.files, ...run.files],
      instances,
      aggregator,
      summary: previous.summary ?? run.summary,
    });
  }
  return [...merged.values()];
}

/** One input report per capture file (a capture log holds many captures, one a line). */
function snapshotReports(snapshots: readonly SnapshotResult[]): InputReport[] {
  const byFile = new Map<string, SnapshotResult[]>();
  for (const snapshot of snapshots) byFile.set(snapshot.file, [...(byFile.get(snapshot.file) ?? []), snapshot]);
  return [...byFile].map(([file, results]) => {
    const problems = results.flatMap((result) => result.problems);
    const kinds = [...new Set(results.map((result) => result.kind))].sort();
    const log = results.some((result) => result.entry !== null);
    return {
      path: file,
      format: `${log ? 'capture-log' : 'kubectl'}:${kinds.join('+')}`,
      lines: results.length,
      skipped: results.filter((result) => recordsOf(result) === 0 && result.problems.some((p) => p.severity === 'error')).length,
      problems: problems.slice(0, 20).map(({ line, message }) => ({ line, message })),
      problems_total: problems.length,
    };
  });
}

export function recordsOf(snapshot: SnapshotResult): number {
  return snapshot.pods.length + snapshot.nodes.length + snapshot.hpas.length + snapshot.events.length + snapshot.placements.length;
}

function sortRuns(runs: Run[]): Run[] {
  const start = (run: Run): number => {
    const s = runNumbers(run).start;
    return s === null ? Number.POSITIVE_INFINITY : Date.parse(s);
  };
  return [...runs].sort(
    (a, b) =>
      (a.replicas ?? Number.POSITIVE_INFINITY) - (b.replicas ?? Number.POSITIVE_INFINITY) ||
      (a.level ?? Number.POSITIVE_INFINITY) - (b.level ?? Number.POSITIVE_INFINITY) ||
      start(a) - start(b) ||
      a.label.localeCompare(b.label),
  );
}
