/**
 * The front door of cluster snapshots: tell what a capture is, parse it with the right parser, tie
 * every record to its capture time; and read a folder of captures (the sweep's JSON-lines logs or
 * files saved by hand).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { AnalysisError } from '../errors.ts';
import { parseEvents } from './events.ts';
import { parseHpaJson, parseHpaTable } from './hpa.ts';
import { parseJsonLenient } from './json.ts';
import { commandHints, kubectlAgeMs, noise, percent, preview, splitLines, tokenize, walkLines, withoutProgram } from './lines.ts';
import { parseMetricsApi } from './metrics-api.ts';
import { parsePods } from './pods.ts';
import { parseQuantity } from './quantity.ts';
import { parseTopNodes, parseTopPods, sumContainers, topTableKind } from './top.ts';
import type { Captured, SnapshotKind, SnapshotProblem, SnapshotResult } from './types.ts';

export { parseEvents } from './events.ts';
export { parseHpaJson, parseHpaTable, parseTargets } from './hpa.ts';
export { parseMetricsApi } from './metrics-api.ts';
export { parsePods } from './pods.ts';
export { bytes, cpuMillicores, parseQuantity, toNumber } from './quantity.ts';
export { parseTopNodes, parseTopPods, sumContainers } from './top.ts';
export type * from './types.ts';

export const SNAPSHOT_KINDS: readonly SnapshotKind[] = ['top-pods', 'top-nodes', 'metrics-api', 'hpa', 'hpa-json', 'events', 'pods-wide', 'error', 'unknown'];

export interface SnapshotContext {
  /** Where the text comes from, for messages and the result. */
  readonly file: string;
  /** When the capture was taken, Unix ms. */
  readonly capturedAtMs: number;
  /** Skips detection when the capture says what it is (the sweep's log does). */
  readonly kind?: SnapshotKind;
  /** The command that produced the text: tells the kind and the columns of `--no-headers` output. */
  readonly command?: readonly string[];
}

/** Parses one capture; the kind is detected from the content when `context.kind` is not given. */
export function parseSnapshot(text: string, context: SnapshotContext): SnapshotResult {
  const { file, capturedAtMs, command } = context;
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
    case 'hpa-json': {
      const { records, problems } = kind === 'hpa' ? parseHpaTable(text) : parseHpaJson(text);
      return { ...result, ...empty, hpas: stamp(records), problems };
    }
    case 'events': {
      const { records, problems } = parseEvents(text, { capturedAtMs });
      return { ...result, ...empty, events: stamp(records), problems };
    }
    case 'pods-wide': {
      const { records, problems } = parsePods(text);
      return { ...result, ...empty, placements: stamp(records), problems };
    }
    case 'error':
    case 'unknown': {
      const problems: SnapshotProblem[] = [];
      let unread = 0;
      walkLines(text, { consequence: 'nothing from this command', problems, row: () => (unread += 1) });
      if (unread > 0 && !isEmptyList(text)) {
        problems.push({
          line: null,
          severity: 'error',
          message: `snapshot: cannot tell what \`${file}\` holds: expected \`kubectl top pods|nodes\`, \`kubectl get hpa|events|pods -o wide\` output or Metrics API JSON`,
        });
      }
      return { ...result, ...empty, problems };
    }
  }
}

/**
 * What a capture holds: a JSON `kind`, else a table header, else the command that produced it, else
 * the shape of a header-less row; `error` when it holds only kubectl errors.
 */
export function detectKind(text: string, options: { command?: readonly string[] } = {}): SnapshotKind {
  const lines = splitLines(text);
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
    firstRow ??= line;
    const trimmed = line.trimStart();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) return jsonKind(text) ?? commandKind(options.command ?? echoed ?? []) ?? 'unknown';
    const header = headerKind(line);
    if (header !== undefined) return header;
  }
  const byCommand = commandKind(options.command ?? echoed ?? []);
  if (byCommand !== undefined) return byCommand;
  if (firstRow !== undefined) return rowKind(firstRow) ?? 'unknown';
  return sawError ? 'error' : 'unknown';
}

/**
 * Reads every capture in `dir` (not its subfolders), sorted by file name:
 * - `*.jsonl` / `*.ndjson`: the sweep's capture log, one JSON object a line —
 *   `{"captured_at": ISO-8601, "kind": SnapshotKind | "process", "command": [...], "exit_code": 0, "stdout": "...", "stderr": "..."}`;
 *   `process` is the local process sampler, whose stdout is a PodMetricsList; `loadgen` the same for k6
 *   itself (kept apart in `loadgen`, never counted as the target's pods);
 * - `*.txt`, `*.log`, `*.out`, `*.json`: one capture saved by hand, its time from the file name
 *   (`20261124T010714Z`, `2026-11-24T01-07-14Z`) or else the file's modification time.
 * Anything else (YAML included) gives a result with a problem and no records.
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
  if (extension === '.yaml' || extension === '.yml') {
    return [bare(file, null, [problemOf(null, 'error', `snapshots: skipped \`${file}\`: YAML is not read: expected \`kubectl get … -o json\` or a table`)])];
  }
  return [bare(file, null, [problemOf(null, 'warning', `snapshots: skipped \`${file}\`: expected \`.jsonl\`, \`.ndjson\`, ${PLAIN.map((e) => `\`${e}\``).join(', ')}`)])];
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

function problemOf(line: number | null, severity: 'error' | 'warning', message: string): SnapshotProblem {
  return { line, severity, message };
}

/** A result without records: a file or log line that could not be read. */
function bare(file: string, entry: number | null, problems: SnapshotProblem[]): SnapshotResult {
  return { file, entry, kind: 'unknown', capturedAtMs: null, command: null, pods: [], containers: [], nodes: [], hpas: [], events: [], placements: [], problems };
}

function readPlain(file: string, text: string): SnapshotResult {
  const name = basename(file);
  const named = timeFromFileName(name);
  const problems: SnapshotProblem[] = [];
  let capturedAtMs: number;
  if (named !== undefined) {
    capturedAtMs = named.ms;
    if (!named.zoned) problems.push(problemOf(null, 'warning', `snapshots: the time in the file name \`${name}\` has no zone: read as UTC`));
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
  const result = parseSnapshot(text, { file, capturedAtMs });
  return { ...result, problems: [...problems, ...result.problems] };
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
    const capturedAt = record['captured_at'];
    const capturedAtMs = typeof capturedAt === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(capturedAt) ? Date.parse(capturedAt) : Number.NaN;
    if (Number.isNaN(capturedAtMs)) {
      const got = capturedAt === undefined ? 'is missing' : `is \`${String(capturedAt)}\``;
      results.push(bare(file, entry, [problemOf(entry, 'error', `snapshot log: \`captured_at\` ${got}: expected an ISO-8601 time such as \`2026-11-24T01:07:14Z\` at ${where}`)]));
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
  events: 'no events from this command',
  'pods-wide': 'no pods from this command',
};

function jsonKind(text: string): SnapshotKind | undefined {
  const root = parseJsonLenient(text).documents[0]?.value;
  if (typeof root !== 'object' || root === null || Array.isArray(root)) return undefined;
  const object = root as Record<string, unknown>;
  const kind = object['kind'];
  if (kind === 'PodMetricsList' || kind === 'PodMetrics' || kind === 'NodeMetricsList' || kind === 'NodeMetrics') return 'metrics-api';
  if (kind === 'HorizontalPodAutoscaler' || kind === 'HorizontalPodAutoscalerList') return 'hpa-json';
  if (kind === 'List' && Array.isArray(object['items'])) {
    const first = (object['items'] as unknown[])[0];
    const itemKind = typeof first === 'object' && first !== null ? (first as Record<string, unknown>)['kind'] : undefined;
    if (itemKind === 'HorizontalPodAutoscaler') return 'hpa-json';
    if (itemKind === 'PodMetrics' || itemKind === 'NodeMetrics') return 'metrics-api';
  }
  return undefined;
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
  if (verb !== 'get') return undefined;
  if (args.some((a) => a.includes('/apis/metrics.k8s.io/'))) return 'metrics-api';
  const json = args.some((a, i) => a === '-ojson' || a === '--output=json' || a === '-o=json' || ((a === '-o' || a === '--output') && args[i + 1] === 'json'));
  if (['hpa', 'horizontalpodautoscaler', 'horizontalpodautoscalers'].includes(resource)) return json ? 'hpa-json' : 'hpa';
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
