/**
 * The front door of cluster snapshots: tell what a capture is, parse it with the right parser, tie
 * every record to its capture time (a watch log's rows to their own); and read a folder of captures
 * (the sweep's JSON-lines logs or files saved by hand).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { AnalysisError } from '../errors.ts';
import { CGROUP_STATS_KIND, parseCgroupStats } from './cgroup.ts';
import { parseEvents } from './events.ts';
import { parseHpaDescribe, parseHpaJson, parseHpaTable, parseHpaYaml } from './hpa.ts';
import { isHpaWatch, parseHpaWatch } from './hpa-watch.ts';
import { parseJsonLenient } from './json.ts';
import { commandHints, kubectlAgeMs, noise, percent, preview, splitLines, tokenize, walkLines, withoutProgram } from './lines.ts';
import { parseMetricsApi } from './metrics-api.ts';
import { parsePods } from './pods.ts';
import { parseQuantity } from './quantity.ts';
import { parseTopNodes, parseTopPods, sumContainers, topTableKind } from './top.ts';
import type { Captured, SnapshotKind, SnapshotProblem, SnapshotResult } from './types.ts';

export { parseCgroupStats } from './cgroup.ts';
export { parseDescribeEvents, parseEvents } from './events.ts';
export { parseHpaDescribe, parseHpaJson, parseHpaRows, parseHpaTable, parseHpaYaml, parseTargets, type HpaRow } from './hpa.ts';
export { isHpaWatch, parseHpaWatch, type HpaWatchOptions, type HpaWatchResult, type HpaWatchSample } from './hpa-watch.ts';
export { parseMetricsApi } from './metrics-api.ts';
export { parsePods } from './pods.ts';
export { bytes, cpuMillicores, parseQuantity, toNumber } from './quantity.ts';
export { parseTopNodes, parseTopPods, sumContainers } from './top.ts';
export type * from './types.ts';

export const SNAPSHOT_KINDS: readonly SnapshotKind[] = [
  'top-pods',
  'top-nodes',
  'metrics-api',
  'hpa',
  'hpa-json',
  'hpa-watch',
  'hpa-yaml',
  'hpa-describe',
  'events',
  'pods-wide',
  'cgroup',
  'error',
  'unknown',
];

export interface SnapshotContext {
  /** Where the text comes from, for messages and the result. */
  readonly file: string;
  /** When the capture was taken, Unix ms. */
  readonly capturedAtMs: number;
  /** Skips detection when the capture says what it is (the sweep's log does). */
  readonly kind?: SnapshotKind;
  /** The command that produced the text: tells the kind and the columns of `--no-headers` output. */
  readonly command?: readonly string[];
  /**
   * When the command started, Unix ms, when known besides `capturedAtMs` (a watch log's `$(date …)`
   * file name, its mtime being `capturedAtMs`): ties a watch log's first row too. Other kinds ignore it.
   */
  readonly startedAtMs?: number;
}

/** Parses one capture; the kind is detected from the content when `context.kind` is not given. */
export function parseSnapshot(text: string, context: SnapshotContext): SnapshotResult {
  const { file, capturedAtMs, command, startedAtMs } = context;
  const kind = context.kind ?? detectKind(text, command === undefined ? {} : { command });
  const stamp = <T extends object>(records: readonly T[]): Captured<T>[] => records.map((record) => ({ ...record, capturedAtMs }));
  const empty = { pods: [], containers: [], nodes: [], hpas: [], events: [], placements: [] };
  const result = { file, entry: null, kind, capturedAtMs, command: command === undefined ? null : [...command] };

  switch (kind) {
    case 'top-pods': {
      const hints = command === undefined ? undefined : commandHints(command);
      const options = hints === undefined ? {} : { allNamespaces: hints.allNamespaces, containers: hints.containers };
      const { records, problems } = parseTopPods(text, options);
      const containers = records.filter((r) => r.container !== null);
      const pods = [...records.filter((r) => r.container === null), ...sumContainers(containers)];
      return { ...result, ...empty, pods: stamp(pods), containers: stamp(containers), problems };
    }
    case 'top-nodes': {
      const { records, problems } = parseTopNodes(text);
      return { ...result, ...empty, nodes: stamp(records), problems };
    }
    case 'metrics-api': {
      const { pods, containers, nodes, problems } = parseMetricsApi(text);
      return { ...result, ...empty, pods: stamp(pods), containers: stamp(containers), nodes: stamp(nodes), problems };
    }
    case 'hpa':
    case 'hpa-json':
    case 'hpa-yaml': {
      const { records, problems } = kind === 'hpa' ? parseHpaTable(text) : kind === 'hpa-json' ? parseHpaJson(text) : parseHpaYaml(text);
      return { ...result, ...empty, hpas: stamp(records), problems };
    }
    case 'hpa-watch': {
      // Not in `hpas`: those are read as taken at `capturedAtMs`, a watch row is not.
      const { records, problems } = parseHpaWatch(text, {
        capturedAtMs,
        ...(startedAtMs === undefined ? {} : { startedAtMs }),
        ...(command === undefined ? {} : { command }),
      });
      return { ...result, ...empty, hpaWatch: stamp(records), problems };
    }
    case 'hpa-describe': {
      const { records, events, problems } = parseHpaDescribe(text, { capturedAtMs });
      return { ...result, ...empty, hpas: stamp(records), events: stamp(events), problems };
    }
    case 'events': {
      const { records, problems } = parseEvents(text, { capturedAtMs });
      return { ...result, ...empty, events: stamp(records), problems };
    }
    case 'pods-wide': {
      const { records, problems } = parsePods(text);
      return { ...result, ...empty, placements: stamp(records), problems };
    }
    case 'cgroup': {
      // Limits and throttling of the replicas: beside their pods, never counted as pods.
      const { records, problems } = parseCgroupStats(text);
      return { ...result, ...empty, limits: stamp(records), problems };
    }
    case 'marker':
    case 'error':
    case 'unknown': {
      const problems: SnapshotProblem[] = [];
      let unread = 0;
      walkLines(text, { consequence: 'nothing from this command', problems, row: () => (unread += 1) });
      if (unread > 0 && !isEmptyList(text)) {
        problems.push({
          line: null,
          severity: 'error',
          message: `snapshot: cannot tell what \`${file}\` holds: expected \`kubectl top pods|nodes\`, \`kubectl get hpa|events|pods -o wide\`, \`kubectl describe hpa\` output or Metrics API JSON`,
        });
      }
      return { ...result, ...empty, problems };
    }
  }
}

/**
 * What a capture holds: a JSON or YAML `kind`, else a table header or a `kubectl describe hpa`
 * head, else the command that produced it, else the shape of a header-less row; `error` when it
 * holds only kubectl errors. An HPA table is `hpa-watch` when `isHpaWatch` says it is a `-w` log.
 */
export function detectKind(text: string, options: { command?: readonly string[] } = {}): SnapshotKind {
  const lines = splitLines(text);
  const watchOr = (kind: SnapshotKind): SnapshotKind => (kind === 'hpa' && isHpaWatch(text, options.command === undefined ? {} : { command: options.command }) ? 'hpa-watch' : kind);
  let sawError = false;
  let echoed: readonly string[] | undefined;
  let firstRow: string | undefined;
  for (const line of lines) {
    const found = noise(line);
    if (found !== undefined) {
      if (found.kind === 'error') sawError = true;
      if (found.kind === 'command') echoed ??= found.args;
      continue;
    }
    if (firstRow === undefined) {
      firstRow = line;
      // `kubectl describe pod` starts with `Name:` too; only an HPA has a scale target and bounds.
      if (/^Name:\s/.test(line) && lines.some((l) => /^(?:Reference|Min replicas):/.test(l))) return 'hpa-describe';
      if (/^(?:---\s*$|apiVersion:|kind:|items:|metadata:)/.test(line) && isHpaYaml(text)) return 'hpa-yaml';
    }
    const trimmed = line.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return jsonKind(text) ?? commandKind(options.command ?? echoed ?? []) ?? 'unknown';
    const header = headerKind(line);
    if (header !== undefined) return watchOr(header);
  }
  const byCommand = commandKind(options.command ?? echoed ?? []);
  if (byCommand !== undefined) return watchOr(byCommand);
  if (firstRow !== undefined) return watchOr(rowKind(firstRow) ?? 'unknown');
  return sawError ? 'error' : 'unknown';
}

/**
 * Reads every capture in `dir` (not its subfolders), sorted by file name:
 * - `*.jsonl` / `*.ndjson`: the sweep's capture log, one JSON object a line —
 *   `{"captured_at": ISO-8601, "kind": SnapshotKind | "process", "command": [...], "exit_code": 0, "stdout": "...", "stderr": "..."}`;
 *   `process` is the local process sampler, whose stdout is a PodMetricsList; `loadgen` the same for k6
 *   itself (kept apart in `loadgen`, never counted as the target's pods); `cgroup` the replicas' limits
 *   and their counters, a `ReplicaCgroupStats` document (read into `limits`); `disruption` lines (what
 *   `--disrupt` did, also in the manifest) are skipped without a problem;
 * - `*.txt`, `*.log`, `*.out`, `*.json`: one capture saved by hand, its time from the file name
 *   (`20261124T010714Z`, `2026-11-24T01-07-14Z`) or else the file's modification time. A
 *   `kubectl get hpa -w` log takes the modification time (when kubectl wrote its last row) in any
 *   case; a time in its name before that is when the command started;
 * - `*.yaml`, `*.yml`: `kubectl get hpa -o yaml` (kind HorizontalPodAutoscaler, HorizontalPodAutoscalerList
 *   or a List of them), its time as above.
 * Anything else (YAML of other kinds included) gives a result with a problem and no records.
 */
export function readSnapshots(dir: string): SnapshotResult[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    throw new AnalysisError('unreadable', `snapshots: cannot read the folder \`${dir}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return names.flatMap((name) => readSnapshotFile(join(dir, name)));
}

/** One file of captures, read as `readSnapshots` reads each file of a folder. */
export function readSnapshotFile(file: string): SnapshotResult[] {
  const extension = extname(file).toLowerCase();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return [bare(file, null, [problemOf(null, 'error', `snapshots: cannot read \`${file}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)])];
  }
  if (extension === '.jsonl' || extension === '.ndjson') return readLog(file, text);
  if (PLAIN.includes(extension)) return [readPlain(file, text)];
  if (YAML.includes(extension)) {
    if (isHpaYaml(text)) return [readPlain(file, text, 'hpa-yaml')];
    return [
      bare(file, null, [
        problemOf(
          null,
          'error',
          `snapshots: skipped \`${file}\`: YAML is read only for HPAs: expected \`kind\` HorizontalPodAutoscaler, HorizontalPodAutoscalerList or a List of them (\`kubectl get hpa -o yaml\`), else \`kubectl get … -o json\` or a table`,
        ),
      ]),
    ];
  }
  return [bare(file, null, [problemOf(null, 'warning', `snapshots: skipped \`${file}\`: expected ${['.jsonl', '.ndjson', ...PLAIN, ...YAML].map((e) => `\`${e}\``).join(', ')}`)])];
}

/**
 * The capture time written in a file name: `20261124T010714Z`, `20261124T010714.123Z`,
 * `2026-11-24T01-07-14Z`, `2026-11-24T01:07:14+01:00`; `undefined` when there is none. A time without
 * zone is read as UTC and flagged by `zoned: false`.
 */
export function timeFromFileName(name: string): { ms: number; zoned: boolean } | undefined {
  const match = /(\d{4})-?(\d{2})-?(\d{2})T(\d{2})[-:]?(\d{2})[-:]?(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?/.exec(name);
  if (match === null) return undefined;
  const [, y = '', mo = '', d = '', h = '', mi = '', s = '', fraction = '', zone = ''] = match.map((part) => part ?? '');
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-31 over to March; a name with such a date is not a time.
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  let offset = 0;
  if (zone !== '' && zone !== 'Z') {
    const digits = zone.replace(':', '');
    offset = (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * 60_000;
  }
  const fractionMs = fraction === '' ? 0 : Number(`0.${fraction}`) * 1000;
  return { ms: utc - offset + fractionMs, zoned: zone !== '' };
}

// --- internals -----------------------------------------------------------------------------------

const PLAIN = ['.txt', '.log', '.out', '.json'];
const YAML = ['.yaml', '.yml'];

function problemOf(line: number | null, severity: 'error' | 'warning', message: string): SnapshotProblem {
  return { line, severity, message };
}

/** A result without records: a file or log line that could not be read. */
/** A `marker` record of the log (`npm run mark`): `{ kind, pod, note }` under `marker`. */
function markerOf(file: string, entry: number, capturedAtMs: number, value: unknown, where: string): SnapshotResult {
  const base = { file, entry, kind: 'marker' as const, capturedAtMs, command: null, pods: [], containers: [], nodes: [], hpas: [], events: [], placements: [] };
  const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
  const marker = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const kind = marker === null ? null : text(marker['kind']);
  if (kind === null) {
    return { ...base, problems: [problemOf(entry, 'error', `snapshot log: a \`marker\` record needs \`marker.kind\` (a word such as \`failover\`): skipped at ${where}`)] };
  }
  return { ...base, markers: [{ kind, pod: text(marker?.['pod']), note: text(marker?.['note']), capturedAtMs }], problems: [] };
}

function bare(file: string, entry: number | null, problems: SnapshotProblem[]): SnapshotResult {
  return { file, entry, kind: 'unknown', capturedAtMs: null, command: null, pods: [], containers: [], nodes: [], hpas: [], events: [], placements: [], problems };
}

function readPlain(file: string, text: string, given?: SnapshotKind): SnapshotResult {
  const name = basename(file);
  const named = timeFromFileName(name);
  const kind = given ?? detectKind(text);
  const problems: SnapshotProblem[] = [];
  const zoneless = named !== undefined && !named.zoned ? problemOf(null, 'warning', `snapshots: the time in the file name \`${name}\` has no zone: read as UTC`) : undefined;
  let capturedAtMs: number;
  let startedAtMs: number | undefined;
  if (kind === 'hpa-watch') {
    ({ capturedAtMs, startedAtMs } = watchLogTimes(file, named, problems));
    // The name's time is used only as the start.
    if (startedAtMs !== undefined && zoneless !== undefined) problems.push(zoneless);
  } else if (named !== undefined) {
    capturedAtMs = named.ms;
    if (zoneless !== undefined) problems.push(zoneless);
  } else {
    capturedAtMs = statSync(file).mtimeMs;
    problems.push(
      problemOf(
        null,
        'warning',
        `snapshots: no capture time in the file name \`${name}\`: used the file's modification time \`${new Date(capturedAtMs).toISOString()}\`, expected a name with a time such as \`top-pods-20261124T010714Z.txt\``,
      ),
    );
  }
  if (text.trim() === '') problems.push(problemOf(null, 'error', `snapshots: \`${file}\` is empty`));
  const result = parseSnapshot(text, { file, capturedAtMs, kind, ...(startedAtMs === undefined ? {} : { startedAtMs }) });
  return { ...result, problems: [...problems, ...result.problems] };
}

/**
 * A watch log's clocks. kubectl writes each row as it comes, so the file was last written with its
 * last row: the modification time is the capture time, whatever the name says. A time in the name
 * (`hpa-$(date -u +%Y%m%dT%H%M%SZ).log`, expanded before kubectl starts) is its start when it is
 * earlier; one that is not cannot be (a file renamed, or named by hand after the fact).
 */
function watchLogTimes(file: string, named: { ms: number } | undefined, problems: SnapshotProblem[]): { capturedAtMs: number; startedAtMs: number | undefined } {
  const name = basename(file);
  const capturedAtMs = statSync(file).mtimeMs;
  const head = `snapshots: \`${name}\` is a \`kubectl get hpa -w\` log: took its last row as written at the file's modification time \`${new Date(capturedAtMs).toISOString()}\``;
  if (named === undefined) {
    problems.push(problemOf(null, 'warning', head));
    return { capturedAtMs, startedAtMs: undefined };
  }
  const shown = new Date(named.ms).toISOString();
  if (named.ms < capturedAtMs) {
    problems.push(problemOf(null, 'warning', `${head} and the time in its name \`${shown}\` as its start`));
    return { capturedAtMs, startedAtMs: named.ms };
  }
  problems.push(problemOf(null, 'warning', `${head}, and ignored the time in its name \`${shown}\`: expected a start before that`));
  return { capturedAtMs, startedAtMs: undefined };
}

function readLog(file: string, text: string): SnapshotResult[] {
  const results: SnapshotResult[] = [];
  splitLines(text).forEach((raw, index) => {
    const entry = index + 1;
    if (raw.trim() === '') return;
    const where = `${file}:${entry}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      const reason = (error as Error).message.replace(/\s+in JSON at position \d+.*$/, '');
      results.push(bare(file, entry, [problemOf(entry, 'error', `snapshot log: invalid JSON (${reason}) at ${where}`)]));
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      results.push(bare(file, entry, [problemOf(entry, 'error', `snapshot log: expected a JSON object, got \`${preview(raw, 60)}\` at ${where}`)]));
      return;
    }
    const record = value as Record<string, unknown>;
    // What the sweep did to the target (`--disrupt`), not a capture of it: read from the manifest.
    if (record['kind'] === 'disruption') return;
    const capturedAt = record['captured_at'];
    const capturedAtMs = typeof capturedAt === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(capturedAt) ? Date.parse(capturedAt) : Number.NaN;
    if (Number.isNaN(capturedAtMs)) {
      const got = capturedAt === undefined ? 'is missing' : `is \`${String(capturedAt)}\``;
      results.push(bare(file, entry, [problemOf(entry, 'error', `snapshot log: \`captured_at\` ${got}: expected an ISO-8601 time such as \`2026-11-24T01:07:14Z\` at ${where}`)]));
      return;
    }
    if (record['kind'] === 'marker') {
      results.push(markerOf(file, entry, capturedAtMs, record['marker'], where));
      return;
    }
    const problems: SnapshotProblem[] = [];
    const command = Array.isArray(record['command']) && record['command'].every((a) => typeof a === 'string') ? (record['command'] as string[]) : undefined;
    const shown = command === undefined ? 'the command' : `\`${preview(command.join(' '), 80)}\``;
    const stdout = typeof record['stdout'] === 'string' ? record['stdout'] : '';
    const stderr = typeof record['stderr'] === 'string' ? record['stderr'] : '';

    const rawKind = record['kind'];
    let kind: SnapshotKind | undefined;
    if (rawKind === 'process' || rawKind === 'loadgen') kind = 'metrics-api';
    else if (typeof rawKind === 'string' && (SNAPSHOT_KINDS as readonly string[]).includes(rawKind)) kind = rawKind as SnapshotKind;
    else {
      kind = detectKind(stdout, command === undefined ? {} : { command });
      problems.push(problemOf(null, 'warning', `snapshot log: \`kind\` ${rawKind === undefined ? 'is missing' : `\`${String(rawKind)}\` is unknown`}: read as \`${kind}\` from the content at ${where}`));
    }

    const exitCode = record['exit_code'];
    if (typeof exitCode === 'number' && exitCode !== 0) problems.push(problemOf(null, 'error', `snapshot log: ${shown} exited with code ${exitCode} at ${where}`));
    const consequence = CONSEQUENCE[kind] ?? 'nothing from this command';
    for (const line of splitLines(stderr)) {
      const found = noise(line);
      if (found?.kind === 'error') problems.push(problemOf(null, 'error', `kubectl: \`${preview(line, 200)}\`: ${consequence}, on stderr at ${where}`));
      else if (found?.kind === 'klog') problems.push(problemOf(null, 'warning', `kubectl: skipped the klog line \`${preview(line, 200)}\` on stderr at ${where}`));
      else if (found === undefined) problems.push(problemOf(null, 'warning', `snapshot log: stderr of ${shown} says \`${preview(line, 200)}\` at ${where}`));
    }

    const parsed = parseSnapshot(stdout, { file, capturedAtMs, kind, ...(command === undefined ? {} : { command }) });
    if (rawKind === 'loadgen') {
      // k6 sampled by the sweep: the generator, not the target.
      results.push({ ...parsed, entry, pods: [], containers: [], loadgen: parsed.pods, problems: [...problems, ...parsed.problems] });
      return;
    }
    results.push({ ...parsed, entry, problems: [...problems, ...parsed.problems] });
  });
  return results;
}

const CONSEQUENCE: Partial<Record<SnapshotKind, string>> = {
  'top-pods': 'no resource metrics from this command',
  'top-nodes': 'no resource metrics from this command',
  'metrics-api': 'no resource metrics from this command',
  hpa: 'no HPA from this command',
  'hpa-json': 'no HPA from this command',
  'hpa-watch': 'no HPA from this command',
  'hpa-yaml': 'no HPA from this command',
  'hpa-describe': 'no HPA from this command',
  events: 'no events from this command',
  'pods-wide': 'no pods from this command',
  cgroup: 'no cgroup stats from this capture',
};

function jsonKind(text: string): SnapshotKind | undefined {
  const root = parseJsonLenient(text).documents[0]?.value;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return undefined;
  const object = root as Record<string, unknown>;
  const kind = object['kind'];
  if (kind === 'PodMetricsList' || kind === 'PodMetrics' || kind === 'NodeMetricsList' || kind === 'NodeMetrics') return 'metrics-api';
  if (kind === 'HorizontalPodAutoscaler' || kind === 'HorizontalPodAutoscalerList') return 'hpa-json';
  if (kind === CGROUP_STATS_KIND) return 'cgroup';
  if (kind === 'List' && Array.isArray(object['items'])) {
    const first = (object['items'] as unknown[])[0];
    const itemKind = typeof first === 'object' && first !== null ? (first as Record<string, unknown>)['kind'] : undefined;
    if (itemKind === 'HorizontalPodAutoscaler') return 'hpa-json';
    if (itemKind === 'PodMetrics' || itemKind === 'NodeMetrics') return 'metrics-api';
  }
  return undefined;
}

/**
 * Whether YAML text is `kubectl get hpa -o yaml`: a top-level `kind` HorizontalPodAutoscaler or
 * HorizontalPodAutoscalerList, or a `List` holding one (or nothing: `items: []`). kubectl never quotes
 * a kind, so the lines tell without parsing (the text may hold an echoed command or errors too).
 */
function isHpaYaml(text: string): boolean {
  const lines = splitLines(text);
  const kinds = lines.flatMap((line) => /^kind:\s*(\S+)\s*$/.exec(line)?.[1] ?? []);
  if (kinds.includes('HorizontalPodAutoscaler') || kinds.includes('HorizontalPodAutoscalerList')) return true;
  return kinds.includes('List') && lines.some((line) => /^\s*(?:-\s+)?kind:\s*HorizontalPodAutoscaler\s*$/.test(line) || /^items:\s*\[\]\s*$/.test(line));
}

/** `kubectl get … -o json` with nothing to list: `{"kind": "List", "items": []}`, the JSON `No resources found`. */
function isEmptyList(text: string): boolean {
  const { documents, errors } = parseJsonLenient(text);
  return (
    errors.length === 0 &&
    documents.length > 0 &&
    documents.every(({ value }) => {
      const object = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
      return object['kind'] === 'List' && Array.isArray(object['items']) && object['items'].length === 0;
    })
  );
}

function headerKind(line: string): SnapshotKind | undefined {
  const top = topTableKind(line);
  if (top !== undefined) return top === 'pods' ? 'top-pods' : 'top-nodes';
  const names = tokenize(line).map((t) => t.text);
  if (names.includes('REFERENCE') && names.includes('MINPODS')) return 'hpa';
  if ((names[0] === 'LAST' || (names[0] === 'NAMESPACE' && names[1] === 'LAST')) && names.includes('REASON')) return 'events';
  const first = names[0] === 'NAMESPACE' ? 1 : 0;
  if (names[first] === 'NAME' && names[first + 1] === 'READY' && names[first + 2] === 'STATUS') return 'pods-wide';
  return undefined;
}

function commandKind(command: readonly string[]): SnapshotKind | undefined {
  const args = withoutProgram(command);
  const words = args.filter((a) => !a.startsWith('-'));
  const verb = words[0];
  const resource = (words[1] ?? '').toLowerCase().split(/[./]/)[0] ?? '';
  if (verb === 'top') {
    if (['pod', 'pods', 'po'].includes(resource)) return 'top-pods';
    if (['node', 'nodes', 'no'].includes(resource)) return 'top-nodes';
  }
  const hpa = ['hpa', 'horizontalpodautoscaler', 'horizontalpodautoscalers'].includes(resource);
  if (verb === 'describe' && hpa) return 'hpa-describe';
  if (verb !== 'get') return undefined;
  if (args.some((a) => a.includes('/apis/metrics.k8s.io/'))) return 'metrics-api';
  const output = (format: string): boolean =>
    args.some((a, i) => a === `-o${format}` || a === `--output=${format}` || a === `-o=${format}` || ((a === '-o' || a === '--output') && args[i + 1] === format));
  const json = output('json');
  if (hpa) return json ? 'hpa-json' : output('yaml') ? 'hpa-yaml' : 'hpa';
  if (json) return undefined;
  if (['events', 'event', 'ev'].includes(resource)) return 'events';
  if (['pods', 'pod', 'po'].includes(resource)) return 'pods-wide';
  return undefined;
}

/** The shape of a header-less row (`--no-headers`, or a header cut off by `tail`). */
function rowKind(line: string): SnapshotKind | undefined {
  const texts = tokenize(line).map((t) => t.text);
  const [a = '', b = '', c = ''] = texts;
  const age = (t: string): boolean => t === '<unknown>' || kubectlAgeMs(t) !== undefined;
  const type = (t: string): boolean => t === 'Normal' || t === 'Warning';
  if ((age(a) && type(b)) || (age(b) && type(c))) return 'events';
  if (/^\d+\/\d+$/.test(b) || /^\d+\/\d+$/.test(c)) return 'pods-wide';
  if (/^[A-Z]\w*\/\S/.test(b) || /^[A-Z]\w*\/\S/.test(c)) return 'hpa';
  const value = (t: string): boolean => t === '<unknown>' || parseQuantity(t) !== undefined;
  const pct = (t: string): boolean => t === '<unknown>' || percent(t) !== undefined;
  if (texts.length === 5 && value(b) && pct(c) && value(texts[3] ?? '') && pct(texts[4] ?? '')) return 'top-nodes';
  if (texts.length >= 3 && value(texts[texts.length - 2] ?? '') && value(texts[texts.length - 1] ?? '')) return 'top-pods';
  return undefined;
}
