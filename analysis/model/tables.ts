/**
 * The run model as arquero tables, for reports and for notebook-like custom analyses. One row per
 * fact, plain columns (numbers, strings, ISO times), so arquero verbs (`filter`, `groupby`,
 * `rollup`, `join`) work on them directly.
 */
import { from, type ColumnTable } from 'arquero';
import type { BucketStats, SeriesGroup } from '../ingest/aggregate.ts';
import { LogHistogram } from '../stats/log-histogram.ts';
import type { SnapshotResult } from '../snapshots/types.ts';
import { groupsOf, type Run } from './run.ts';

/** Tags that become columns of the groups table (others stay in `tags`, a JSON string). */
export const GROUP_TAG_COLUMNS = ['scenario', 'name', 'method', 'status', 'expected_response', 'level', 'instance_id'] as const;

/**
 * One row per run per time bucket: request counts and rates, latency percentiles of the requests
 * in that bucket (from merged histograms), iterations, dropped iterations, and VUs (the sum over
 * runners of each runner's last `vus` value in the bucket).
 */
export function seriesTable(runs: readonly Run[], bucketMs: number): ColumnTable {
  const rows: Record<string, unknown>[] = [];
  for (const run of runs) {
    const buckets = new Map<number, { requests: number; failed: number; iterations: number; dropped: number; vus: number | null; hist: LogHistogram }>();
    const at = (bucket: number) => {
      let entry = buckets.get(bucket);
      if (entry === undefined) {
        entry = { requests: 0, failed: 0, iterations: 0, dropped: 0, vus: null, hist: new LogHistogram() };
        buckets.set(bucket, entry);
      }
      return entry;
    };
    const each = (metric: string, fn: (entry: ReturnType<typeof at>, stats: BucketStats) => void): void => {
      for (const group of groupsOf(run, metric)) for (const [bucket, stats] of group.buckets) fn(at(bucket), stats);
    };
    each('http_reqs', (e, s) => (e.requests += s.count));
    each('http_req_failed', (e, s) => (e.failed += s.nonzero));
    each('iterations', (e, s) => (e.iterations += s.count));
    each('dropped_iterations', (e, s) => (e.dropped += s.sum));
    each('vus', (e, s) => (e.vus = (e.vus ?? 0) + s.last));
    each('http_req_duration', (e, s) => {
      if (s.hist !== null) e.hist.merge(s.hist);
    });
    const ordered = [...buckets.keys()].sort((a, b) => a - b);
    const first = ordered[0] ?? 0;
    for (const bucket of ordered) {
      const e = buckets.get(bucket) as ReturnType<typeof at>;
      const latency = e.hist.count > 0;
      rows.push({
        run: run.id,
        t: ((bucket - first) * bucketMs) / 1000,
        time: new Date(bucket * bucketMs).toISOString(),
        requests: e.requests,
        rps: e.requests / (bucketMs / 1000),
        failed: e.failed,
        error_rate: e.requests > 0 ? e.failed / e.requests : null,
        p50_ms: latency ? e.hist.quantile(0.5) : null,
        p95_ms: latency ? e.hist.quantile(0.95) : null,
        p99_ms: latency ? e.hist.quantile(0.99) : null,
        mean_ms: latency ? e.hist.mean() : null,
        iterations: e.iterations,
        dropped_iterations: e.dropped,
        vus: e.vus,
      });
    }
  }
  return from(rows.length > 0 ? rows : [], SERIES_COLUMNS);
}

const SERIES_COLUMNS = ['run', 't', 'time', 'requests', 'rps', 'failed', 'error_rate', 'p50_ms', 'p95_ms', 'p99_ms', 'mean_ms', 'iterations', 'dropped_iterations', 'vus'];

/** One row per run per group (metric and tag set), over the whole run. */
export function groupsTable(runs: readonly Run[]): ColumnTable {
  const rows: Record<string, unknown>[] = [];
  for (const run of runs) {
    for (const group of run.aggregator?.groups() ?? []) rows.push({ run: run.id, ...groupRow(group) });
  }
  return from(rows, ['run', 'metric', 'type', ...GROUP_TAG_COLUMNS, 'tags', 'count', 'sum', 'mean', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'nonzero', 'rate']);
}

function groupRow(group: SeriesGroup): Record<string, unknown> {
  let count = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let nonzero = 0;
  const hist = group.type === 'trend' || group.type === 'unknown' ? new LogHistogram() : null;
  for (const stats of group.buckets.values()) {
    count += stats.count;
    sum += stats.sum;
    min = Math.min(min, stats.min);
    max = Math.max(max, stats.max);
    nonzero += stats.nonzero;
    if (hist !== null && stats.hist !== null) hist.merge(stats.hist);
  }
  const tagColumns = Object.fromEntries(GROUP_TAG_COLUMNS.map((tag) => [tag, group.tags[tag] ?? null]));
  return {
    metric: group.metric,
    type: group.type,
    ...tagColumns,
    tags: JSON.stringify(group.tags),
    count,
    sum,
    mean: count > 0 ? sum / count : null,
    min: count > 0 ? min : null,
    max: count > 0 ? max : null,
    p50: hist?.quantile(0.5) ?? null,
    p90: hist?.quantile(0.9) ?? null,
    p95: hist?.quantile(0.95) ?? null,
    p99: hist?.quantile(0.99) ?? null,
    nonzero,
    rate: group.type === 'rate' && count > 0 ? nonzero / count : null,
  };
}

/** Captures with the run they belong to (`null` for captures outside every run). */
function captures(runs: readonly Run[], loose: readonly SnapshotResult[]): { run: string | null; snapshot: SnapshotResult }[] {
  const seen = new Set<SnapshotResult>();
  const out: { run: string | null; snapshot: SnapshotResult }[] = [];
  for (const run of runs) {
    for (const snapshot of run.snapshots) {
      seen.add(snapshot);
      out.push({ run: run.id, snapshot });
    }
  }
  for (const snapshot of loose) if (!seen.has(snapshot)) out.push({ run: null, snapshot });
  return out;
}

const time = (ms: number | null): string | null => (ms === null || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

/** Pod (or replica process) CPU and memory over time, one row per pod per capture. */
export function resourcesTable(runs: readonly Run[], loose: readonly SnapshotResult[] = []): ColumnTable {
  const rows = captures(runs, loose).flatMap(({ run, snapshot }) =>
    snapshot.pods.map((pod) => ({
      run,
      time: time(pod.scrapedAtMs ?? snapshot.capturedAtMs),
      namespace: pod.namespace,
      pod: pod.pod,
      cpu_millicores: pod.cpuMillicores,
      memory_bytes: pod.memoryBytes,
      source: snapshot.kind,
    })),
  );
  return from(rows, ['run', 'time', 'namespace', 'pod', 'cpu_millicores', 'memory_bytes', 'source']);
}

/** HPA state over time: current and desired replicas against the bounds. */
export function replicasTable(runs: readonly Run[], loose: readonly SnapshotResult[] = []): ColumnTable {
  const rows = captures(runs, loose).flatMap(({ run, snapshot }) =>
    snapshot.hpas.map((hpa) => ({
      run,
      time: time(snapshot.capturedAtMs),
      namespace: hpa.namespace,
      hpa: hpa.name,
      reference: hpa.reference,
      current: hpa.currentReplicas,
      desired: hpa.desiredReplicas,
      min: hpa.minReplicas,
      max: hpa.maxReplicas,
    })),
  );
  return from(rows, ['run', 'time', 'namespace', 'hpa', 'reference', 'current', 'desired', 'min', 'max']);
}

/** Cluster events, placed in time from the capture time and their LAST SEEN age where possible. */
export function eventsTable(runs: readonly Run[], loose: readonly SnapshotResult[] = []): ColumnTable {
  const seen = new Set<string>();
  const rows = captures(runs, loose).flatMap(({ run, snapshot }) =>
    snapshot.events
      .map((event) => ({
        run,
        time: time(event.timeMs),
        namespace: event.namespace,
        type: event.type,
        reason: event.reason,
        object: event.object,
        message: event.message,
        new_size: event.newSize,
      }))
      // Repeated captures list the same event again: keep one row per event.
      .filter((row) => {
        const key = `${row.run}|${row.namespace}|${row.reason}|${row.object}|${row.message}|${row.time?.slice(0, 16)}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      }),
  );
  return from(rows, ['run', 'time', 'namespace', 'type', 'reason', 'object', 'message', 'new_size']);
}
