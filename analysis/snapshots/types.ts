/**
 * Records read from cluster snapshots: `kubectl top`, the Metrics API, `kubectl get hpa` (a table,
 * `-o json|yaml`, a `-w` log), `kubectl describe hpa`, `kubectl get events`, `kubectl get pods -o wide`.
 * Every field the source does not show is `null`, never a guess (DESIGN: measured, never estimated);
 * the one estimate, a watch row's time, carries its error bound.
 */
import type { Problem } from '../ingest/problems.ts';
import type { HpaWatchSample } from './hpa-watch.ts';

/**
 * A problem found while reading a snapshot. `line` is 1-based within the text that was parsed (for a
 * JSON-lines capture log, within that entry's `stdout`), `null` when it is not tied to a line.
 * `warning`: the data is usable as read (a klog line skipped, a capture time taken from the file's
 * mtime); `error`: something the capture should hold is missing.
 */
export interface SnapshotProblem extends Problem {
  readonly severity: 'error' | 'warning';
}

/** What every parser returns: the records it could read and the problems it met. */
export interface ParseResult<T> {
  readonly records: readonly T[];
  readonly problems: readonly SnapshotProblem[];
}

/** CPU and memory of one pod (`container: null`) or one container, from `kubectl top` or the Metrics API. */
export interface PodResourceSample {
  /** `null` when the capture does not show it (`kubectl top pods` without `-A`). */
  readonly namespace: string | null;
  readonly pod: string;
  readonly container: string | null;
  /** `null` when the source says `<unknown>` or gives no usable value. */
  readonly cpuMillicores: number | null;
  readonly memoryBytes: number | null;
  /** The Metrics API `timestamp` (scrape time, not request time), Unix ms; `null` for `kubectl top`. */
  readonly scrapedAtMs: number | null;
  /** The Metrics API `window` the usage is averaged over, in ms; `null` for `kubectl top`. */
  readonly windowMs: number | null;
}

/** CPU and memory of one node. Percentages are of allocatable, so they can exceed 100. */
export interface NodeResourceSample {
  readonly node: string;
  readonly cpuMillicores: number | null;
  readonly cpuPercent: number | null;
  readonly memoryBytes: number | null;
  readonly memoryPercent: number | null;
  /** Scrape time, Unix ms: the Metrics API `timestamp` or the pre-1.5 `TIMESTAMP` column; else `null`. */
  readonly scrapedAtMs: number | null;
  readonly windowMs: number | null;
}

/** One metric of an HPA: what it measures now against what it aims for. */
export interface HpaMetric {
  /** `cpu`, `memory`, a custom metric's name; `null` when the source prints no name (kubectl < 1.30). */
  readonly name: string | null;
  /** As the source shows it (`45%`, `301m`); `null` for `<unknown>` or when there is no status yet. */
  readonly current: string | null;
  /** `70%`, `1`, `10`; `null` for `<auto>` or when absent. */
  readonly target: string | null;
  /** Percent for `percent`, the quantity's value for `quantity` (`301m` → 0.301, `200Mi` → 209715200). */
  readonly currentValue: number | null;
  readonly targetValue: number | null;
  readonly unit: 'percent' | 'quantity';
}

export interface HpaCondition {
  /** `AbleToScale`, `ScalingActive`, `ScalingLimited`. */
  readonly type: string;
  /** `"True"` → true, `"False"` → false, `"Unknown"` (or anything else) → `null`. */
  readonly status: boolean | null;
  readonly reason: string | null;
  readonly message: string | null;
}

/** One HorizontalPodAutoscaler as a table row or an object. */
export interface HpaSample {
  readonly namespace: string | null;
  readonly name: string;
  /** `Deployment/web` (kind/name of the scale target). */
  readonly reference: string | null;
  readonly minReplicas: number | null;
  readonly maxReplicas: number | null;
  readonly currentReplicas: number | null;
  /** Only objects carry it; `null` for tables. */
  readonly desiredReplicas: number | null;
  readonly metrics: readonly HpaMetric[];
  readonly conditions: readonly HpaCondition[];
  readonly lastScaleTimeMs: number | null;
}

/** One row of `kubectl get events`. */
export interface EventRecord {
  readonly namespace: string | null;
  /** The LAST SEEN column as printed (`2m13s`, `<unknown>`). */
  readonly lastSeen: string;
  /**
   * Capture time minus LAST SEEN, Unix ms; `null` without a capture time or for `<unknown>`. kubectl
   * truncates ages (`44m` is 44 to 45 minutes), so this is up to one unit of the last field too late.
   */
  readonly timeMs: number | null;
  /** `Normal` or `Warning`. */
  readonly type: string;
  readonly reason: string;
  /** `kind/name` of the involved object (`horizontalpodautoscaler/web`). */
  readonly object: string;
  readonly message: string;
  /** The COUNT column of `-o wide`; `null` without it. */
  readonly count: number | null;
  /** From an HPA `New size: N; reason: …` message, else `null`. */
  readonly newSize: number | null;
  readonly rescaleReason: string | null;
}

/** Where a pod runs, from `kubectl get pods -o wide`. */
export interface PodPlacement {
  readonly namespace: string | null;
  readonly pod: string;
  /** The READY column as printed (`1/2`). */
  readonly ready: string;
  readonly readyContainers: number | null;
  readonly totalContainers: number | null;
  /** `Running`, `Pending`, `Terminating`, `Init:0/1`, … as printed. */
  readonly status: string;
  readonly restarts: number | null;
  readonly age: string | null;
  /** `null` for `<none>` (a pending pod) or a row cut short. */
  readonly ip: string | null;
  readonly node: string | null;
}

/**
 * One replica of the local sample service in its cgroup (the sweep's `cgroup` captures): its limits
 * and the counters that show them at work, as cAdvisor exports them for a container. Counters are
 * cumulative over the service's run, across restarts of the replica (its group outlives them).
 */
export interface ReplicaLimitSample {
  /** `sample-replica-<i>`, the name its `process` captures give it as a pod. */
  readonly name: string;
  /** `null` while the replica is down (between an OOM kill and its restart). */
  readonly pid: number | null;
  readonly cgroupVersion: 1 | 2;
  /** CFS quota ÷ period; `null` without a CPU limit. */
  readonly cpuLimitCores: number | null;
  /** CFS periods the replica ran in (`container_cpu_cfs_periods_total`). */
  readonly cpuPeriods: number | null;
  /** Periods in which it used up its quota (`container_cpu_cfs_throttled_periods_total`). */
  readonly cpuThrottledPeriods: number | null;
  /** Time it was held back (`container_cpu_cfs_throttled_seconds_total`). */
  readonly cpuThrottledSeconds: number | null;
  /** `null` without a memory limit. */
  readonly memoryLimitBytes: number | null;
  /** Usage, page cache included (`container_memory_usage_bytes`). */
  readonly memoryUsageBytes: number | null;
  /** Usage minus inactive file cache (`container_memory_working_set_bytes`). */
  readonly memoryWorkingSetBytes: number | null;
  /** Highest usage so far (`container_memory_max_usage_bytes`); `null` where the kernel keeps none. */
  readonly memoryPeakBytes: number | null;
  /** Times the replica was OOM-killed (killed by SIGKILL while its group's OOM counter rose). */
  readonly oomKills: number | null;
  /** Times it was restarted after it died. */
  readonly restarts: number | null;
}

export type SnapshotKind =
  | 'top-pods'
  | 'top-nodes'
  | 'metrics-api'
  | 'hpa'
  | 'hpa-json'
  /** `kubectl get hpa -w`: one row per change, each at its own (estimated) time, read into `hpaWatch`. */
  | 'hpa-watch'
  /** `kubectl get hpa -o yaml`: the same objects as `hpa-json`. */
  | 'hpa-yaml'
  /** `kubectl describe hpa`: the HPAs (desired replicas and conditions included) and their events. */
  | 'hpa-describe'
  | 'events'
  | 'pods-wide'
  /** The local sample service's replicas in their cgroups (a `ReplicaCgroupStats` document). */
  | 'cgroup'
  /** A moment the user recorded with `npm run mark` (a failover, a node drained by hand). */
  | 'marker'
  /** The capture holds only an error (`error: Metrics API not available`). */
  | 'error'
  /** The content is none of the above. */
  | 'unknown';

/** A record with the time its snapshot was captured. */
export type Captured<T> = T & { readonly capturedAtMs: number };

/** A moment the user recorded with `npm run mark`: what happened, to which pod, in their words. */
export interface MarkerRecord {
  readonly kind: string;
  readonly pod: string | null;
  readonly note: string | null;
}

/** One capture, parsed. Arrays that do not apply to the kind are empty. */
export interface SnapshotResult {
  readonly file: string;
  /** Line of the JSON-lines capture log holding this capture; `null` for a plain file. */
  readonly entry: number | null;
  readonly kind: SnapshotKind;
  /**
   * When the capture was taken, Unix ms. `null` only for a log line that could not be read at all
   * (then there are no records).
   */
  readonly capturedAtMs: number | null;
  /** The command that produced the capture, when the capture log names it. */
  readonly command: readonly string[] | null;
  /** Per pod (`container: null`); with `top --containers`, the sum of the printed containers. */
  readonly pods: readonly Captured<PodResourceSample>[];
  /** Per container, from `top --containers` or the Metrics API. */
  readonly containers: readonly Captured<PodResourceSample>[];
  readonly nodes: readonly Captured<NodeResourceSample>[];
  /** HPAs as they were at `capturedAtMs` (tables, objects, descriptions); empty for a watch log. */
  readonly hpas: readonly Captured<HpaSample>[];
  /**
   * The rows of a `kubectl get hpa -w` log, each at its own `timeMs ± timeUncertaintyMs` (`null` when
   * the log cannot place it); `capturedAtMs` is the log's, not the row's.
   */
  readonly hpaWatch?: readonly Captured<HpaWatchSample>[];
  readonly events: readonly Captured<EventRecord>[];
  readonly placements: readonly Captured<PodPlacement>[];
  /**
   * The load generator's own CPU and memory (the sweep's `loadgen` captures of k6, one "pod" `k6`),
   * kept apart from `pods` so it is never counted as the target's.
   */
  readonly loadgen?: readonly Captured<PodResourceSample>[];
  /** Limits and their counters per replica (`cgroup` captures), never counted as pods. */
  readonly limits?: readonly Captured<ReplicaLimitSample>[];
  /** Moments recorded by `npm run mark`, at `capturedAtMs`. */
  readonly markers?: readonly Captured<MarkerRecord>[];
  readonly problems: readonly SnapshotProblem[];
}
