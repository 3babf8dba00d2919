/**
 * Named targets: what a sweep loads and how its state is captured. They live in `targets.json` at
 * the repository root (format below, and in the README); the built-in target `sample`
 * (the bundled sample service as local processes) needs no configuration.
 *
 *   {
 *     "targets": {
 *       "kind-dev": { "kind": "kubernetes", "context": "kind-dev", "namespace": "demo", "deployment": "inference",
 *                     "baseUrl": "http://127.0.0.1:30080", "healthPath": "/health", "selector": "app=inference",
 *                     "resources": { "cores": 1, "memory": "2Gi", "nodes": 1 }, "dataHook": ["./load-data.sh"] },
 *       "staging":  { "kind": "url", "baseUrl": "https://staging.example.com" },
 *       "sample-4": { "kind": "process", "replicas": 4, "predictCost": 40 },
 *       "aging":    { "kind": "process", "leakKbPerRequest": 64, "leakKbPerSecond": 16, "degradeMsPerMinute": 50,
 *                     "resources": { "memory": "128Mi" } }
 *     }
 *   }
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bytes as quantityBytes, cpuMillicores } from '../../analysis/snapshots/quantity.ts';
import { CliError, repoRoot } from './cli.ts';
import { MAX_DEGRADE_MS_PER_MINUTE, MAX_LEAK_KB_PER_REQUEST, MAX_LEAK_KB_PER_SECOND } from './sample-aging.ts';

export interface TargetResources {
  /** CPU cores per replica (the container's limit, or request when there is no limit). */
  readonly cores: number | null;
  /** Memory per replica, bytes. */
  readonly memoryBytes: number | null;
  readonly nodes: number | null;
}

interface TargetCommon {
  readonly name: string;
  readonly healthPath: string;
  /** A command (argv, no shell) that loads the data the test needs; skipped with `--skip-data`. */
  readonly dataHook: readonly string[] | null;
  readonly resources: TargetResources | null;
}

export interface KubernetesTarget extends TargetCommon {
  readonly kind: 'kubernetes';
  readonly context: string | null;
  readonly namespace: string;
  readonly deployment: string;
  readonly baseUrl: string;
  /** Label selector of the deployment's pods, for `kubectl top pods` and `get pods`. */
  readonly selector: string | null;
}

export interface UrlTarget extends TargetCommon {
  readonly kind: 'url';
  readonly baseUrl: string;
}

export interface ProcessTarget extends TargetCommon {
  readonly kind: 'process';
  readonly replicas: number;
  readonly predictCost: number | null;
  readonly latencyMs: number | null;
  readonly errorRate: number | null;
  /**
   * Aging, for soak tests (sample-aging.ts): KiB each replica keeps per answered work request and
   * per second of uptime, and ms its work requests slow down per minute of uptime.
   */
  readonly leakKbPerRequest: number | null;
  readonly leakKbPerSecond: number | null;
  readonly degradeMsPerMinute: number | null;
  /** The sample service answers 401 without `Authorization: Bearer <token>` from this environment variable. */
  readonly requireTokenEnv: string | null;
  /**
   * Scale the replicas from their CPU utilisation (usage ÷ `resources.cores`) with the Kubernetes HPA
   * algorithm (scripts/lib/hpa-algorithm.ts), named as autoscaling/v1 names them.
   */
  readonly autoscale: Autoscale | null;
}

export interface Autoscale {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCPUUtilizationPercentage: number;
  /** How often the controller looks (the HPA's `--horizontal-pod-autoscaler-sync-period`, 15 s). */
  readonly syncPeriodSeconds: number;
  /** `behavior.scaleDown.stabilizationWindowSeconds` (300 s). */
  readonly scaleDownStabilizationSeconds: number;
}

export type Target = KubernetesTarget | UrlTarget | ProcessTarget;

export const BUILTIN_TARGETS: Readonly<Record<string, Target>> = {
  sample: {
    name: 'sample',
    kind: 'process',
    replicas: 1,
    predictCost: null,
    latencyMs: null,
    errorRate: null,
    leakKbPerRequest: null,
    leakKbPerSecond: null,
    degradeMsPerMinute: null,
    requireTokenEnv: null,
    autoscale: null,
    healthPath: '/health',
    dataHook: null,
    resources: null,
  },
};

export const DEFAULT_TARGETS_FILE = path.join(repoRoot, 'targets.json');

// RFC 1123 labels (namespaces, deployments) and what kubeconfig context names look like in practice
// (EKS uses ARNs: `arn:aws:eks:eu-west-1:123456789012:cluster/prod`).
export const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;
export const SELECTOR = /^[A-Za-z0-9][A-Za-z0-9._/=!,-]*$/;
const TARGET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Validates a Kubernetes object name (namespace, deployment); throws with the flag or field named. */
export function checkK8sName(what: string, value: string): string {
  if (value.length > 63 || !K8S_NAME.test(value)) {
    throw new CliError(`${what} is \`${value}\`: expected a Kubernetes name (lowercase letters, digits and '-', at most 63)`);
  }
  return value;
}

export function checkContext(what: string, value: string): string {
  if (!CONTEXT_NAME.test(value)) throw new CliError(`${what} is \`${value}\`: expected a kubeconfig context name (letters, digits and ._:@/-)`);
  return value;
}

/** Targets from `file` (when it exists) plus the built-ins; a name in the file overrides a built-in. */
export function loadTargets(file: string = DEFAULT_TARGETS_FILE): Record<string, Target> {
  const targets: Record<string, Target> = { ...BUILTIN_TARGETS };
  if (!existsSync(file)) return targets;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`targets: \`${file}\` is not JSON: ${(error as Error).message}`);
  }
  const entries = (parsed as { targets?: unknown } | null)?.targets;
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    throw new CliError(`targets: \`targets\` in ${file} is missing: expected {"targets": {"<name>": {"kind": …}}}`);
  }
  for (const [name, raw] of Object.entries(entries)) targets[name] = parseTarget(name, raw, file);
  return targets;
}

export function resolveTarget(name: string, file: string = DEFAULT_TARGETS_FILE): Target {
  const targets = loadTargets(file);
  const target = targets[name];
  if (target === undefined) {
    throw new CliError(`targets: no target \`${name}\`: expected one of ${Object.keys(targets).map((t) => `\`${t}\``).join(', ')}`, {
      note: `targets are defined in ${path.relative(process.cwd(), file) || file} (format: README.md, section Targets)`,
    });
  }
  return target;
}

function parseTarget(name: string, raw: unknown, file: string): Target {
  const where = `targets.${name} in ${file}`;
  const bad = (field: string, value: unknown, expected: string): never => {
    throw new CliError(`targets: \`${field}\` is \`${JSON.stringify(value)}\` in ${where}: expected ${expected}`);
  };
  if (!TARGET_NAME.test(name)) bad('name', name, 'letters, digits, `.`, `_` or `-`');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('target', raw, 'an object');
  const o = raw as Record<string, unknown>;
  const str = (field: string, fallback?: string): string => {
    const value = o[field] ?? fallback;
    if (typeof value !== 'string' || value === '') return bad(field, value, 'a non-empty string');
    return value;
  };
  const optionalStr = (field: string): string | null => (o[field] === undefined ? null : str(field));
  const num = (field: string, check: (n: number) => boolean, expected: string): number | null => {
    const value = o[field];
    if (value === undefined) return null;
    if (typeof value !== 'number' || !check(value)) return bad(field, value, expected);
    return value;
  };
  const url = (field: string): string => {
    const value = str(field);
    if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(value)) bad(field, value, 'an http:// or https:// base URL');
    return value.replace(/\/+$/, '');
  };
  const healthPath = str('healthPath', '/health');
  if (!healthPath.startsWith('/')) bad('healthPath', healthPath, 'a path starting with `/`');
  let dataHook: string[] | null = null;
  if (o.dataHook !== undefined) {
    if (!Array.isArray(o.dataHook) || o.dataHook.length === 0 || !o.dataHook.every((part) => typeof part === 'string')) {
      bad('dataHook', o.dataHook, 'a command as an array of strings, e.g. ["./scripts/load-data.sh", "--small"]');
    }
    dataHook = o.dataHook as string[];
  }
  const common = { name, healthPath, dataHook, resources: parseResources(o.resources, bad) };
  switch (o.kind) {
    case 'kubernetes': {
      const context = optionalStr('context');
      if (context !== null && !CONTEXT_NAME.test(context)) bad('context', context, 'a kubeconfig context name');
      const namespace = str('namespace');
      const deployment = str('deployment');
      if (!K8S_NAME.test(namespace)) bad('namespace', namespace, 'a Kubernetes name');
      if (!K8S_NAME.test(deployment)) bad('deployment', deployment, 'a Kubernetes name');
      const selector = optionalStr('selector');
      if (selector !== null && !SELECTOR.test(selector)) bad('selector', selector, 'a label selector such as `app=inference`');
      return { ...common, kind: 'kubernetes', context, namespace, deployment, baseUrl: url('baseUrl'), selector };
    }
    case 'url':
      return { ...common, kind: 'url', baseUrl: url('baseUrl') };
    case 'process': {
      const requireTokenEnv = optionalStr('requireTokenEnv');
      const autoscale = parseAutoscale(o.autoscale, bad);
      if (autoscale !== null && (common.resources?.cores ?? null) === null) {
        bad('resources.cores', o.resources, 'a CPU size per replica when `autoscale` is set: utilisation is usage ÷ cores, as an HPA divides by the request');
      }
      const replicas = num('replicas', (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'an integer from 1 to 64') ?? autoscale?.minReplicas ?? 1;
      return {
        ...common,
        kind: 'process',
        replicas,
        predictCost: num('predictCost', (n) => n >= 0, 'a number >= 0'),
        latencyMs: num('latencyMs', (n) => n >= 0, 'a number >= 0'),
        errorRate: num('errorRate', (n) => n >= 0 && n <= 1, 'a number from 0 to 1'),
        leakKbPerRequest: num('leakKbPerRequest', (n) => Number.isInteger(n) && n >= 0 && n <= MAX_LEAK_KB_PER_REQUEST, `an integer from 0 to ${MAX_LEAK_KB_PER_REQUEST} (KiB)`),
        leakKbPerSecond: num('leakKbPerSecond', (n) => Number.isInteger(n) && n >= 0 && n <= MAX_LEAK_KB_PER_SECOND, `an integer from 0 to ${MAX_LEAK_KB_PER_SECOND} (KiB)`),
        degradeMsPerMinute: num('degradeMsPerMinute', (n) => n >= 0 && n <= MAX_DEGRADE_MS_PER_MINUTE, `a number from 0 to ${MAX_DEGRADE_MS_PER_MINUTE} (ms per minute)`),
        requireTokenEnv,
        autoscale,
      };
    }
    default:
      return bad('kind', o.kind, '`kubernetes`, `url` or `process`');
  }
}

function parseAutoscale(raw: unknown, bad: (field: string, value: unknown, expected: string) => never): Autoscale | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('autoscale', raw, 'an object such as {"minReplicas": 1, "maxReplicas": 4, "targetCPUUtilizationPercentage": 50}');
  const a = raw as Record<string, unknown>;
  const int = (field: string, fallback: number | undefined, min: number, max: number): number => {
    const value = a[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return bad(`autoscale.${field}`, value, `an integer from ${min} to ${max}`);
    return value;
  };
  const minReplicas = int('minReplicas', 1, 1, 64);
  const maxReplicas = int('maxReplicas', undefined, 1, 64);
  if (maxReplicas < minReplicas) bad('autoscale.maxReplicas', maxReplicas, `at least minReplicas (${minReplicas})`);
  return {
    minReplicas,
    maxReplicas,
    targetCPUUtilizationPercentage: int('targetCPUUtilizationPercentage', undefined, 1, 1000),
    syncPeriodSeconds: int('syncPeriodSeconds', 15, 1, 600),
    scaleDownStabilizationSeconds: int('scaleDownStabilizationSeconds', 300, 0, 3600),
  };
}

function parseResources(raw: unknown, bad: (field: string, value: unknown, expected: string) => never): TargetResources | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'object' || raw === null) return bad('resources', raw, 'an object such as {"cores": 1, "memory": "2Gi"}');
  const r = raw as Record<string, unknown>;
  const cores = r.cores === undefined ? null : typeof r.cores === 'number' ? r.cores : typeof r.cores === 'string' ? (cpuMillicores(r.cores) ?? NaN) / 1000 : NaN;
  if (cores !== null && !(cores > 0)) bad('resources.cores', r.cores, 'a number of cores or a CPU quantity such as `500m`');
  const memoryBytes = r.memory === undefined ? null : typeof r.memory === 'number' ? r.memory : typeof r.memory === 'string' ? (quantityBytes(r.memory) ?? NaN) : NaN;
  if (memoryBytes !== null && !(memoryBytes > 0)) bad('resources.memory', r.memory, 'bytes or a quantity such as `2Gi`');
  const nodes = r.nodes === undefined ? null : r.nodes;
  if (nodes !== null && (typeof nodes !== 'number' || !Number.isInteger(nodes) || nodes < 1)) bad('resources.nodes', nodes, 'an integer >= 1');
  return { cores, memoryBytes, nodes: nodes as number | null };
}
