/**
 * Resource use of local replica processes, read from /proc, in the shape the analysis reads for pods:
 * a Metrics API PodMetricsList (CPU in nanocores averaged over the window, memory as RSS in Ki), one
 * "pod" per replica. CPU is the difference of user + system time between two readings, like the
 * kubelet's usage_nano_cores over its window.
 *
 * Replicas with limits are also read from their cgroups (`sampleCgroups`): limits, CFS throttling,
 * memory usage and peak, OOM kills — a `ReplicaCgroupStats` document (analysis/snapshots/cgroup.ts).
 */
import { readFileSync } from 'node:fs';
import { CGROUP_STATS_API_VERSION, CGROUP_STATS_KIND, type CgroupStatsDocument, type CgroupStatsReplica } from '../../analysis/snapshots/cgroup.ts';
import { readCgroupStats, type CgroupPaths } from './cgroups.ts';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;
const MIN_WINDOW_MS = 500;

export interface ProcReading {
  readonly pid: number;
  readonly atMs: number;
  readonly cpuTicks: number;
  readonly rssBytes: number;
}

/** One reading of `pid`, or `null` when the process is gone. */
export function readProc(pid: number, atMs: number = Date.now()): ProcReading | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
    if (!Number.isFinite(cpuTicks) || !Number.isFinite(rssKb)) return null;
    return { pid, atMs, cpuTicks, rssBytes: rssKb * 1024 };
  } catch {
    return null;
  }
}

export interface Replica {
  readonly name: string;
  readonly pid: number;
}

/**
 * Samples replicas: each call to `sample` reads every replica and returns a PodMetricsList of those
 * with a previous reading of the same PID (a restarted replica starts a new window).
 */
export class ProcSampler {
  private readonly previous = new Map<number, ProcReading>();

  constructor(private readonly namespace = 'local') {}

  sample(replicas: readonly Replica[], atMs: number = Date.now()): { json: string; pods: number } {
    const items: unknown[] = [];
    for (const replica of replicas) {
      const reading = readProc(replica.pid, atMs);
      if (reading === null) continue;
      const before = this.previous.get(replica.pid);
      // CPU times move in 10 ms ticks: a window shorter than MIN_WINDOW_MS would be mostly rounding,
      // so such a reading is skipped and the window keeps growing until the next one.
      if (before !== undefined && reading.atMs - before.atMs < MIN_WINDOW_MS) continue;
      this.previous.set(replica.pid, reading);
      if (before === undefined) continue;
      const seconds = (reading.atMs - before.atMs) / 1000;
      const nanocores = Math.round((((reading.cpuTicks - before.cpuTicks) / USER_HZ) / seconds) * 1e9);
      items.push({
        metadata: { name: replica.name, namespace: this.namespace, labels: { pid: String(replica.pid) } },
        timestamp: new Date(atMs).toISOString(),
        window: `${seconds.toFixed(3)}s`,
        containers: [{ name: 'sample', usage: { cpu: `${nanocores}n`, memory: `${Math.round(reading.rssBytes / 1024)}Ki` } }],
      });
    }
    return { json: JSON.stringify({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items }), pods: items.length };
  }
}

/** A replica in its cgroup, as the sample service's state file describes it. */
export interface LimitedReplica {
  /** `sample-replica-<i>`, as in `Replica`. */
  readonly name: string;
  /** `null` while it is down (between its death and its restart). */
  readonly pid: number | null;
  /** Its group; it outlives restarts, so its counters add up over the service's run. */
  readonly cgroup: CgroupPaths;
  readonly restarts: number;
  /** Deaths by SIGKILL while its group's OOM-kill counter rose, as the service saw them. */
  readonly oomKills: number;
}

/** Where the limits of a running service are read from (a RunningService is one). */
export interface LimitSource {
  /** The replicas in their groups now; empty when limits are not enforced. */
  limitedReplicas(): readonly LimitedReplica[];
}

/**
 * Reads every replica's group now: its limits and counters as the kernel shows them (the quota and
 * limit it applied, not the flags it was given), with the service's restart and OOM-kill counts.
 */
export function sampleCgroups(replicas: readonly LimitedReplica[]): { json: string; document: CgroupStatsDocument } {
  const rows: CgroupStatsReplica[] = [];
  let version: 1 | 2 = 1;
  for (const replica of replicas) {
    const stats = readCgroupStats(replica.cgroup);
    version = stats.version;
    rows.push({
      name: replica.name,
      pid: replica.pid,
      cpu_limit_cores: stats.cpuLimitCores,
      cpu_periods: stats.cpuPeriods,
      cpu_throttled_periods: stats.cpuThrottledPeriods,
      cpu_throttled_seconds: stats.cpuThrottledSeconds,
      memory_limit_bytes: stats.memoryLimitBytes,
      memory_usage_bytes: stats.memoryUsageBytes,
      memory_working_set_bytes: stats.memoryWorkingSetBytes,
      memory_peak_bytes: stats.memoryPeakBytes,
      oom_kills: replica.oomKills,
      restarts: replica.restarts,
    });
  }
  const document: CgroupStatsDocument = { kind: CGROUP_STATS_KIND, apiVersion: CGROUP_STATS_API_VERSION, cgroup_version: version, replicas: rows };
  return { json: JSON.stringify(document), document };
}
