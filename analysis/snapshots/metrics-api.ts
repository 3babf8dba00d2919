/**
 * Metrics API JSON (`kubectl get --raw /apis/metrics.k8s.io/v1beta1/pods`, or this project's process
 * sampler): `PodMetricsList`, `PodMetrics`, `NodeMetricsList`, `NodeMetrics`.
 *
 * CPU is usually nanocores (`7338891n`) but may be `u`, `m` or a bare `0`; memory usually `Ki`, or
 * bytes. `timestamp` is the scrape time, `window` a Go duration (`30s`, `15.009s`). `selfLink` (old
 * clusters) and `metadata.labels` (new NodeMetrics) are ignored. A cut-off capture keeps its complete
 * items and says how many.
 */
import { goDurationMs, noise, noiseProblem, preview } from './lines.ts';
import { parseJsonLenient } from './json.ts';
import { parseQuantity, quantityBytes, quantityMillicores, sumQuantities, type Quantity } from './quantity.ts';
import type { NodeResourceSample, PodResourceSample, SnapshotProblem } from './types.ts';

export interface MetricsApiResult {
  /** One record per pod (`container: null`), the exact sum of its containers. */
  readonly pods: readonly PodResourceSample[];
  /** One record per container. */
  readonly containers: readonly PodResourceSample[];
  readonly nodes: readonly NodeResourceSample[];
  readonly problems: readonly SnapshotProblem[];
}

const SUBJECT = 'metrics API';

/** Reads Metrics API JSON documents from `text`. */
export function parseMetricsApi(text: string): MetricsApiResult {
  const json = parseJsonLenient(text);
  const pods: PodResourceSample[] = [];
  const containers: PodResourceSample[] = [];
  const nodes: NodeResourceSample[] = [];
  const problems: SnapshotProblem[] = [];
  const problem = (line: number | null, message: string, severity: 'error' | 'warning' = 'error'): void => {
    problems.push({ line, severity, message: line === null ? `${SUBJECT}: ${message}` : `${SUBJECT}: ${message} at line ${line}` });
  };

  for (const stray of json.text) {
    const kind = noise(stray.text)?.kind;
    const known = kind === undefined ? undefined : noiseProblem(kind, stray.text, stray.line, 'no resource metrics from this command');
    if (known !== undefined) problems.push(known);
    else if (kind !== 'empty') problem(stray.line, `skipped \`${preview(stray.text)}\`: expected JSON`);
  }

  let partial = 0;
  for (const document of json.documents) {
    const root = document.value;
    if (!isObject(root)) {
      problem(document.line, `expected a JSON object, got \`${preview(JSON.stringify(root) ?? '', 60)}\``);
      continue;
    }
    const kind = root['kind'];
    const items = kind === 'PodMetricsList' || kind === 'NodeMetricsList' ? root['items'] : [root];
    if (kind !== 'PodMetricsList' && kind !== 'NodeMetricsList' && kind !== 'PodMetrics' && kind !== 'NodeMetrics') {
      problem(document.line, `expected \`kind\` PodMetricsList, PodMetrics, NodeMetricsList or NodeMetrics, got \`${String(kind)}\``);
      continue;
    }
    if (!Array.isArray(items)) {
      if (!json.incomplete.has(root)) problem(document.line, `\`${kind}\` has no \`items\` array`);
      continue;
    }
    for (const item of items as unknown[]) {
      if (isObject(item) && json.incomplete.has(item)) {
        partial += 1;
        continue;
      }
      const line = isObject(item) ? (json.lines.get(item) ?? document.line) : document.line;
      const read = readItem(item, kind.startsWith('Pod') ? 'pod' : 'node', (message) => problem(line, message));
      if (read === undefined) continue;
      if ('node' in read) nodes.push(read);
      else {
        pods.push(read.pod);
        containers.push(...read.containers);
      }
    }
  }

  for (const error of json.errors) {
    const kept = `kept ${pods.length + nodes.length} complete item${pods.length + nodes.length === 1 ? '' : 's'}${partial > 0 ? `, dropped ${partial} cut-off item${partial === 1 ? '' : 's'}` : ''}`;
    problem(error.line, error.truncated ? `the JSON is cut off (${kept})` : `invalid JSON: ${error.message} (${kept})`);
  }
  if (json.documents.length === 0 && json.errors.length === 0 && json.text.length === 0 && text.trim() !== '') {
    problem(null, 'no JSON document in the capture');
  }
  return { pods, containers, nodes, problems };
}

// --- internals -----------------------------------------------------------------------------------

type Item = { pod: PodResourceSample; containers: PodResourceSample[] } | NodeResourceSample;

function readItem(item: unknown, kind: 'pod' | 'node', problem: (message: string) => void): Item | undefined {
  if (!isObject(item)) {
    problem(`expected an item object, got \`${preview(JSON.stringify(item) ?? '', 60)}\``);
    return undefined;
  }
  const metadata = isObject(item['metadata']) ? item['metadata'] : {};
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') {
    problem(`an item has no \`metadata.name\``);
    return undefined;
  }
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : null;
  const who = namespace === null ? `\`${name}\`` : `\`${namespace}/${name}\``;

  let scrapedAtMs: number | null = null;
  const timestamp = item['timestamp'];
  if (typeof timestamp === 'string' && !Number.isNaN(Date.parse(timestamp))) scrapedAtMs = Date.parse(timestamp);
  else problem(`\`timestamp\` of ${who} is \`${String(timestamp)}\`: expected an RFC 3339 time such as \`2021-12-17T17:57:42Z\``);
  let windowMs: number | null = null;
  const window = item['window'];
  if (typeof window === 'string' && goDurationMs(window) !== undefined) windowMs = goDurationMs(window) ?? null;
  else problem(`\`window\` of ${who} is \`${String(window)}\`: expected a Go duration such as \`30s\``);

  if (kind === 'node') {
    const usage = readUsage(item['usage'], who, problem);
    return {
      node: name,
      cpuMillicores: usage.cpu === null ? null : (quantityMillicores(usage.cpu) ?? null),
      cpuPercent: null,
      memoryBytes: usage.memory === null ? null : (quantityBytes(usage.memory) ?? null),
      memoryPercent: null,
      scrapedAtMs,
      windowMs,
    };
  }

  const list = item['containers'];
  if (!Array.isArray(list)) {
    problem(`${who} has no \`containers\` array`);
    return undefined;
  }
  const containers: PodResourceSample[] = [];
  const cpus: (Quantity | null)[] = [];
  const memories: (Quantity | null)[] = [];
  for (const container of list as unknown[]) {
    const containerName = isObject(container) && typeof container['name'] === 'string' ? container['name'] : null;
    if (!isObject(container) || containerName === null) {
      problem(`a container of ${who} has no \`name\``);
      cpus.push(null);
      memories.push(null);
      continue;
    }
    const usage = readUsage(container['usage'], `${who} (container \`${containerName}\`)`, problem);
    cpus.push(usage.cpu);
    memories.push(usage.memory);
    containers.push({
      namespace,
      pod: name,
      container: containerName,
      cpuMillicores: usage.cpu === null ? null : (quantityMillicores(usage.cpu) ?? null),
      memoryBytes: usage.memory === null ? null : (quantityBytes(usage.memory) ?? null),
      scrapedAtMs,
      windowMs,
    });
  }
  if (list.length === 0) problem(`${who} lists no containers: its usage is unknown`);
  const total = (values: (Quantity | null)[]): Quantity | null =>
    values.length === 0 || values.includes(null) ? null : sumQuantities(values as Quantity[]);
  const cpu = total(cpus);
  const memory = total(memories);
  return {
    pod: {
      namespace,
      pod: name,
      container: null,
      cpuMillicores: cpu === null ? null : (quantityMillicores(cpu) ?? null),
      memoryBytes: memory === null ? null : (quantityBytes(memory) ?? null),
      scrapedAtMs,
      windowMs,
    },
    containers,
  };
}

function readUsage(usage: unknown, who: string, problem: (message: string) => void): { cpu: Quantity | null; memory: Quantity | null } {
  const object = isObject(usage) ? usage : {};
  const read = (resource: 'cpu' | 'memory', example: string): Quantity | null => {
    const raw = object[resource];
    const quantity = typeof raw === 'string' ? parseQuantity(raw) : undefined;
    const valid = quantity !== undefined && (resource === 'cpu' ? quantityMillicores(quantity) : quantityBytes(quantity)) !== undefined;
    if (quantity !== undefined && valid) return quantity;
    const got = raw === undefined ? 'is missing' : `is \`${typeof raw === 'string' ? raw : JSON.stringify(raw)}\``;
    problem(`\`usage.${resource}\` of ${who} ${got}: expected a quantity such as \`${example}\``);
    return null;
  };
  return { cpu: read('cpu', '7338891n'), memory: read('memory', '14520Ki') };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
