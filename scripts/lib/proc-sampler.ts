/**
 * Resource use of local replica processes, read from /proc, in the shape the analysis reads for pods:
 * a Metrics API PodMetricsList (CPU in nanocores averaged over the window, memory as RSS in Ki), one
 * "pod" per replica. CPU is the difference of user + system time between two readings, like the
 * kubelet's usage_nano_cores over its window.
 */
import { readFileSync } from 'node:fs';

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
