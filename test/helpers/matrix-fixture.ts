/**
 * A sweep or matrix run folder written the way the sweep tool lays one out (DESIGN.md "Run
 * directory"; scripts/lib/sweep.ts): `manifest.json` with the plan, and per cell `<cell id>/k6.json`
 * plus `<cell id>/snapshots/captures.jsonl`, for tests of the scaling, rightsizing and HPA analyses.
 *
 * Each cell's k6 samples are crafted so its steady state is known exactly. A cell of `seconds` s
 * sends `rate(s)` requests in second s (evenly spread, one iteration each), every one taking
 * `latencyMs(s)`; k6's `vus` gauge is written at every whole second from 0 to `seconds`, so the
 * run's duration (the span of its samples) is `seconds` exactly. The steady window (model/steady.ts)
 * then leaves out the first max(10% of `seconds`, 2 s) and the last second that has requests: for
 * 10 s that is seconds 2–8 (7 s), for 20 s seconds 2–18 (17 s), for 30 s seconds 3–28 (26 s). A
 * constant rate r gives a steady rate of exactly r, and a constant latency an exact p95 (the
 * histogram's estimates are clamped to the exact min and max).
 *
 * Captures are records of the capture log as scripts/lib/capture.ts and scripts/lib/drivers/process.ts
 * write them: `process` (proc-sampler's PodMetricsList), `cgroup` (a ReplicaCgroupStats document),
 * `loadgen` (k6 itself), `hpa-json` (an autoscaling/v2 HorizontalPodAutoscaler) and `events`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LevelStatus, Manifest, ManifestLevel, SweepPlan } from '../../analysis/model/manifest.ts';
import { CGROUP_STATS_API_VERSION, CGROUP_STATS_KIND, type CgroupStatsDocument, type CgroupStatsReplica } from '../../analysis/snapshots/cgroup.ts';
import type { CapturePhase, CaptureRecord } from '../../scripts/lib/capture.ts';
import type { HorizontalPodAutoscalerV2 } from '../../scripts/lib/hpa-algorithm.ts';
import { cellId } from '../../scripts/lib/sweep.ts';
import { DECLARATIONS, pointLine, requestLines } from './k6-lines.ts';

export const M0 = Date.UTC(2026, 10, 24, 12, 0, 0);
export const MIB = 2 ** 20;
/** Time between one cell's start and the next one's, beyond its own seconds. */
export const CELL_GAP_MS = 20_000;

export interface CellSpec {
  readonly level: number;
  readonly replicas?: number | null;
  readonly cores?: number | null;
  readonly memoryBytes?: number | null;
  /** Whether the size was enforced (cgroups); default `true` when a size is given. */
  readonly enforced?: boolean | null;
  readonly status?: LevelStatus;
  /** Seconds of samples; default 10. */
  readonly seconds?: number;
  /** Requests in second `s`; default the level every second. */
  readonly rate?: number | ((second: number) => number);
  /** Duration of every request in second `s`, ms; default 10. */
  readonly latencyMs?: number | ((second: number) => number);
  /** The capture log of the cell, given its start (Unix ms). */
  readonly captures?: (startMs: number) => readonly CaptureRecord[];
}

export interface MatrixSpec {
  /** The sweep's folder name and manifest id. */
  readonly id: string;
  readonly mode?: 'sweep' | 'matrix';
  readonly target?: Partial<Manifest['target']>;
  readonly scenario?: string;
  readonly cells: readonly CellSpec[];
  /** When the first cell starts; default `M0`. */
  readonly startMs?: number;
}

export interface WrittenCell {
  readonly id: string;
  readonly runId: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** Writes `root/<spec.id>/…`; returns each cell's folder id, run id and times. */
export function writeMatrix(root: string, spec: MatrixSpec): WrittenCell[] {
  const { id: sweepId, mode = 'matrix', scenario = 'constant', cells, startMs = M0 } = spec;
  const dir = path.join(root, sweepId);
  mkdirSync(dir, { recursive: true });
  const target: Manifest['target'] = {
    name: 'sample',
    kind: 'process',
    base_url: null,
    resources: { cores: null, memory_bytes: null, replicas: null, nodes: null },
    ...spec.target,
  };
  const written: WrittenCell[] = [];
  const levels: ManifestLevel[] = [];
  let at = startMs;
  for (const cell of cells) {
    const seconds = cell.seconds ?? 10;
    const replicas = cell.replicas ?? null;
    const cores = cell.cores ?? null;
    const memoryBytes = cell.memoryBytes ?? null;
    const id = cellId(cell.level, replicas, { cores, memoryBytes });
    const runId = `${sweepId}-${id}`;
    const endMs = at + seconds * 1000;
    const sized = cores !== null || memoryBytes !== null;
    levels.push({
      id,
      level: cell.level,
      replicas,
      resources: sized ? { cores, memory_bytes: memoryBytes, enforced: cell.enforced ?? true, reason: null } : null,
      status: cell.status ?? 'ok',
      run_id: runId,
      started_at: iso(at),
      ended_at: iso(endMs),
      exit_code: cell.status === 'thresholds-failed' ? 99 : 0,
      reason: null,
    });
    mkdirSync(path.join(dir, id, 'snapshots'), { recursive: true });
    writeFileSync(path.join(dir, id, 'k6.json'), `${k6Lines(cell, { runId, target: target.name, scenario, startMs: at, seconds }).join('\n')}\n`);
    const captures = cell.captures?.(at) ?? [];
    writeFileSync(path.join(dir, id, 'snapshots', 'captures.jsonl'), captures.map((c) => `${JSON.stringify(c)}\n`).join(''));
    written.push({ id, runId, startMs: at, endMs });
    at = endMs + CELL_GAP_MS;
  }
  const plan: SweepPlan = {
    mode,
    scenario,
    duration: `${cells[0]?.seconds ?? 10}s`,
    cells: cells.map((cell, i) => ({
      id: levels[i]?.id ?? '',
      level: cell.level,
      replicas: cell.replicas ?? null,
      ...(cell.cores === undefined || cell.cores === null ? {} : { cores: cell.cores }),
      ...(cell.memoryBytes === undefined || cell.memoryBytes === null ? {} : { memory_bytes: cell.memoryBytes }),
    })),
    pause_ms: 15_000,
    cooldown_ms: 5_000,
    snapshot_interval_ms: 5_000,
    health_timeout_ms: 300_000,
    skip_health_wait: false,
    skip_data: false,
    vars: {},
    secret_names: [],
  };
  const manifest: Manifest = {
    kind: 'k6-capacity-sweep',
    schemaVersion: 1,
    id: sweepId,
    target,
    scenario,
    duration: plan.duration,
    created_at: iso(startMs - 1000),
    updated_at: iso(at),
    k6_version: '2.2.0',
    tool_version: '0.1.0',
    command: ['npm', 'run', mode, '--', '--target', target.name],
    levels,
    plan,
    host: { cores: 8, memory_bytes: 32 * 2 ** 30, cpu_model: 'AMD EPYC', platform: 'linux x64' },
  };
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return written;
}

function k6Lines(cell: CellSpec, run: { runId: string; target: string; scenario: string; startMs: number; seconds: number }): string[] {
  const rate = typeof cell.rate === 'function' ? cell.rate : () => (cell.rate as number | undefined) ?? cell.level;
  const latency = typeof cell.latencyMs === 'function' ? cell.latencyMs : () => (cell.latencyMs as number | undefined) ?? 10;
  const tags = { run_id: run.runId, target: run.target, scenario: run.scenario, level: String(cell.level) };
  const lines = [...DECLARATIONS];
  for (let s = 0; s <= run.seconds; s++) lines.push(pointLine('vus', run.startMs + s * 1000, 5, { run_id: run.runId, target: run.target, level: String(cell.level) }));
  for (let s = 0; s < run.seconds; s++) {
    const count = rate(s);
    for (let i = 0; i < count; i++) lines.push(...requestLines({ timeMs: run.startMs + s * 1000 + Math.floor((i * 1000) / count), durationMs: latency(s), tags }));
  }
  return lines;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// --- captures --------------------------------------------------------------------------------------

export interface PodUsage {
  readonly name: string;
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
}

/** proc-sampler's record of the replica processes: a PodMetricsList in the namespace `local`. */
export function processCapture(atMs: number, pods: readonly PodUsage[], phase: CapturePhase = 'during'): CaptureRecord {
  return {
    captured_at: iso(atMs),
    kind: 'process',
    phase,
    command: ['proc-sampler', ...pods.map((_, i) => String(4300 + i))],
    exit_code: 0,
    stdout: JSON.stringify({
      kind: 'PodMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items: pods.map((pod) => ({
        metadata: { name: pod.name, namespace: 'local' },
        timestamp: iso(atMs),
        window: '5s',
        containers: [{ name: 'sample', usage: { cpu: `${pod.cpuMillicores * 1_000_000}n`, memory: `${pod.memoryMiB * 1024}Ki` } }],
      })),
    }),
    stderr: '',
  };
}

/** One replica of a `cgroup` record; what is not given is unknown (`null`), counts 0. */
export type CgroupReplicaSpec = Partial<CgroupStatsReplica> & { readonly name: string };

/** The cgroup sampler's record (scripts/lib/capture.ts `processCapturer`): a ReplicaCgroupStats document, cgroup v2. */
export function cgroupCapture(atMs: number, replicas: readonly CgroupReplicaSpec[], phase: CapturePhase = 'during'): CaptureRecord {
  const document: CgroupStatsDocument = {
    kind: CGROUP_STATS_KIND,
    apiVersion: CGROUP_STATS_API_VERSION,
    cgroup_version: 2,
    replicas: replicas.map((r, i) => ({
      pid: 4300 + i,
      cpu_limit_cores: null,
      cpu_periods: null,
      cpu_throttled_periods: null,
      cpu_throttled_seconds: null,
      memory_limit_bytes: null,
      memory_usage_bytes: null,
      memory_working_set_bytes: null,
      memory_peak_bytes: null,
      oom_kills: 0,
      restarts: 0,
      ...r,
    })),
  };
  return {
    captured_at: iso(atMs),
    kind: 'cgroup',
    phase,
    command: ['cgroup-sampler', ...replicas.map((r) => `/sys/fs/cgroup/k6-capacity.slice/${r.name}`)],
    exit_code: 0,
    stdout: JSON.stringify(document),
    stderr: '',
  };
}

/** The sweep's record of k6 itself (scripts/lib/capture.ts `loadgenCapturer`). */
export function loadgenCapture(atMs: number, cpuMillicores: number, memoryMiB: number, phase: CapturePhase = 'during'): CaptureRecord {
  return {
    ...processCapture(atMs, [{ name: 'k6', cpuMillicores, memoryMiB }], phase),
    kind: 'loadgen',
    command: ['proc-sampler', '4242'],
    stdout: JSON.stringify({
      kind: 'PodMetricsList',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: {},
      items: [{ metadata: { name: 'k6', namespace: 'loadgen' }, timestamp: iso(atMs), window: '5s', containers: [{ name: 'k6', usage: { cpu: `${cpuMillicores * 1_000_000}n`, memory: `${memoryMiB * 1024}Ki` } }] }],
    }),
  };
}

export interface HpaState {
  readonly name: string;
  readonly namespace: string;
  readonly min: number;
  readonly max: number;
  readonly targetPercent: number;
  readonly current: number;
  readonly desired: number;
  /** CPU utilisation the controller measured, percent of the request. */
  readonly utilization: number;
  /** ScalingLimited True (TooManyReplicas) instead of False (DesiredWithinRange). */
  readonly limited?: boolean;
  readonly lastScaleMs?: number;
}

const HPA_MESSAGES = {
  validMetricFound: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
  readyForNewScale: 'recommended size matches current size',
  desiredWithinRange: 'the desired count is within the acceptable range',
  tooManyReplicas: 'the desired replica count is more than the maximum replica count',
};

/** An autoscaling/v2 HPA as scripts/lib/hpa-algorithm.ts `hpaObject` renders it (one CPU Utilization target, default behaviour). */
export function hpaObjectOf(state: HpaState, atMs: number): HorizontalPodAutoscalerV2 {
  const since = iso(Math.floor((state.lastScaleMs ?? atMs) / 1000) * 1000).replace('.000Z', 'Z');
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: state.name, namespace: state.namespace },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: state.name },
      minReplicas: state.min,
      maxReplicas: state.max,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: state.targetPercent } } }],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
        scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
      },
    },
    status: {
      ...(state.lastScaleMs === undefined ? {} : { lastScaleTime: since }),
      currentReplicas: state.current,
      desiredReplicas: state.desired,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: `${state.utilization * 2}m`, averageUtilization: state.utilization } } }],
      conditions: [
        { type: 'AbleToScale', status: 'True', lastTransitionTime: since, reason: 'ReadyForNewScale', message: HPA_MESSAGES.readyForNewScale },
        { type: 'ScalingActive', status: 'True', lastTransitionTime: since, reason: 'ValidMetricFound', message: HPA_MESSAGES.validMetricFound },
        state.limited === true
          ? { type: 'ScalingLimited', status: 'True', lastTransitionTime: since, reason: 'TooManyReplicas', message: HPA_MESSAGES.tooManyReplicas }
          : { type: 'ScalingLimited', status: 'False', lastTransitionTime: since, reason: 'DesiredWithinRange', message: HPA_MESSAGES.desiredWithinRange },
      ],
    },
  };
}

/**
 * An `hpa-json` record. `source: 'controller'` is k6-capacity's own HPA for a process target
 * (scripts/lib/drivers/process.ts `Autoscaler.record`: one object); `'kubectl'` is a cluster's
 * `kubectl get hpa -o json` (scripts/lib/capture.ts `kubernetesCommands`: a List of them).
 */
export function hpaCapture(atMs: number, state: HpaState, options: { phase?: CapturePhase; source?: 'controller' | 'kubectl' } = {}): CaptureRecord {
  const { phase = 'during', source = 'controller' } = options;
  const object = hpaObjectOf(state, atMs);
  return {
    captured_at: iso(atMs),
    kind: 'hpa-json',
    phase,
    command: source === 'controller' ? ['hpa-controller', 'get', 'hpa', state.name, '-o', 'json'] : ['kubectl', 'get', 'hpa', '-o', 'json', '-n', state.namespace],
    exit_code: 0,
    stdout: source === 'controller' ? JSON.stringify(object) : JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [object], metadata: { resourceVersion: '' } }, null, 4),
    stderr: '',
  };
}

/** What the tool's own HPA writes at a rescale (scripts/lib/drivers/process.ts `Autoscaler.sync`), byte for byte. */
export function rescaleEventCapture(atMs: number, name: string, message: string): CaptureRecord {
  return {
    captured_at: iso(atMs),
    kind: 'events',
    phase: 'during',
    command: ['hpa-controller', 'get', 'events'],
    exit_code: 0,
    stdout: `LAST SEEN   TYPE     REASON              OBJECT                           MESSAGE\n0s          Normal   SuccessfulRescale   horizontalpodautoscaler/${name}   ${message}\n`,
    stderr: '',
  };
}

export interface EventRow {
  readonly lastSeen: string;
  readonly type?: 'Normal' | 'Warning';
  readonly reason: string;
  readonly object: string;
  readonly message: string;
}

/** A cluster's `kubectl get events --sort-by=.lastTimestamp` (namespaced), columns padded as kubectl pads them. */
export function eventsCapture(atMs: number, rows: readonly EventRow[], phase: CapturePhase = 'after'): CaptureRecord {
  const table = [['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], ...rows.map((r) => [r.lastSeen, r.type ?? 'Normal', r.reason, r.object, r.message])];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...table.map((row) => (row[c] as string).length)));
  const text = table.map((row) => row.map((cell, c) => (c < 4 ? cell.padEnd((widths[c] as number) + 3) : cell)).join('')).join('\n');
  return {
    captured_at: iso(atMs),
    kind: 'events',
    phase,
    command: ['kubectl', 'get', 'events', '--sort-by=.lastTimestamp', '-n', 'demo'],
    exit_code: 0,
    stdout: `${text}\n`,
    stderr: '',
  };
}

