/**
 * HorizontalPodAutoscalers: the `kubectl get hpa` table, `kubectl get hpa -o json` / `-o yaml` objects
 * and `kubectl describe hpa`.
 *
 * The table's TARGETS cell has spaces and commas (`46% / 10%`, `cpu: 1%/70%, memory: 33%/70%`), so
 * rows are read by anchoring: NAMESPACE, NAME and REFERENCE from the left, MINPODS MAXPODS REPLICAS
 * AGE from the right, TARGETS is what lies between. Rows cut short on the right fall back to the
 * header's column offsets. Printer: kubernetes `pkg/printers/internalversion/printers.go`
 * (`formatHPAMetrics`, `printHorizontalPodAutoscaler`).
 */
import { isMap, isNode, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { isShellMessage, kubectlAgeMs, noise, noiseProblem, percent, preview, splitLines, tokenize, walkLines, type Token } from './lines.ts';
import { parseJsonLenient } from './json.ts';
import { parseQuantity, toNumber } from './quantity.ts';
import { parseDescribeEvents } from './events.ts';
import type { EventRecord, HpaCondition, HpaMetric, HpaSample, ParseResult, SnapshotProblem } from './types.ts';

/** Reads `kubectl get hpa` tables (any kubectl version since 1.2, `-A`, `kubectl get all` names). */
export function parseHpaTable(text: string): ParseResult<HpaSample> {
  const { rows, problems } = parseHpaRows(text);
  return { records: rows.map((row) => row.sample), problems };
}

/** One table row with what a watch log needs besides the HPA: where it is, its AGE and EVENT cells. */
export interface HpaRow {
  readonly sample: HpaSample;
  /** 1-based line of the row. */
  readonly line: number;
  /** Line of the header the row is under; `null` for `--no-headers` output. */
  readonly header: number | null;
  /** The AGE cell as printed (`2m8s`, `<unknown>`); `null` when the row is cut short before it. */
  readonly age: string | null;
  /** The EVENT cell of `--output-watch-events` (`ADDED`, `MODIFIED`, `DELETED`); else `null`. */
  readonly event: string | null;
}

/** `parseHpaTable` with each row's line, header, AGE and EVENT: what `parseHpaWatch` builds on. */
export function parseHpaRows(text: string): { rows: HpaRow[]; problems: SnapshotProblem[]; commands: { line: number; args: readonly string[] }[] } {
  const rows: HpaRow[] = [];
  const problems: SnapshotProblem[] = [];
  const commands: { line: number; args: readonly string[] }[] = [];
  let header: (Header & { line: number }) | undefined;
  walkLines(text, {
    consequence: 'no HPA from this command',
    problems,
    onCommand(args, lineNumber) {
      header = undefined;
      commands.push({ line: lineNumber, args });
    },
    row(line, lineNumber) {
      // `nohup … 2>&1` writes its own notice first; it is not kubectl's.
      if (isShellMessage(line)) return;
      const tokens = tokenize(line);
      const found = hpaHeader(tokens);
      if (found !== undefined) {
        header = { ...found, line: lineNumber };
        return;
      }
      const problem = (message: string, severity: 'error' | 'warning' = 'error'): void => {
        problems.push({ line: lineNumber, severity, message: `hpa: ${message} at line ${lineNumber}` });
      };
      const current = header ?? headerless(tokens);
      if (current === undefined) {
        problem(`skipped \`${preview(line)}\`: expected a \`kubectl get hpa\` row (NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE)`);
        return;
      }
      const read = readRow(line, tokens, current, problem);
      if (read !== undefined) rows.push({ ...read, line: lineNumber, header: header?.line ?? null });
    },
  });
  return { rows, problems, commands };
}

/** Reads `kubectl get hpa -o json`: one object or a `List`; autoscaling/v2, v2beta2, v2beta1 and v1. */
export function parseHpaJson(text: string): ParseResult<HpaSample> {
  const json = parseJsonLenient(text);
  const records: HpaSample[] = [];
  const problems: SnapshotProblem[] = [];
  const problem = (line: number | null, message: string, severity: 'error' | 'warning' = 'error'): void => {
    problems.push({ line, severity, message: line === null ? `hpa json: ${message}` : `hpa json: ${message} at line ${line}` });
  };
  for (const stray of json.text) {
    const kind = noise(stray.text)?.kind;
    const known = kind === undefined ? undefined : noiseProblem(kind, stray.text, stray.line, 'no HPA from this command');
    if (known !== undefined) problems.push(known);
    else if (kind !== 'empty') problem(stray.line, `skipped \`${preview(stray.text)}\`: expected JSON`);
  }
  const partial = readDocuments(json.documents, { incomplete: (o) => json.incomplete.has(o), line: (o) => json.lines.get(o) }, records, problem);
  for (const error of json.errors) {
    const kept = `kept ${records.length} complete HPA${records.length === 1 ? '' : 's'}${partial > 0 ? `, dropped ${partial} cut-off` : ''}`;
    problem(error.line, error.truncated ? `the JSON is cut off (${kept})` : `invalid JSON: ${error.message} (${kept})`);
  }
  return { records, problems };
}

/**
 * Reads `kubectl get hpa -o yaml` (one object, a `List`, or several `---` documents): the same
 * objects as `-o json`, read the same way.
 */
export function parseHpaYaml(text: string): ParseResult<HpaSample> {
  const records: HpaSample[] = [];
  const problems: SnapshotProblem[] = [];
  const problem = (line: number | null, message: string, severity: 'error' | 'warning' = 'error'): void => {
    problems.push({ line, severity, message: line === null ? `hpa yaml: ${message}` : `hpa yaml: ${message} at line ${line}` });
  };
  // An echoed command or kubectl's errors around the YAML are lines of their own, not YAML; an
  // indented line is YAML (a message continued on the next line may start with anything).
  const kept = splitLines(text).map((line, index) => {
    const found = /^\s/.test(line) ? undefined : noise(line);
    if (found === undefined || found.kind === 'blank') return line;
    const known = noiseProblem(found.kind, line, index + 1, 'no HPA from this command');
    if (known !== undefined) problems.push(known);
    return '';
  });
  const lineCounter = new LineCounter();
  const lines = new WeakMap<object, number>();
  const documents: { value: unknown; line: number }[] = [];
  for (const document of parseAllDocuments(kept.join('\n'), { lineCounter })) {
    const errors = document.errors;
    if (errors.length > 0) {
      const first = errors[0];
      // The library's message ends with its own position and a code frame; the line is ours to add.
      const message = ((first?.message ?? '').split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      problem(first?.linePos?.[0].line ?? null, `invalid YAML: ${message}`);
      continue;
    }
    if (document.contents === null) continue;
    const value: unknown = document.toJS();
    const line = lineCounter.linePos(document.contents.range[0]).line;
    documents.push({ value, line });
    // Each item of a List is reported at its own line.
    const items = isMap(document.contents) ? document.contents.get('items', true) : undefined;
    const values = isObject(value) && Array.isArray(value['items']) ? (value['items'] as unknown[]) : [];
    if (isSeq(items)) {
      items.items.forEach((node, index) => {
        const item = values[index];
        if (isObject(item) && isNode(node) && node.range !== null && node.range !== undefined) lines.set(item, lineCounter.linePos(node.range[0]).line);
      });
    }
  }
  readDocuments(documents, { incomplete: () => false, line: (o) => lines.get(o) }, records, problem);
  return { records, problems };
}

/**
 * Reads `kubectl describe hpa` (one HPA or several, each from its `Name:` line): the bounds, the
 * `<Kind> pods: N current / M desired` line (the only text output with desired replicas), the
 * metrics, the conditions and the events. Printer: kubectl `describe.go`
 * (`describeHorizontalPodAutoscalerV2`). Memory shows as milli-bytes (`42% (4503324444m) / 50%`):
 * the percentage is the metric, the raw average in parentheses is not kept.
 */
export function parseHpaDescribe(text: string, options: { readonly capturedAtMs?: number } = {}): ParseResult<HpaSample> & { readonly events: EventRecord[] } {
  const records: HpaSample[] = [];
  const events: EventRecord[] = [];
  const problems: SnapshotProblem[] = [];
  const lines = splitLines(text);
  const problem = (line: number, message: string, severity: 'error' | 'warning' = 'error'): void => {
    problems.push({ line, severity, message: `hpa describe: ${message} at line ${line}` });
  };
  const starts = lines.flatMap((line, i) => (/^Name:\s/.test(line) ? [i] : []));
  if (starts.length === 0) {
    const first = lines.findIndex((line) => line.trim() !== '' && noise(line) === undefined);
    if (first !== -1) problem(first + 1, 'no `Name:` line: expected `kubectl describe hpa` output, which starts each HPA with `Name:`');
  }
  starts.forEach((start, k) => {
    const end = starts[k + 1] ?? lines.length;
    const section = lines.slice(start, end);
    const field = (label: string): { value: string; line: number } | undefined => {
      const i = section.findIndex((line) => line.startsWith(`${label}:`));
      return i === -1 ? undefined : { value: (section[i] ?? '').slice(label.length + 1).trim(), line: start + i + 1 };
    };
    const name = field('Name')?.value ?? '';
    const namespace = field('Namespace')?.value ?? null;
    const integer = (label: string): number | null => {
      const value = field(label)?.value;
      return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
    };
    let current: number | null = null;
    let desired: number | null = null;
    const metrics: HpaMetric[] = [];
    const conditions: HpaCondition[] = [];
    let block: 'metrics' | 'conditions' | 'events' | null = null;
    let eventsFrom = -1;
    section.forEach((line, i) => {
      const lineNumber = start + i + 1;
      if (!/^\s/.test(line)) {
        block = /^Metrics:/.test(line) ? 'metrics' : /^Conditions:/.test(line) ? 'conditions' : /^Events:/.test(line) ? 'events' : null;
        if (block === 'events' && eventsFrom === -1) eventsFrom = i;
        const pods = /^\w+ pods:\s+(\d+) current \/ (\d+) desired$/.exec(line.trim());
        if (pods !== null) [current, desired] = [Number(pods[1]), Number(pods[2])];
        return;
      }
      if (block === 'metrics') {
        const metric = describeMetric(line.trim());
        if (metric === undefined) problem(lineNumber, `skipped the metric \`${preview(line)}\`: expected \`<metric>:  <current> / <target>\``);
        else metrics.push(metric);
      } else if (block === 'conditions') {
        const tokens = tokenize(line);
        const [type, status, reason] = tokens.map((t) => t.text);
        if (type === undefined || type === 'Type' || /^-+$/.test(type)) return;
        const message = tokens[3] === undefined ? null : line.slice(tokens[3].start).trim();
        conditions.push({ type, status: status === 'True' ? true : status === 'False' ? false : null, reason: reason ?? null, message });
      }
    });
    if (name === '') {
      problem(start + 1, 'an HPA has no name after `Name:`');
      return;
    }
    records.push({
      namespace,
      name,
      reference: field('Reference')?.value ?? null,
      minReplicas: integer('Min replicas'),
      maxReplicas: integer('Max replicas'),
      currentReplicas: current,
      desiredReplicas: desired,
      metrics,
      conditions,
      lastScaleTimeMs: null,
    });
    if (eventsFrom !== -1) {
      const body = section.slice(eventsFrom).join('\n');
      const read = parseDescribeEvents(body, {
        object: `horizontalpodautoscaler/${name}`,
        namespace,
        firstLine: start + eventsFrom + 1,
        ...(options.capturedAtMs === undefined ? {} : { capturedAtMs: options.capturedAtMs }),
      });
      events.push(...read.records);
      problems.push(...read.problems);
    }
  });
  return { records, events, problems };
}

/**
 * One metric line of `kubectl describe hpa`: `resource cpu on pods  (as a percentage of request):  0% (1m) / 50%`,
 * `resource memory on pods:  200Mi / 400Mi`, `resource cpu of container "app" on pods  (…):  …`,
 * `"requests_per_second" on pods:  12 / 10`, `"queue" (target value):  250 / 1k`.
 */
function describeMetric(line: string): HpaMetric | undefined {
  const match = /^(.+?):\s{2,}(\S.*?)\s+\/\s+(\S+)$/.exec(line);
  if (match === null) return undefined;
  const [, label = '', current = '', target = ''] = match;
  const name = /^resource (\S+)/.exec(label)?.[1] ?? /^"([^"]+)"/.exec(label)?.[1] ?? null;
  // `42% (4503324444m)`: the utilization, then the raw average.
  return toMetric(name, current.replace(/\s*\([^)]*\)$/, ''), target);
}

/** The HPAs of parsed documents (objects or lists); returns how many cut-off items were dropped. */
function readDocuments(
  documents: readonly { readonly value: unknown; readonly line: number }[],
  where: { readonly incomplete: (o: object) => boolean; readonly line: (o: object) => number | undefined },
  records: HpaSample[],
  problem: (line: number | null, message: string, severity?: 'error' | 'warning') => void,
): number {
  let partial = 0;
  for (const document of documents) {
    const root = document.value;
    const kind = isObject(root) ? root['kind'] : undefined;
    let items: unknown;
    if (kind === 'List' || kind === 'HorizontalPodAutoscalerList') items = isObject(root) ? root['items'] : undefined;
    else if (kind === 'HorizontalPodAutoscaler') items = [root];
    else {
      problem(document.line, `expected \`kind\` HorizontalPodAutoscaler, HorizontalPodAutoscalerList or List, got \`${String(kind)}\``);
      continue;
    }
    if (!Array.isArray(items)) {
      if (!(isObject(root) && where.incomplete(root))) problem(document.line, `\`${String(kind)}\` has no \`items\` array`);
      continue;
    }
    const listVersion = isObject(root) && typeof root['apiVersion'] === 'string' ? root['apiVersion'] : undefined;
    for (const item of items as unknown[]) {
      if (isObject(item) && where.incomplete(item)) {
        partial += 1;
        continue;
      }
      const line = isObject(item) ? (where.line(item) ?? document.line) : document.line;
      if (!isObject(item) || (item['kind'] !== undefined && item['kind'] !== 'HorizontalPodAutoscaler')) {
        problem(line, `skipped a \`${isObject(item) ? String(item['kind']) : typeof item}\` item: expected HorizontalPodAutoscaler`, 'warning');
        continue;
      }
      const sample = readObject(item, listVersion, (message) => problem(line, message));
      if (sample !== undefined) records.push(sample);
    }
  }
  return partial;
}

/**
 * Reads a TARGETS cell (`45%/80%`, `46% / 10%`, `cpu: <unknown>/30%, memory: 7%/80%`, `500m/1`,
 * `166667m/10 (avg)`, `<none>`) into metrics; `undefined` when it is none of those.
 */
export function parseTargets(cell: string): { metrics: HpaMetric[]; hidden: number } | undefined {
  let text = cell.trim();
  if (text === '<none>') return { metrics: [], hidden: 0 };
  // kubectl prints at most two metrics, then ` + N more...`.
  let hidden = 0;
  const more = /\s*\+\s*(\d+) more\.\.\.$/.exec(text);
  if (more !== null) {
    hidden = Number(more[1]);
    text = text.slice(0, more.index);
  }
  const metrics: HpaMetric[] = [];
  for (const part of text.split(',')) {
    const entry = part.trim();
    if (entry === '<unknown type>') {
      metrics.push({ name: null, current: null, target: null, currentValue: null, targetValue: null, unit: 'quantity' });
      continue;
    }
    // kubectl ≥ 1.30 names Resource and ContainerResource metrics (`cpu: 1%/70%`), not the others.
    const named = /^([A-Za-z][\w./-]*):\s*(.*)$/.exec(entry);
    const body = (named?.[2] ?? entry).replace(/\s*\(avg\)$/, '');
    const pair = /^(\S+)\s*\/\s*(\S+)$/.exec(body);
    if (pair === null) return undefined;
    const metric = toMetric(named?.[1] ?? null, pair[1] ?? '', pair[2] ?? '');
    if (metric === undefined) return undefined;
    metrics.push(metric);
  }
  return { metrics, hidden };
}

// --- table internals -----------------------------------------------------------------------------

interface Header {
  /** `--output-watch-events` puts EVENT first (before NAMESPACE). */
  readonly event: boolean;
  readonly namespace: boolean;
  /** The pre-v1 header (`TARGET CURRENT`, Kubernetes 1.1/1.2). */
  readonly ancient: boolean;
  /** Names of the columns right of TARGETS (or CURRENT), and where the header puts them. */
  readonly trailing: readonly Token[];
  /** Inferred for `--no-headers` output: there are no offsets to fall back on. */
  readonly synthetic: boolean;
}

/** Watch event types as the EVENT column prints them (`metav1.WatchEvent` types). */
const WATCH_EVENTS = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/**
 * `--no-headers`: REFERENCE (`Kind/name`, the kind capitalised) is the 2nd token, or the 3rd after
 * NAMESPACE; one more after an EVENT cell.
 */
function headerless(tokens: readonly Token[]): Header | undefined {
  const event = WATCH_EVENTS.has(tokens[0]?.text ?? '');
  const at = (i: number): string => tokens[i + (event ? 1 : 0)]?.text ?? '';
  const reference = /^[A-Z]\w*\/\S/;
  const namespace = !reference.test(at(1)) && reference.test(at(2));
  if (!namespace && !reference.test(at(1))) return undefined;
  const trailing = ['MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'].map((text) => ({ text, start: Number.POSITIVE_INFINITY, end: Number.POSITIVE_INFINITY }));
  return { event, namespace, ancient: false, trailing, synthetic: true };
}

function hpaHeader(tokens: readonly Token[]): Header | undefined {
  const names = tokens.map((t) => t.text);
  if (!names.includes('NAME') || !names.includes('REFERENCE') || !names.includes('MINPODS') || !names.includes('MAXPODS')) return undefined;
  const ancient = names.includes('TARGET') && names.includes('CURRENT');
  const targets = names.indexOf(ancient ? 'TARGET' : 'TARGETS');
  if (targets === -1) return undefined;
  const afterTargets = targets + (ancient ? 2 : 1);
  const event = names[0] === 'EVENT';
  return {
    event,
    namespace: names[event ? 1 : 0] === 'NAMESPACE',
    ancient,
    trailing: tokens.slice(afterTargets),
    synthetic: false,
  };
}

function readRow(
  line: string,
  tokens: readonly Token[],
  header: Header,
  problem: (message: string, severity?: 'error' | 'warning') => void,
): { sample: HpaSample; age: string | null; event: string | null } | undefined {
  const skip = header.event ? 1 : 0;
  const lead = skip + (header.namespace ? 3 : 2);
  const event = header.event ? (tokens[0]?.text ?? null) : null;
  const namespace = header.namespace ? (tokens[skip]?.text ?? null) : null;
  const rawName = tokens[lead - 2]?.text ?? '';
  const reference = tokens[lead - 1]?.text ?? '';
  if (!reference.includes('/') || tokens.length <= lead) {
    problem(`skipped \`${preview(line)}\`: expected NAME then REFERENCE such as \`Deployment/web\``);
    return undefined;
  }
  // `kubectl get all` prints kind-qualified names.
  const name = rawName.replace(/^horizontalpodautoscaler(?:\.autoscaling)?\//, '');
  const columns = header.trailing.map((t) => t.text);

  let chosen: { split: Split; metrics: HpaMetric[]; hidden: number } | undefined;
  // The message quotes the TARGETS of the most trusted split, not of the last one tried.
  let cell: string | undefined;
  for (const split of splits(tokens.slice(lead), header)) {
    const first = split.middle[0];
    const last = split.middle[split.middle.length - 1];
    const candidate = first === undefined || last === undefined ? '' : line.slice(first.start, last.end);
    cell ??= candidate;
    const targets = header.ancient ? ancientTargets(split.middle) : parseTargets(candidate);
    if (targets !== undefined) {
      chosen = { split, ...targets };
      break;
    }
  }
  if (chosen === undefined) {
    problem(
      cell === undefined || cell === ''
        ? `skipped \`${preview(line)}\`: expected ${columns.join(' ')} at the end, as integers and an age`
        : header.ancient
          ? `TARGET and CURRENT of \`${name}\` are \`${cell}\`: expected two values such as \`50%       0%\``
          : `TARGETS of \`${name}\` is \`${cell}\`: expected \`current/target\` pairs such as \`45%/80%\` or \`cpu: 1%/70%\``,
    );
    return undefined;
  }
  const { trailing } = chosen.split;
  const missing = columns.filter((c) => !trailing.has(c));
  if (missing.length > 0) problem(`\`${name}\` has no ${missing.join(', ')}: the row is cut short`, 'warning');
  if (chosen.hidden > 0) problem(`\`${name}\` has ${chosen.hidden} more metric${chosen.hidden === 1 ? '' : 's'} that kubectl does not print`, 'warning');
  const integer = (column: string): number | null => {
    const value = trailing.get(column);
    return value === undefined || !/^\d+$/.test(value) ? null : Number(value);
  };
  const sample: HpaSample = {
    namespace,
    name,
    reference,
    minReplicas: integer('MINPODS'),
    maxReplicas: integer('MAXPODS'),
    currentReplicas: integer('REPLICAS'),
    desiredReplicas: null,
    metrics: chosen.metrics,
    conditions: [],
    lastScaleTimeMs: null,
  };
  return { sample, age: trailing.get('AGE') ?? null, event };
}

interface Split {
  /** The TARGETS tokens (TARGET and CURRENT in the ancient header). */
  readonly middle: readonly Token[];
  /** MINPODS, MAXPODS, REPLICAS, AGE as found; a row cut short lacks the last ones. */
  readonly trailing: ReadonlyMap<string, string>;
}

/** Ways to split the tokens right of REFERENCE, most trusted first; only ones with valid trailing cells. */
function* splits(rest: readonly Token[], header: Header): Generator<Split> {
  const columns = header.trailing.map((t) => t.text);
  const valid = (trailing: ReadonlyMap<string, string>): boolean => [...trailing].every(([column, value]) => validCell(column, value));
  // 1. A whole row: the last columns are MINPODS MAXPODS REPLICAS AGE.
  if (rest.length > columns.length) {
    const anchored = rest.slice(rest.length - columns.length);
    const trailing = new Map(columns.map((column, i) => [column, anchored[i]?.text ?? '']));
    if (valid(trailing)) yield { middle: rest.slice(0, rest.length - columns.length), trailing };
  }
  // 2. A row cut short on the right but still aligned under its header: place tokens by offset.
  if (!header.synthetic) {
    const firstTrailing = header.trailing[0]?.start ?? Number.POSITIVE_INFINITY;
    const trailing = new Map<string, string>();
    for (const token of rest.filter((t) => t.start >= firstTrailing)) {
      const column = [...header.trailing].reverse().find((c) => c.start <= token.start);
      if (column !== undefined && !trailing.has(column.text)) trailing.set(column.text, token.text);
    }
    const middle = rest.filter((t) => t.start < firstTrailing);
    if (middle.length > 0 && trailing.size < columns.length && valid(trailing)) yield { middle, trailing };
  }
  // 3. Cut short and realigned: the trailing run of integers is MINPODS, MAXPODS, … from the left.
  let run = 0;
  while (run < rest.length - 1 && run < columns.length - 1 && /^(\d+|<unset>)$/.test(rest[rest.length - 1 - run]?.text ?? '')) run += 1;
  for (let k = run; k >= 0; k -= 1) {
    const values = rest.slice(rest.length - k);
    const trailing = new Map(values.map((token, i) => [columns[i] ?? '', token.text]));
    if (valid(trailing)) yield { middle: rest.slice(0, rest.length - k), trailing };
  }
}

function ancientTargets(middle: readonly Token[]): { metrics: HpaMetric[]; hidden: number } | undefined {
  const [target = '', current = ''] = middle.map((t) => t.text);
  const metric = middle.length === 2 ? toMetric(null, current, target) : undefined;
  return metric === undefined ? undefined : { metrics: [metric], hidden: 0 };
}

function validCell(column: string, value: string): boolean {
  if (column === 'AGE') return value === '<unknown>' || value === '<invalid>' || kubectlAgeMs(value) !== undefined;
  // MINPODS is `<unset>` when spec.minReplicas is nil.
  if (column === 'MINPODS') return value === '<unset>' || /^\d+$/.test(value);
  return /^\d+$/.test(value);
}

function toMetric(name: string | null, current: string, target: string): HpaMetric | undefined {
  const unit = current.endsWith('%') || target.endsWith('%') ? 'percent' : 'quantity';
  const value = (text: string): number | null | undefined => {
    if (text === '<unknown>' || text === '<auto>') return null;
    if (unit === 'percent') return percent(text);
    const quantity = parseQuantity(text);
    return quantity === undefined ? undefined : toNumber(quantity);
  };
  const currentValue = value(current);
  const targetValue = value(target);
  if (currentValue === undefined || targetValue === undefined) return undefined;
  return {
    name,
    current: currentValue === null ? null : current,
    target: targetValue === null ? null : target,
    currentValue,
    targetValue,
    unit,
  };
}

// --- object internals ----------------------------------------------------------------------------

const SOURCE_KEY: Readonly<Record<string, string>> = {
  Resource: 'resource',
  ContainerResource: 'containerResource',
  Pods: 'pods',
  Object: 'object',
  External: 'external',
};

function readObject(item: Record<string, unknown>, listVersion: string | undefined, problem: (message: string) => void): HpaSample | undefined {
  const metadata = record(item['metadata']);
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') {
    problem('an HPA has no `metadata.name`');
    return undefined;
  }
  const spec = record(item['spec']);
  const status = record(item['status']);
  const apiVersion = typeof item['apiVersion'] === 'string' ? item['apiVersion'] : listVersion;
  const ref = record(spec['scaleTargetRef']);
  const refName = typeof ref['name'] === 'string' ? ref['name'] : null;
  const refKind = typeof ref['kind'] === 'string' ? ref['kind'] : null;

  const v1 = apiVersion === 'autoscaling/v1' || 'targetCPUUtilizationPercentage' in spec || 'currentCPUUtilizationPercentage' in status;
  const metrics = v1 ? v1Metrics(spec, status) : v2Metrics(spec, status);
  let conditions = readConditions(status['conditions']);
  // autoscaling/v1 keeps the conditions in an annotation, as a JSON string.
  const annotation = record(metadata['annotations'])['autoscaling.alpha.kubernetes.io/conditions'];
  if (conditions.length === 0 && typeof annotation === 'string') {
    try {
      conditions = readConditions(JSON.parse(annotation));
    } catch {
      problem(`the conditions annotation of \`${name}\` is not JSON`);
    }
  }
  const lastScaleTime = status['lastScaleTime'];
  const lastScaleTimeMs = typeof lastScaleTime === 'string' && !Number.isNaN(Date.parse(lastScaleTime)) ? Date.parse(lastScaleTime) : null;
  // A status the controller has not written yet (a new HPA: Go's zero value, `desiredReplicas: 0`,
  // no conditions, no scale time) says nothing of the replicas: both counts are unknown, not 0.
  const unsynced = status['currentReplicas'] === undefined && status['desiredReplicas'] === 0 && conditions.length === 0 && lastScaleTimeMs === null;
  const desiredReplicas = unsynced ? null : integerOrNull(status['desiredReplicas']);
  // autoscaling/v2 omits `currentReplicas` when it is 0 (`omitempty`); `desiredReplicas` is always there.
  const currentReplicas = unsynced ? null : (integerOrNull(status['currentReplicas']) ?? (desiredReplicas !== null ? 0 : null));
  return {
    namespace: typeof metadata['namespace'] === 'string' ? metadata['namespace'] : null,
    name,
    reference: refName === null ? null : refKind === null ? refName : `${refKind}/${refName}`,
    minReplicas: integerOrNull(spec['minReplicas']),
    maxReplicas: integerOrNull(spec['maxReplicas']),
    currentReplicas,
    desiredReplicas,
    metrics,
    conditions,
    lastScaleTimeMs,
  };
}

function v1Metrics(spec: Record<string, unknown>, status: Record<string, unknown>): HpaMetric[] {
  const target = integerOrNull(spec['targetCPUUtilizationPercentage']);
  const current = integerOrNull(status['currentCPUUtilizationPercentage']);
  return [
    {
      name: 'cpu',
      current: current === null ? null : `${current}%`,
      target: target === null ? null : `${target}%`,
      currentValue: current,
      targetValue: target,
      unit: 'percent',
    },
  ];
}

function v2Metrics(spec: Record<string, unknown>, status: Record<string, unknown>): HpaMetric[] {
  const specs = Array.isArray(spec['metrics']) ? (spec['metrics'] as unknown[]).map(record) : [];
  // `currentMetrics` is absent or null while the metrics are missing.
  const statuses = Array.isArray(status['currentMetrics']) ? (status['currentMetrics'] as unknown[]).map(record) : [];
  const used = new Set<number>();
  return specs.map((entry, index) => {
    const type = typeof entry['type'] === 'string' ? entry['type'] : '';
    const source = record(entry[SOURCE_KEY[type] ?? '']);
    const name = metricName(source);
    // kubectl pairs by index; matching type and name first survives a status list in another order.
    let found = statuses.findIndex((s, i) => !used.has(i) && s['type'] === type && metricName(record(s[SOURCE_KEY[type] ?? ''])) === name);
    if (found === -1 && statuses[index]?.['type'] === type && !used.has(index)) found = index;
    if (found !== -1) used.add(found);
    const current = record(found === -1 ? undefined : statuses[found]?.[SOURCE_KEY[type] ?? '']);
    const target = record(source['target']);
    const now = record(current['current']);
    const targetPercent = integerOrNull(target['averageUtilization'] ?? source['targetAverageUtilization']);
    if (target['type'] === 'Utilization' || targetPercent !== null) {
      const currentPercent = integerOrNull(now['averageUtilization'] ?? current['currentAverageUtilization']);
      return {
        name,
        current: currentPercent === null ? null : `${currentPercent}%`,
        target: targetPercent === null ? null : `${targetPercent}%`,
        currentValue: currentPercent,
        targetValue: targetPercent,
        unit: 'percent' as const,
      };
    }
    const byValue = target['type'] === 'Value' || (target['type'] === undefined && source['targetValue'] !== undefined);
    const targetText = quantityText(byValue ? (target['value'] ?? source['targetValue']) : (target['averageValue'] ?? source['targetAverageValue']));
    const currentText = quantityText(
      byValue ? (now['value'] ?? current['currentValue']) : (now['averageValue'] ?? current['currentAverageValue'] ?? now['value'] ?? current['currentValue']),
    );
    const numeric = (text: string | null): number | null => {
      const quantity = text === null ? undefined : parseQuantity(text);
      return quantity === undefined ? null : toNumber(quantity);
    };
    return {
      name,
      current: numeric(currentText) === null ? null : currentText,
      target: numeric(targetText) === null ? null : targetText,
      currentValue: numeric(currentText),
      targetValue: numeric(targetText),
      unit: 'quantity' as const,
    };
  });
}

function metricName(source: Record<string, unknown>): string | null {
  if (typeof source['name'] === 'string') return source['name'];
  const metric = record(source['metric'])['name'];
  if (typeof metric === 'string') return metric;
  return typeof source['metricName'] === 'string' ? source['metricName'] : null;
}

function readConditions(value: unknown): HpaCondition[] {
  if (!Array.isArray(value)) return [];
  return (value as unknown[]).map(record).flatMap((c) =>
    typeof c['type'] === 'string'
      ? [
          {
            type: c['type'],
            status: c['status'] === 'True' ? true : c['status'] === 'False' ? false : null,
            reason: typeof c['reason'] === 'string' ? c['reason'] : null,
            message: typeof c['message'] === 'string' ? c['message'] : null,
          },
        ]
      : [],
  );
}

function quantityText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

function integerOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) ? value : null;
}

function record(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
