/**
 * The run model as arquero tables, for reports and for notebook-like custom analyses. One row per
 * fact, plain columns (numbers, strings, ISO times), so arquero verbs (`filter`, `groupby`,
 * `rollup`, `join`) work on them directly.
 */
import { from, type ColumnTable } from 'arquero';
import { quantileSorted } from 'simple-statistics';
import { groupTotals, type BucketStats, type SeriesGroup } from '../ingest/aggregate.ts';
import { LogHistogram } from '../stats/log-histogram.ts';
import type { SnapshotResult } from '../snapshots/types.ts';
import { hpaPointsFromSnapshots } from './hpa.ts';
import { groupsOf, loadgenNumbers, loadgenVerdict, runNumbers, type Run } from './run.ts';
import { endpointNumbers, steadyNumbers } from './steady.ts';

/** Tags that become columns of the groups table (others stay in `tags`, a JSON string). */
export const GROUP_TAG_COLUMNS = ['scenario', 'name', 'method', 'status', 'expected_response', 'level', 'instance_id'] as const;

/**
 * One row per run per time bucket: request counts and rates, latency percentiles of the requests
 * in that bucket (from merged histograms, α = 0.5%), iterations, dropped iterations, and VUs (the sum
 * over runners of each runner's last `vus` value in the bucket). Each run has its own bucket
 * (`bucket_s`: 1 s, coarser for long runs, ingest/aggregate.ts); rates are per second whatever it is.
 */
export function seriesTable(runs: readonly Run[]): ColumnTable {
  const rows: Record<string, unknown>[] = [];
  for (const run of runs) {
    const bucketMs = run.aggregator?.bucketMs ?? 1000;
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
        bucket_s: bucketMs / 1000,
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

const SERIES_COLUMNS = ['run', 't', 'time', 'requests', 'rps', 'bucket_s', 'failed', 'error_rate', 'p50_ms', 'p95_ms', 'p99_ms', 'mean_ms', 'iterations', 'dropped_iterations', 'vus'];

/** One row per run per group (metric and tag set), over the whole run. */
export function groupsTable(runs: readonly Run[]): ColumnTable {
  const rows: Record<string, unknown>[] = [];
  for (const run of runs) {
    for (const group of run.aggregator?.groups() ?? []) rows.push({ run: run.id, ...groupRow(group) });
  }
  return from(rows, ['run', 'metric', 'type', ...GROUP_TAG_COLUMNS, 'tags', 'count', 'sum', 'mean', 'min', 'max', 'p50', 'p90', 'p95', 'p99', 'nonzero', 'rate']);
}

function groupRow(group: SeriesGroup): Record<string, unknown> {
  const { count, sum, min, max, nonzero } = groupTotals(group);
  // The whole-run histogram (α = 0.1%), not the per-bucket ones (α = 0.5%).
  const hist = group.histogram;
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

/**
 * HPA state over time: current and desired replicas against the bounds, one row per HPA per point of
 * model/hpa.ts `hpaPointsFromSnapshots`: a capture's HPAs at its time, a watch log's rows each at its
 * own estimated time, true within ± `time_uncertainty_ms` (0 for a capture's own time). Watch rows the
 * log cannot place are left out; their parser said why in the capture's problems.
 */
export function replicasTable(runs: readonly Run[], loose: readonly SnapshotResult[] = []): ColumnTable {
  const rows = captures(runs, loose).flatMap(({ run, snapshot }) =>
    hpaPointsFromSnapshots([snapshot]).map((point) => ({
      run,
      time: time(point.timeMs),
      namespace: point.namespace,
      hpa: point.name,
      reference: point.reference,
      current: point.currentReplicas,
      desired: point.desiredReplicas,
      min: point.minReplicas,
      max: point.maxReplicas,
      time_uncertainty_ms: point.timeUncertaintyMs,
    })),
  );
  return from(rows, ['run', 'time', 'namespace', 'hpa', 'reference', 'current', 'desired', 'min', 'max', 'time_uncertainty_ms']);
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

/**
 * One row per run: what identifies it, its whole-run numbers, its steady-state numbers (warm-up and
 * the last partial second left out: model/steady.ts) and what limited the load generator. The table
 * every per-run analysis starts from.
 */
export function runsTable(runs: readonly Run[], options: { warmupMs?: number | undefined; sweepOf?: (run: Run) => string | null } = {}): ColumnTable {
  const rows = runs.map((run) => {
    const numbers = runNumbers(run);
    const steady = steadyNumbers(run, { warmupMs: options.warmupMs });
    const loadgen = loadgenNumbers(run);
    const verdict = loadgenVerdict(run);
    return {
      run: run.id,
      label: run.label,
      sweep: options.sweepOf?.(run) ?? null,
      target: run.target,
      scenario: run.scenario,
      level: run.level,
      replicas: run.replicas,
      status: run.status,
      source: numbers.source,
      start: numbers.start,
      end: numbers.end,
      duration_s: numbers.duration_s,
      requests: numbers.requests,
      failed_requests: numbers.failed_requests,
      error_rate: numbers.error_rate,
      rps: numbers.rps,
      dropped_iterations: numbers.dropped_iterations,
      planned_iterations: run.plannedIterations,
      p50_ms: numbers.latency_ms.p50,
      p90_ms: numbers.latency_ms.p90,
      p95_ms: numbers.latency_ms.p95,
      p99_ms: numbers.latency_ms.p99,
      mean_ms: numbers.latency_ms.mean,
      max_ms: numbers.latency_ms.max,
      steady_from: steady === null ? null : new Date(steady.from_ms).toISOString(),
      steady_s: steady?.duration_s ?? null,
      warmup_s: steady?.warmup_s ?? null,
      steady_requests: steady?.requests ?? null,
      steady_rps: steady?.rps ?? null,
      steady_error_rate: steady?.error_rate ?? null,
      steady_dropped: steady?.dropped_iterations ?? null,
      steady_iterations: steady?.iterations ?? null,
      steady_p50_ms: steady?.latency_ms.p50 ?? null,
      steady_p95_ms: steady?.latency_ms.p95 ?? null,
      steady_p99_ms: steady?.latency_ms.p99 ?? null,
      achieved_share: steady?.achieved_share ?? (run.level !== null && numbers.rps !== null && run.level > 0 ? numbers.rps / run.level : null),
      loadgen_cpu_m: loadgen.cpu_mean_millicores,
      loadgen_cpu_limited: verdict.cpu,
      out_of_vus: verdict.vus,
      iteration_ms: loadgen.iteration_mean_ms,
      slo_p95_ms: run.summary?.run?.slo.p95_ms ?? null,
      slo_p99_ms: run.summary?.run?.slo.p99_ms ?? null,
      slo_error_rate: run.summary?.run?.slo.error_rate ?? null,
      thresholds: JSON.stringify(run.summary?.thresholds ?? []),
    };
  });
  return from(rows, RUN_COLUMNS);
}

const RUN_COLUMNS = [
  'run', 'label', 'sweep', 'target', 'scenario', 'level', 'replicas', 'status', 'source', 'start', 'end', 'duration_s', 'requests', 'failed_requests',
  'error_rate', 'rps', 'dropped_iterations', 'planned_iterations', 'p50_ms', 'p90_ms', 'p95_ms', 'p99_ms', 'mean_ms', 'max_ms', 'steady_from', 'steady_s',
  'warmup_s', 'steady_requests', 'steady_rps', 'steady_error_rate', 'steady_dropped', 'steady_iterations', 'steady_p50_ms', 'steady_p95_ms', 'steady_p99_ms',
  'achieved_share', 'loadgen_cpu_m', 'loadgen_cpu_limited', 'out_of_vus', 'iteration_ms', 'slo_p95_ms', 'slo_p99_ms', 'slo_error_rate', 'thresholds',
];

/** One row per run per endpoint (k6's `name` tag and method) over the run's steady window. */
export function endpointsTable(runs: readonly Run[], options: { warmupMs?: number | undefined } = {}): ColumnTable {
  const rows = runs.flatMap((run) =>
    endpointNumbers(run, { warmupMs: options.warmupMs }).map((endpoint) => ({
      run: run.id,
      name: endpoint.name,
      method: endpoint.method,
      requests: endpoint.requests,
      share: endpoint.share,
      error_rate: endpoint.error_rate,
      p50_ms: endpoint.latency_ms.p50,
      p95_ms: endpoint.latency_ms.p95,
      p99_ms: endpoint.latency_ms.p99,
      max_ms: endpoint.latency_ms.max,
    })),
  );
  return from(rows, ['run', 'name', 'method', 'requests', 'share', 'error_rate', 'p50_ms', 'p95_ms', 'p99_ms', 'max_ms']);
}

/** Target pods' and k6's CPU and memory over the captures taken while each run sent load, per pod. */
export function usageTable(runs: readonly Run[]): ColumnTable {
  const rows: Record<string, unknown>[] = [];
  for (const run of runs) {
    const numbers = runNumbers(run);
    const from_ = numbers.start === null ? Number.NEGATIVE_INFINITY : Date.parse(numbers.start);
    // The last capture during the load may come a moment after the last sample.
    const to = numbers.end === null ? Number.POSITIVE_INFINITY : Date.parse(numbers.end) + 1000;
    const byPod = new Map<string, { cpu: number[]; memory: number[]; role: 'target' | 'loadgen' }>();
    // A local replica's cgroup working set (taken a moment after its /proc reading, in the same
    // capture) is its memory as a pod's metric counts it; RSS also counts shared pages.
    const workingSets = new Map<string, number[]>();
    for (const snapshot of run.snapshots) {
      if (snapshot.capturedAtMs === null || snapshot.capturedAtMs < from_ || snapshot.capturedAtMs > to) continue;
      for (const sample of snapshot.limits ?? []) {
        if (sample.memoryWorkingSetBytes !== null) workingSets.set(sample.name, [...(workingSets.get(sample.name) ?? []), sample.memoryWorkingSetBytes]);
      }
    }
    const memorySource = new Map<string, 'cgroup' | 'pods'>();
    for (const snapshot of run.snapshots) {
      if (snapshot.capturedAtMs === null || snapshot.capturedAtMs < from_ || snapshot.capturedAtMs > to) continue;
      for (const [role, samples] of [['target', snapshot.pods], ['loadgen', snapshot.loadgen ?? []]] as const) {
        for (const pod of samples) {
          const key = role === 'loadgen' ? 'k6 (load generator)' : pod.namespace === null ? pod.pod : `${pod.namespace}/${pod.pod}`;
          const entry = byPod.get(key) ?? { cpu: [], memory: [], role };
          if (pod.cpuMillicores !== null) entry.cpu.push(pod.cpuMillicores);
          const cgroup = role === 'target' ? workingSets.get(pod.pod) : undefined;
          if (cgroup === undefined && pod.memoryBytes !== null) entry.memory.push(pod.memoryBytes);
          byPod.set(key, entry);
          if (cgroup !== undefined && !memorySource.has(key)) {
            entry.memory.push(...cgroup);
            memorySource.set(key, 'cgroup');
          }
        }
      }
    }
    const ordered = [...byPod].sort(([a, x], [b, y]) => (x.role === y.role ? a.localeCompare(b) : x.role === 'target' ? -1 : 1));
    for (const [pod, { cpu, memory, role }] of ordered) {
      const sortedCpu = [...cpu].sort((a, b) => a - b);
      rows.push({
        run: run.id,
        pod,
        role,
        captures: Math.max(cpu.length, memory.length),
        cpu_mean_m: cpu.length === 0 ? null : cpu.reduce((a, b) => a + b, 0) / cpu.length,
        // R-7 over the captures: each is a mean over its own window (about the capture interval).
        cpu_p95_m: cpu.length === 0 ? null : quantileSorted(sortedCpu, 0.95),
        cpu_max_m: cpu.length === 0 ? null : Math.max(...cpu),
        memory_max_bytes: memory.length === 0 ? null : Math.max(...memory),
        memory_source: memory.length === 0 ? null : (memorySource.get(pod) ?? 'pods'),
      });
    }
  }
  return from(rows, ['run', 'pod', 'role', 'captures', 'cpu_mean_m', 'cpu_p95_m', 'cpu_max_m', 'memory_max_bytes', 'memory_source']);
}
