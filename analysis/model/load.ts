/**
 * From paths to runs: a sweep folder (with `manifest.json`), a level folder, a folder of bare files,
 * or single files (k6 NDJSON, CSV, summaries, kubectl captures). Data files of one run (k6-operator
 * runners, split outputs) are merged exactly; captures are tied to the runs they were taken during.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { AnalysisError } from '../errors.ts';
import { Aggregator, BUCKET_BUDGET, MAX_TAG_SETS, type SeriesGroup } from '../ingest/aggregate.ts';
import { detectInput, type InputKind } from '../ingest/detect.ts';
import { loadJtlCsv, loadJtlXml } from '../ingest/jmeter.ts';
import { loadK6Csv } from '../ingest/k6-csv.ts';
import { loadK6Ndjson, threadsFor } from '../ingest/k6-ndjson.ts';
import { loadK6Summary, type SummaryLoad } from '../ingest/k6-summary.ts';
import { loadLocust, locustPrefix, type LocustFileKind } from '../ingest/locust.ts';
import type { InputReport } from '../ingest/problems.ts';
import { readSnapshotFile, readSnapshots } from '../snapshots/index.ts';
import type { SnapshotResult } from '../snapshots/types.ts';
import { readManifest, type Manifest, type ManifestLevel } from './manifest.ts';
import { runNumbers, type OtherTool, type Run, type RunStatus } from './run.ts';

export interface LoadOptions {
  /**
   * The finest time bucket of the aggregates, ms (default 1000). A run whose groups pass the bucket
   * budget (ingest/aggregate.ts `BUCKET_BUDGET`, 2000 buckets a group) gets coarser buckets.
   */
  readonly bucketMs?: number;
  /**
   * Tag sets a metric keeps as groups of their own (default ingest/aggregate.ts `MAX_TAG_SETS`, 1000);
   * further ones (URLs with ids, without k6's `name` tag) are folded into one "other" group per metric.
   */
  readonly maxTagSets?: number;
  /**
   * Threads that read each k6 NDJSON file of 64 MiB or more (default 1, the lowest memory; see
   * ingest/ndjson-parallel.ts).
   */
  readonly threads?: number;
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
  /** The sweep this run belongs to: the manifest's id, or the folder holding level folders. */
  readonly group: string | null;
  readonly label: string;
  readonly files: string[];
  readonly level: ManifestLevel | null;
  readonly manifest: Manifest | null;
  snapshotsDir: string | null;
}

/**
 * Time buckets all runs of one analysis may hold together (beyond each group's first): each run gets
 * an equal share, at least `BUCKET_BUDGET`, as the total budget of its aggregates, so memory does not
 * grow with the number of runs either; a run past its share gets coarser buckets (ingest/aggregate.ts).
 */
export const ANALYSIS_BUCKET_BUDGET = 100_000;

/** Captures within this margin of a run's first and last sample are counted as taken during it. */
const SNAPSHOT_MARGIN_MS = 15_000;

const DATA_FILE = /\.(json|ndjson|jsonl|csv|jtl)(\.gz)?$|\.gz$/;

/**
 * Loads every path. Throws `AnalysisError` (with the file and line) when an input the user named is
 * unusable; problems inside usable inputs are reported, not thrown.
 */
export async function loadRuns(paths: readonly string[], options: LoadOptions = {}): Promise<Loaded> {
  const { bucketMs = 1000, keepProblems = 20, maxTagSets = MAX_TAG_SETS, threads = 1 } = options;
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
  // Each source is a run or more, each loose data file one at most: the shares are never too large.
  const rawFiles = looseFiles.filter((file) => !['snapshot', 'json-document', 'manifest'].includes(detect(file)));
  const expectedRuns = Math.max(1, sources.length + rawFiles.length);
  const runBucketBudget = Math.max(BUCKET_BUDGET, Math.floor(ANALYSIS_BUCKET_BUDGET / expectedRuns));
  const context: LoadContext = { bucketMs, maxTagSets, runBucketBudget, threads, keepProblems, inputs, detect };
  for (const source of sources) runs.push(...(await loadSource(source, context)));
  // Loose files: each its own source, unless their run_id tags say they are one run.
  const loose = looseFiles.filter((file) => {
    if (detect(file) !== 'snapshot') return true;
    looseSnapshots.push(...readSnapshotFile(file));
    return false;
  });
  if (loose.length > 0) runs.push(...(await loadLooseFiles(loose, context)));
  inputs.push(...snapshotReports(looseSnapshots));
  if (runs.length === 0 && looseSnapshots.length === 0) {
    throw new AnalysisError('no-data', `analyze: no k6 output, summary or capture in ${paths.map((p) => `\`${p}\``).join(', ')}`, {
      note: 'expected a sweep folder with manifest.json, a level folder with k6.json.gz or summary.json, or such files',
    });
  }

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
      const source: RunSource = { folder: dir, group: manifest.id, label: level.id, files: [], level, manifest, snapshotsDir: null };
      if (existsSync(dir)) fillFromFolder(source, dir);
      sources.push(source);
    }
    const top = path.join(folder, 'snapshots');
    if (existsSync(top)) snapshots.push(...readSnapshots(top));
    return;
  }
  const own: RunSource = { folder, group: null, label: path.basename(path.resolve(folder)), files: [], level: null, manifest: null, snapshotsDir: null };
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
    const sub: RunSource = { folder: path.join(folder, entry.name), group: path.basename(path.resolve(folder)), label: entry.name, files: [], level: null, manifest: null, snapshotsDir: null };
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
    // Dotfiles are the tools' own bookkeeping (the sweep's `.processes.json`, temporary writes).
    if (entry.name === 'manifest.json' || entry.name.startsWith('.') || !DATA_FILE.test(entry.name)) continue;
    source.files.push(path.join(dir, entry.name));
  }
}

interface LoadContext {
  readonly bucketMs: number;
  readonly maxTagSets: number;
  /** The total bucket budget of each run (its share of `ANALYSIS_BUCKET_BUDGET`). */
  readonly runBucketBudget: number;
  readonly threads: number;
  readonly keepProblems: number;
  readonly inputs: InputReport[];
  readonly detect: (file: string) => InputKind;
}

/**
 * What one data file gave: its raw aggregates split by run id (normally one), or a summary. Pieces
 * of the same run id are one run, however many files they come from.
 */
interface Piece {
  readonly file: string;
  readonly runId: string;
  readonly kind: 'k6-ndjson' | 'k6-csv' | 'summary' | 'locust-csv' | 'jmeter-jtl-csv' | 'jmeter-jtl-xml';
  readonly aggregator: Aggregator | null;
  readonly summary: SummaryLoad | null;
  /** Set for Locust's and JMeter's results. */
  readonly tool?: OtherTool;
}

/**
 * Reads `files` into pieces. In a folder (`lenient`), a file that is not a k6 output, summary or
 * capture (a `config.json` beside the run) is listed as skipped with the reason; a file the user
 * named is unusable input and stops the analysis.
 */
async function readPieces(files: readonly string[], context: LoadContext, options: { lenient: boolean; skipCsvBesideNdjson: boolean }): Promise<{ pieces: Piece[]; snapshots: SnapshotResult[] }> {
  const pieces: Piece[] = [];
  const snapshots: SnapshotResult[] = [];
  const kinds = files.map((file) => [file, context.detect(file)] as const);
  const hasNdjson = kinds.some(([, kind]) => kind === 'k6-ndjson');
  // The files of one Locust run (`--csv PREFIX`) are read together, as one piece, at the first of them.
  const locustRuns = new Map<string, { file: string; kind: LocustFileKind }[]>();
  for (const [file, kind] of kinds) {
    if (kind.startsWith('locust-')) locustRuns.set(locustPrefix(file), [...(locustRuns.get(locustPrefix(file)) ?? []), { file, kind: kind as LocustFileKind }]);
  }
  for (const [file, kind] of kinds) {
    if (kind === 'k6-csv' && hasNdjson && options.skipCsvBesideNdjson) {
      // Both outputs of one k6 run (`--out json --out csv`) hold the same samples: read one of them.
      context.inputs.push(skippedInput(file, 'k6-csv', `analyze: skipped \`${file}\`: its folder has k6 NDJSON output of the same run, and reading both would count every sample twice`));
      continue;
    }
    try {
      switch (kind) {
        case 'k6-ndjson':
        case 'k6-csv':
        case 'other-csv': {
          const aggregator = new Aggregator({ bucketMs: context.bucketMs, maxTagSets: context.maxTagSets });
          const report =
            kind === 'k6-ndjson'
              ? await loadK6Ndjson(file, aggregator, { keepProblems: context.keepProblems, workers: threadsFor(file, context.threads) })
              : await loadK6Csv(file, aggregator, { keepProblems: context.keepProblems });
          context.inputs.push(report);
          const format = kind === 'k6-ndjson' ? 'k6-ndjson' : 'k6-csv';
          for (const [runId, part] of splitByRun(aggregator)) pieces.push({ file, runId, kind: format, aggregator: part, summary: null });
          break;
        }
        case 'locust-stats':
        case 'locust-history':
        case 'locust-failures':
        case 'locust-exceptions': {
          const run = locustRuns.get(locustPrefix(file)) ?? [];
          if (run[0]?.file !== file) break;
          const aggregator = new Aggregator({ bucketMs: context.bucketMs, maxTagSets: context.maxTagSets });
          const locust = await loadLocust(run, aggregator, { keepProblems: context.keepProblems });
          context.inputs.push(...locust.reports);
          const history = run.find((f) => f.kind === 'locust-history')?.file ?? file;
          const tool: OtherTool = { name: 'locust', model: 'closed', users: locust.users, latencyMs: locust.stats?.latencyMs ?? null };
          pieces.push({ file: history, runId: '', kind: 'locust-csv', aggregator, summary: null, tool });
          break;
        }
        case 'jmeter-jtl-csv':
        case 'jmeter-jtl-xml': {
          const aggregator = new Aggregator({ bucketMs: context.bucketMs, maxTagSets: context.maxTagSets });
          const jtl = kind === 'jmeter-jtl-csv' ? await loadJtlCsv(file, aggregator, { keepProblems: context.keepProblems }) : await loadJtlXml(file, aggregator, { keepProblems: context.keepProblems });
          context.inputs.push(jtl.report);
          pieces.push({ file, runId: '', kind, aggregator, summary: null, tool: { name: 'jmeter', model: 'closed', users: jtl.users, latencyMs: null } });
          break;
        }
        case 'json-document': {
          const summary = loadK6Summary(file);
          context.inputs.push({ path: file, format: summary.format, lines: 1, skipped: 0, problems: [], problems_total: 0 });
          pieces.push({ file, runId: summary.run?.run_id ?? '', kind: 'summary', aggregator: null, summary });
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
    } catch (error) {
      if (!options.lenient || !(error instanceof AnalysisError) || error.code === 'unreadable') throw error;
      context.inputs.push(skippedInput(file, 'skipped', `analyze: skipped \`${file}\`: ${reasonOf(error)}`));
    }
  }
  return { pieces, snapshots };
}

/** A file's groups partitioned by the run they carry (`run_id`, else k6-operator's `testrun_name`). */
function splitByRun(aggregator: Aggregator): Map<string, Aggregator> {
  const runOf = (group: SeriesGroup): string => group.tags.run_id ?? group.tags.testrun_name ?? '';
  // Nearly always one run: then the file's aggregator is that run's as it is, not copied group by
  // group (a copy of a 1 GB file's groups cost ~60 ms and as much again in garbage collection).
  const groups = aggregator.groups();
  const first = groups[0] === undefined ? '' : runOf(groups[0]);
  if (groups.every((group) => runOf(group) === first)) return new Map([[first, aggregator]]);
  return aggregator.split(runOf);
}

function skippedInput(file: string, format: string, message: string): InputReport {
  return { path: file, format, lines: 0, skipped: 0, problems: [{ line: null, message }], problems_total: 1, skipped_reason: message.replace(/^analyze: skipped `[^`]*`: /, '') };
}

/** An error's message without the subject it repeats (`k6 summary: …` stays, `analyze: \`f\` ` goes). */
function reasonOf(error: AnalysisError): string {
  return error.message.replace(/^analyze: `[^`]*` /, '');
}

/** Loads a source folder's files: one run per run id found in them (normally one). */
async function loadSource(source: RunSource, context: LoadContext): Promise<Run[]> {
  // Files in a folder the user named are found, not named: strangers among them are skipped.
  const { pieces, snapshots } = await readPieces(source.files, context, { lenient: true, skipCsvBesideNdjson: true });
  if (source.snapshotsDir !== null) snapshots.push(...readSnapshots(source.snapshotsDir));
  context.inputs.push(...snapshotReports(snapshots));
  // A folder that held only strangers is no run (a manifest's level is always one: it was planned).
  if (pieces.length === 0 && snapshots.length === 0 && source.level === null) return [];

  const raw = pieces.filter((piece) => piece.aggregator !== null);
  const summaries = pieces.filter((piece) => piece.summary !== null);
  const runIds = [...new Set(raw.map((piece) => piece.runId))];
  if (runIds.length === 0) runIds.push(summaries[0]?.runId ?? '');
  return runIds.map((runId) => {
    const own = summaries.filter((piece) => piece.runId === runId);
    // A folder is one run: with a single run id in its data, every summary in it belongs to it.
    const mine = own.length > 0 ? own : runIds.length === 1 ? summaries : [];
    const ofRun = [...raw.filter((piece) => piece.runId === runId), ...mine];
    const id = runId !== '' ? runId : (source.level?.run_id ?? source.label);
    const label = runIds.length === 1 ? source.label : `${source.label} · ${id}`;
    return assembleRun({ id, label, source, pieces: ofRun, snapshots, files: source.files, bucketMs: context.bucketMs, maxTagSets: context.maxTagSets, runBucketBudget: context.runBucketBudget });
  });
}

/**
 * Loose files (named one by one): pieces that carry the same run id are one run — a k6 output and
 * the summary.json of the same `k6 run`, or k6-operator runners collected by hand — exactly as if
 * they were in one folder. Pieces without a run id stay one run per file.
 */
async function loadLooseFiles(files: readonly string[], context: LoadContext): Promise<Run[]> {
  const { pieces } = await readPieces(files, context, { lenient: false, skipCsvBesideNdjson: false });
  const groups = new Map<string, Piece[]>();
  for (const piece of pieces) {
    const key = piece.runId !== '' ? `run:${piece.runId}` : `file:${piece.file}`;
    groups.set(key, [...(groups.get(key) ?? []), piece]);
  }
  const runs: Run[] = [];
  for (const group of groups.values()) {
    let chosen = group;
    if (group.some((piece) => piece.kind === 'k6-ndjson') && group.some((piece) => piece.kind === 'k6-csv')) {
      // `--out json --out csv` of one run, both named: the same samples twice. Read the NDJSON.
      chosen = group.filter((piece) => piece.kind !== 'k6-csv');
      for (const piece of group.filter((p) => p.kind === 'k6-csv')) {
        const at = context.inputs.findIndex((input) => input.path === piece.file);
        const message = `analyze: skipped \`${piece.file}\`: k6 NDJSON output of the same run (\`${piece.runId}\`) is also given, and reading both would count every sample twice`;
        if (at >= 0) context.inputs[at] = skippedInput(piece.file, 'k6-csv', message);
      }
    }
    const files = [...new Set(chosen.map((piece) => piece.file))];
    const first = chosen[0] as Piece;
    const id = first.runId !== '' ? first.runId : path.basename(first.file);
    const label = files.length === 1 ? path.basename(first.file) : id;
    const source: RunSource = { folder: null, group: null, label, files, level: null, manifest: null, snapshotsDir: null };
    runs.push(assembleRun({ id, label, source, pieces: chosen, snapshots: [], files, bucketMs: context.bucketMs, maxTagSets: context.maxTagSets, runBucketBudget: context.runBucketBudget }));
  }
  return runs;
}

/** One run from its pieces: raw aggregates merged exactly, summaries merged as runners' summaries. */
function assembleRun(parts: {
  id: string;
  label: string;
  source: RunSource;
  pieces: readonly Piece[];
  snapshots: readonly SnapshotResult[];
  files: readonly string[];
  bucketMs: number;
  maxTagSets: number;
  runBucketBudget: number;
}): Run {
  const { id, label, source, pieces, snapshots, files, bucketMs, maxTagSets, runBucketBudget } = parts;
  // Pieces read at different resolutions (a long runner's output, a short one's) merge at the coarser.
  // One piece (one file per run, the usual case) is the run's aggregator as it is: each piece belongs to
  // one run, was made with these options, and merging it into an empty one would only copy it.
  const raw = pieces.flatMap((piece) => (piece.aggregator === null ? [] : [piece.aggregator]));
  let aggregator: Aggregator;
  if (raw.length === 1) aggregator = raw[0] as Aggregator;
  else {
    aggregator = new Aggregator({ bucketMs, maxTagSets });
    for (const piece of raw) aggregator.merge(piece);
  }
  aggregator.limitTotal(runBucketBudget);
  const summaries = pieces.flatMap((piece) => (piece.summary === null ? [] : [piece.summary]));
  const summary = summaries.length > 1 ? mergeRunnerSummaries(summaries) : (summaries[0] ?? null);
  const groups = aggregator.groups();
  const tagValues = (tag: string): string[] => [...new Set(groups.map((g) => g.tags[tag]).filter((v): v is string => v !== undefined))].sort();
  const levels = tagValues('level').map(Number).filter(Number.isFinite).sort((a, b) => a - b);
  const scenarios = tagValues('scenario');
  const targets = tagValues('target');
  // A run with several rates (a ramp or stress run: its summary gives no single level, or its data
  // is tagged with several) has no level, whatever the sweep that ran it called the cell.
  const manyRates = (summary?.run !== undefined && summary.run !== null && summary.run.level === null) || levels.length > 1;
  return {
    id,
    label,
    scenario: summary?.run?.scenario ?? (scenarios.length === 1 ? (scenarios[0] as string) : null) ?? source.manifest?.scenario ?? null,
    target: summary?.run?.target ?? (targets.length === 1 ? (targets[0] as string) : null) ?? source.manifest?.target.name ?? null,
    level: manyRates ? null : (source.level?.level ?? summary?.run?.level ?? (levels.length === 1 ? (levels[0] as number) : null)),
    levels,
    sweep: source.group,
    replicas: source.level?.replicas ?? source.manifest?.target.resources?.replicas ?? null,
    resources: resourcesOf(source),
    status: statusOf(source.level, summary, groups.length > 0),
    statusReason: source.level?.reason ?? null,
    folder: source.folder,
    files,
    instances: tagValues('instance_id'),
    aggregator: groups.length > 0 ? aggregator : null,
    summary,
    snapshots,
    plannedIterations: summary?.run?.schedule.planned_iterations ?? null,
    ...toolOf(pieces),
  };
}

/** `{ tool }` when Locust or JMeter made the run's pieces, else nothing (a k6 run). */
function toolOf(pieces: readonly Piece[]): { tool?: OtherTool } {
  const tools = pieces.flatMap((piece) => (piece.tool === undefined ? [] : [piece.tool]));
  const first = tools[0];
  if (first === undefined) return {};
  const users = tools.map((t) => t.users).filter((u): u is number => u !== null);
  return { tool: { ...first, users: users.length === 0 ? null : Math.max(...users), latencyMs: tools.find((t) => t.latencyMs !== null)?.latencyMs ?? null } };
}

/** The level's own size (a tier of a matrix), else the target's from the manifest; `null` when neither says. */
function resourcesOf(source: RunSource): Run['resources'] {
  const level = source.level?.resources;
  if (level !== undefined && level !== null && (level.cores !== null || level.memory_bytes !== null)) {
    return { cores: level.cores, memory_bytes: level.memory_bytes, enforced: level.enforced };
  }
  const target = source.manifest?.target.resources;
  if (target === undefined || target === null || (target.cores === null && target.memory_bytes === null)) return null;
  return { cores: target.cores, memory_bytes: target.memory_bytes, enforced: null };
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
  return (
    snapshot.pods.length +
    snapshot.nodes.length +
    snapshot.hpas.length +
    snapshot.events.length +
    snapshot.placements.length +
    (snapshot.loadgen?.length ?? 0) +
    (snapshot.limits?.length ?? 0) +
    (snapshot.hpaWatch?.length ?? 0)
  );
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
