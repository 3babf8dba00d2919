/**
 * `kubectl top pods` and `kubectl top nodes` tables.
 *
 * Columns are found by header name, rows split on whitespace (never fixed offsets: pastes get
 * realigned or hand-trimmed). Header generations: `CPU(%)`/`MEMORY(%)` (kubectl ≥ 1.33), `CPU%`/`MEMORY%`,
 * and the pre-1.5 `CPU MEMORY STORAGE TIMESTAMP`; optional `NAMESPACE` (`-A`), `POD` (`--containers`),
 * `SWAP(bytes)`/`SWAP(%)` (`--show-swap`). Without a header (`--no-headers`) the layout is inferred
 * from the tokens. Source of the printer: kubernetes/kubectl `pkg/metricsutil/metrics_printer.go`.
 */
import { bytes, cpuMillicores, parseQuantity } from './quantity.ts';
import { commandHints, isHeaderLike, percent, preview, tokenize, walkLines, type Token } from './lines.ts';
import type { NodeResourceSample, ParseResult, PodResourceSample, SnapshotProblem } from './types.ts';

export interface TopPodsOptions {
  /**
   * For a table without header: `kubectl top pods -A` was run (two name columns are NAMESPACE NAME).
   * An echoed command line in the capture (`+ kubectl top pods -A`) says the same and wins.
   */
  readonly allNamespaces?: boolean;
  /** For a table without header: `--containers` was given (two name columns are POD NAME). */
  readonly containers?: boolean;
}

/** Reads `kubectl top pods` output: one record per row (per container with `--containers`). */
export function parseTopPods(text: string, options: TopPodsOptions = {}): ParseResult<PodResourceSample> {
  const { records, problems } = parseTop(text, 'pods', options);
  return { records: records as PodResourceSample[], problems };
}

/** Reads `kubectl top nodes` output: one record per node row. */
export function parseTopNodes(text: string): ParseResult<NodeResourceSample> {
  const { records, problems } = parseTop(text, 'nodes', {});
  return { records: records as NodeResourceSample[], problems };
}

/**
 * Per-pod totals of per-container rows (`kubectl top pods --containers`), in first-seen order. A
 * total is `null` when one of its containers is. kubectl rounds each printed container to whole
 * millicores and MiB, so a total can differ by a few units from what `top pods` would print.
 */
export function sumContainers(samples: readonly PodResourceSample[]): PodResourceSample[] {
  const pods = new Map<string, PodResourceSample>();
  for (const sample of samples) {
    const key = `${sample.namespace ?? ''}/${sample.pod}`;
    const seen = pods.get(key);
    pods.set(
      key,
      seen === undefined
        ? { ...sample, container: null }
        : { ...seen, cpuMillicores: add(seen.cpuMillicores, sample.cpuMillicores), memoryBytes: add(seen.memoryBytes, sample.memoryBytes) },
    );
  }
  return [...pods.values()];
}

/** Whether `line` is a `kubectl top` header, and of which table. */
export function topTableKind(line: string): 'pods' | 'nodes' | undefined {
  return topHeader(mergeUnits(tokenize(line)))?.kind;
}

// --- internals -----------------------------------------------------------------------------------

type Column = 'namespace' | 'pod' | 'name' | 'cpu' | 'cpuPercent' | 'memory' | 'memoryPercent' | 'timestamp' | 'other';
type TopKind = 'pods' | 'nodes';

interface Header {
  readonly kind: TopKind;
  readonly columns: readonly Column[];
  /** How many leading columns are names (NAMESPACE, POD, NAME). */
  readonly names: number;
}

const COLUMNS: Readonly<Record<string, Column>> = {
  NAMESPACE: 'namespace',
  POD: 'pod',
  NAME: 'name',
  'CPU(cores)': 'cpu',
  CPU: 'cpu',
  'CPU%': 'cpuPercent',
  'CPU(%)': 'cpuPercent',
  'MEMORY(bytes)': 'memory',
  MEMORY: 'memory',
  'MEMORY%': 'memoryPercent',
  'MEMORY(%)': 'memoryPercent',
  'SWAP(bytes)': 'other',
  'SWAP%': 'other',
  'SWAP(%)': 'other',
  STORAGE: 'other',
  TIMESTAMP: 'timestamp',
};

const UNKNOWN = '<unknown>';
const TITLE: Readonly<Record<TopKind, string>> = { pods: 'top pods', nodes: 'top nodes' };

function topHeader(tokens: readonly Token[]): Header | undefined {
  const columns: Column[] = [];
  for (const token of tokens) {
    const column = COLUMNS[token.text];
    if (column === undefined) return undefined;
    columns.push(column);
  }
  if (!columns.includes('name') || !columns.includes('cpu') || !columns.includes('memory')) return undefined;
  const perPod = columns.includes('namespace') || columns.includes('pod');
  // Nodes always show percentages (of allocatable); pods show them only in an unmerged --containers
  // variant, which also has POD (kubernetes/kubernetes#123123).
  const nodeLike = columns.includes('cpuPercent') || columns.includes('memoryPercent') || columns.includes('timestamp');
  const names = columns.findIndex((c) => c !== 'namespace' && c !== 'pod' && c !== 'name');
  return { kind: !perPod && nodeLike ? 'nodes' : 'pods', columns, names: names === -1 ? columns.length : names };
}

type Sample = PodResourceSample | NodeResourceSample;

function parseTop(text: string, kind: TopKind, options: TopPodsOptions): { records: Sample[]; problems: SnapshotProblem[] } {
  const title = TITLE[kind];
  const records: Sample[] = [];
  const problems: SnapshotProblem[] = [];
  let hints = { allNamespaces: options.allNamespaces ?? false, containers: options.containers ?? false };
  /** Whether options or an echoed command said which flags were used. */
  let hinted = options.allNamespaces !== undefined || options.containers !== undefined;
  let header: Header | undefined;
  /** Inside a table that is not ours (a `top nodes` table in a `top pods` capture): rows are skipped. */
  let foreign = false;
  let warnedAmbiguous = false;

  walkLines(text, {
    consequence: 'no resource metrics from this command',
    problems,
    onCommand(args) {
      // A new command starts a new table: its own header, or none.
      header = undefined;
      foreign = false;
      if (args.includes('top')) {
        const flags = commandHints(args);
        hints = { allNamespaces: flags.allNamespaces, containers: flags.containers };
        hinted = true;
      }
    },
    row(line, lineNumber) {
      const tokens = mergeUnits(tokenize(line));
      if (isHeaderLike(tokens) || topHeader(tokens) !== undefined) {
        const found = topHeader(tokens);
        if (found !== undefined && found.kind === kind) {
          header = found;
          foreign = false;
          return;
        }
        header = undefined;
        foreign = true;
        const what = found === undefined ? `a table with header \`${preview(line)}\`` : `the \`kubectl ${TITLE[found.kind]}\` table`;
        problems.push({ line: lineNumber, severity: 'warning', message: `${title}: skipped ${what} at line ${lineNumber}` });
        return;
      }
      if (foreign) return;
      const problem = (message: string): void => {
        problems.push({ line: lineNumber, severity: 'error', message: `${title}: ${message} at line ${lineNumber}` });
      };
      // `--sum`: a row of `________` under the value columns, then the totals with blank name cells.
      // A row without any name cell cannot be a pod or a node.
      if (tokens.every((t) => /^_+$/.test(t.text) || isValue(t.text) || isPercent(t.text))) return;

      const cells = header === undefined ? inferCells(tokens, kind, hints) : headerCells(line, tokens, header);
      if (typeof cells === 'string') {
        problem(`${cells}, got \`${preview(line)}\``);
        return;
      }
      if (cells.ambiguous && !hinted && !warnedAmbiguous) {
        warnedAmbiguous = true;
        problems.push({
          line: lineNumber,
          severity: 'warning',
          message: `${title}: no header and no command line to tell whether the two name columns of \`${preview(line)}\` are NAMESPACE NAME (-A) or POD NAME (--containers): read as NAMESPACE NAME at line ${lineNumber}`,
        });
      }
      const sample = toSample(cells, kind, problem, line);
      if (sample !== undefined) records.push(sample);
    },
  });
  return { records, problems };
}

interface Cells {
  readonly namespace: string | null;
  readonly pod: string | null;
  readonly name: string;
  readonly cpu: string | null;
  readonly cpuPercent: string | null;
  readonly memory: string | null;
  readonly memoryPercent: string | null;
  readonly timestamp: string | null;
  /** A `<unknown>` row: the metrics are missing, the name is kept. */
  readonly unknown: boolean;
  /** Two name columns read as NAMESPACE NAME without a header or command line to confirm it. */
  readonly ambiguous: boolean;
}

function headerCells(line: string, tokens: readonly Token[], header: Header): Cells | string {
  const { columns } = header;
  const values = tokens.map((t) => t.text);
  const last = columns.length - 1;
  // The pre-1.5 TIMESTAMP (`Tue, 12 Jul 2016 17:37:00 +0200`) has spaces: it takes the rest of the line.
  if (columns[last] === 'timestamp' && tokens.length > columns.length) {
    values.splice(last, values.length - last, line.slice(tokens[last]?.start ?? 0).trim());
  }
  const unknown = values.includes(UNKNOWN);
  if (!unknown && values.length !== columns.length) {
    return `a row needs ${columns.length} columns like its header, this one has ${values.length}`;
  }
  if (unknown && values.length <= header.names) return `a \`${UNKNOWN}\` row needs ${header.names} name columns first`;
  const cell = (column: Column): string | null => {
    const index = columns.indexOf(column);
    return unknown && index >= header.names ? null : index === -1 ? null : (values[index] ?? null);
  };
  const hasPod = columns.includes('pod');
  return {
    namespace: cell('namespace'),
    pod: hasPod ? cell('pod') : null,
    name: cell('name') ?? '',
    cpu: cell('cpu'),
    cpuPercent: cell('cpuPercent'),
    memory: cell('memory'),
    memoryPercent: cell('memoryPercent'),
    timestamp: cell('timestamp'),
    unknown,
    ambiguous: false,
  };
}

/** `--no-headers`: names first, then `CPU MEMORY` (pods) or `CPU CPU% MEMORY MEMORY%` (nodes). */
function inferCells(tokens: readonly Token[], kind: TopKind, hints: { allNamespaces: boolean; containers: boolean }): Cells | string {
  const values = tokens.map((t) => t.text);
  const unknown = values.includes(UNKNOWN);
  const none = { cpuPercent: null, memoryPercent: null, timestamp: null, unknown, ambiguous: false };
  if (kind === 'nodes') {
    const [name = '', cpu = '', cpuPercent = '', memory = '', memoryPercent = ''] = values;
    // An `<unknown>` node row is the name and 2 to 4 `<unknown>`s, aligned or not (formats.md 1.6).
    if (unknown && values.slice(1).every((v) => v === UNKNOWN)) {
      return { ...none, namespace: null, pod: null, name, cpu: null, memory: null };
    }
    if ((values.length === 5 || values.length === 7) && isValue(cpu) && isPercent(cpuPercent) && isValue(memory) && isPercent(memoryPercent)) {
      return { ...none, namespace: null, pod: null, name, cpu, cpuPercent, memory, memoryPercent };
    }
    return 'a node row without header needs `NAME CPU CPU% MEMORY MEMORY%`';
  }
  // Trailing values: `CPU MEMORY`, or `CPU CPU% MEMORY MEMORY%` (the unmerged --containers variant).
  let valueCount = 0;
  const n = values.length;
  if (n >= 5 && isValue(values[n - 4] ?? '') && isPercent(values[n - 3] ?? '') && isValue(values[n - 2] ?? '') && isPercent(values[n - 1] ?? '')) {
    valueCount = 4;
  } else if (n >= 3 && isValue(values[n - 2] ?? '') && isValue(values[n - 1] ?? '')) {
    valueCount = 2;
  }
  const names = values.slice(0, n - valueCount);
  if (valueCount === 0 || names.length < 1 || names.length > 3) {
    return 'a pod row without header needs `[NAMESPACE] [POD] NAME CPU MEMORY`';
  }
  const cpu = unknown ? null : (values[n - valueCount] ?? null);
  const memory = unknown ? null : (values[n - valueCount / 2] ?? null);
  const [first = '', second = '', third = ''] = names;
  if (names.length === 1) return { ...none, namespace: null, pod: null, name: first, cpu, memory };
  if (names.length === 3) return { ...none, namespace: first, pod: second, name: third, cpu, memory };
  if (hints.containers && !hints.allNamespaces) return { ...none, namespace: null, pod: first, name: second, cpu, memory };
  return { ...none, namespace: first, pod: null, name: second, cpu, memory, ambiguous: !hints.allNamespaces };
}

function toSample(cells: Cells, kind: TopKind, problem: (message: string) => void, line: string): Sample | undefined {
  const cpu = cells.cpu === null ? null : cpuMillicores(cells.cpu);
  if (cpu === undefined) {
    problem(`CPU \`${cells.cpu ?? ''}\` of \`${cells.name}\` is not a quantity such as \`250m\``);
    return undefined;
  }
  const memory = cells.memory === null ? null : bytes(cells.memory);
  if (memory === undefined) {
    problem(`memory \`${cells.memory ?? ''}\` of \`${cells.name}\` is not a quantity such as \`512Mi\``);
    return undefined;
  }
  if (kind === 'pods') {
    return {
      namespace: cells.namespace,
      pod: cells.pod ?? cells.name,
      container: cells.pod === null ? null : cells.name,
      cpuMillicores: cpu,
      memoryBytes: memory,
      scrapedAtMs: null,
      windowMs: null,
    };
  }
  const cpuPercent = cells.cpuPercent === null ? null : percent(cells.cpuPercent);
  const memoryPercent = cells.memoryPercent === null ? null : percent(cells.memoryPercent);
  if (cpuPercent === undefined || memoryPercent === undefined) {
    problem(`the percentages of \`${cells.name}\` are not like \`23%\`: \`${preview(line)}\``);
    return undefined;
  }
  let scrapedAtMs: number | null = null;
  if (cells.timestamp !== null) {
    const ms = Date.parse(cells.timestamp);
    if (Number.isNaN(ms)) problem(`TIMESTAMP \`${cells.timestamp}\` of \`${cells.name}\` is not a date such as \`Tue, 12 Jul 2016 17:37:00 +0200\``);
    else scrapedAtMs = ms;
  }
  return { node: cells.name, cpuMillicores: cpu, cpuPercent, memoryBytes: memory, memoryPercent, scrapedAtMs, windowMs: null };
}

/** Pre-1.5 kubectl printed `1468 Mi` with a space: glue a lone unit to the number before it. */
function mergeUnits(tokens: readonly Token[]): Token[] {
  const merged: Token[] = [];
  for (const token of tokens) {
    const previous = merged[merged.length - 1];
    if (previous !== undefined && /^(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)$/.test(token.text) && /^\d+(\.\d+)?$/.test(previous.text)) {
      merged[merged.length - 1] = { text: `${previous.text}${token.text}`, start: previous.start, end: token.end };
    } else {
      merged.push(token);
    }
  }
  return merged;
}

function isValue(text: string): boolean {
  return text === UNKNOWN || parseQuantity(text) !== undefined;
}

function isPercent(text: string): boolean {
  return text === UNKNOWN || percent(text) !== undefined;
}

function add(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}
