/**
 * HorizontalPodAutoscalers: the `kubectl get hpa` table and `kubectl get hpa -o json` objects.
 *
 * The table's TARGETS cell has spaces and commas (`46% / 10%`, `cpu: 1%/70%, memory: 33%/70%`), so
 * rows are read by anchoring: NAMESPACE, NAME and REFERENCE from the left, MINPODS MAXPODS REPLICAS
 * AGE from the right, TARGETS is what lies between. Rows cut short on the right fall back to the
 * header's column offsets. Printer: kubernetes `pkg/printers/internalversion/printers.go`
 * (`formatHPAMetrics`, `printHorizontalPodAutoscaler`).
 */
import { kubectlAgeMs, noise, noiseProblem, percent, preview, tokenize, walkLines, type Token } from './lines.ts';
import { parseJsonLenient } from './json.ts';
import { parseQuantity, toNumber } from './quantity.ts';
import type { HpaCondition, HpaMetric, HpaSample, ParseResult, SnapshotProblem } from './types.ts';

/** Reads `kubectl get hpa` tables (any kubectl version since 1.2, `-A`, `kubectl get all` names). */
export function parseHpaTable(text: string): ParseResult<HpaSample> {
  const records: HpaSample[] = [];
  const problems: SnapshotProblem[] = [];
  let header: Header | undefined;
  walkLines(text, {
    consequence: 'no HPA from this command',
    problems,
    onCommand() {
      header = undefined;
    },
    row(line, lineNumber) {
      const tokens = tokenize(line);
      const found = hpaHeader(tokens);
      if (found !== undefined) {
        header = found;
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
      const sample = readRow(line, tokens, current, problem);
      if (sample !== undefined) records.push(sample);
    },
  });
  return { records, problems };
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
  let partial = 0;
  for (const document of json.documents) {
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
      if (!(isObject(root) && json.incomplete.has(root))) problem(document.line, `\`${String(kind)}\` has no \`items\` array`);
      continue;
    }
    const listVersion = isObject(root) && typeof root['apiVersion'] === 'string' ? root['apiVersion'] : undefined;
    for (const item of items as unknown[]) {
      if (isObject(item) && json.incomplete.has(item)) {
        partial += 1;
        continue;
      }
      const line = isObject(item) ? (json.lines.get(item) ?? document.line) : document.line;
      if (!isObject(item) || (item['kind'] !== undefined && item['kind'] !== 'HorizontalPodAutoscaler')) {
        problem(line, `skipped a \`${isObject(item) ? String(item['kind']) : typeof item}\` item: expected HorizontalPodAutoscaler`, 'warning');
        continue;
      }
      const sample = readObject(item, listVersion, (message) => problem(line, message));
      if (sample !== undefined) records.push(sample);
    }
  }
  for (const error of json.errors) {
    const kept = `kept ${records.length} complete HPA${records.length === 1 ? '' : 's'}${partial > 0 ? `, dropped ${partial} cut-off` : ''}`;
    problem(error.line, error.truncated ? `the JSON is cut off (${kept})` : `invalid JSON: ${error.message} (${kept})`);
  }
  return { records, problems };
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
  readonly namespace: boolean;
  /** The pre-v1 header (`TARGET CURRENT`, Kubernetes 1.1/1.2). */
  readonly ancient: boolean;
  /** Names of the columns right of TARGETS (or CURRENT), and where the header puts them. */
  readonly trailing: readonly Token[];
  /** Inferred for `--no-headers` output: there are no offsets to fall back on. */
  readonly synthetic: boolean;
}

/** `--no-headers`: REFERENCE (`Kind/name`, the kind capitalised) is the 2nd token, or the 3rd after NAMESPACE. */
function headerless(tokens: readonly Token[]): Header | undefined {
  const reference = /^[A-Z]\w*\/\S/;
  const namespace = !reference.test(tokens[1]?.text ?? '') && reference.test(tokens[2]?.text ?? '');
  if (!namespace && !reference.test(tokens[1]?.text ?? '')) return undefined;
  const trailing = ['MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'].map((text) => ({ text, start: Number.POSITIVE_INFINITY, end: Number.POSITIVE_INFINITY }));
  return { namespace, ancient: false, trailing, synthetic: true };
}

function hpaHeader(tokens: readonly Token[]): Header | undefined {
  const names = tokens.map((t) => t.text);
  if (!names.includes('NAME') || !names.includes('REFERENCE') || !names.includes('MINPODS') || !names.includes('MAXPODS')) return undefined;
  const ancient = names.includes('TARGET') && names.includes('CURRENT');
  const targets = names.indexOf(ancient ? 'TARGET' : 'TARGETS');
  if (targets === -1) return undefined;
  const afterTargets = targets + (ancient ? 2 : 1);
  return {
    namespace: names[0] === 'NAMESPACE',
    ancient,
    trailing: tokens.slice(afterTargets),
    synthetic: false,
  };
}

function readRow(line: string, tokens: readonly Token[], header: Header, problem: (message: string, severity?: 'error' | 'warning') => void): HpaSample | undefined {
  const lead = header.namespace ? 3 : 2;
  const namespace = header.namespace ? (tokens[0]?.text ?? null) : null;
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
  return {
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
  const desiredReplicas = integerOrNull(status['desiredReplicas']);
  // autoscaling/v2 omits `currentReplicas` when it is 0 (`omitempty`); `desiredReplicas` is always there.
  const currentReplicas = integerOrNull(status['currentReplicas']) ?? (desiredReplicas !== null ? 0 : null);
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
