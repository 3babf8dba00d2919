/**
 * Vertical scaling: tiers of one service (the same scenario and replica count at different CPU and
 * memory sizes per replica — a matrix's `--cpu`/`--memory` cells, or targets sized small / medium /
 * large analysed together). Per tier: its maximum sustainable rate under the SLO (capacity.ts), the
 * rate per core and per GiB, the efficiency against the smallest tier (rate per core ÷ the smallest
 * tier's rate per core), p95 at the highest rate every tier holds, CPU throttling, memory headroom,
 * and the smallest tier that holds a target rate (`--target-rate`).
 */
import type { TopLevelSpec } from 'vega-lite';
import { finding, type Finding } from '../findings.ts';
import type { Sweep } from '../model/sweeps.ts';
import { section } from '../report/section.ts';
import { join, t, value, type Phrase } from '../report/text.ts';
import { capacityOf, type Capacity } from './capacity.ts';
import { runRows, type AnalysisContext, type AnalysisDefinition } from './context.ts';

/** Memory used above this share of the limit is flagged: the next spike is an OOM kill. */
export const MEMORY_NEAR_LIMIT = 0.9;
/** Throttled in this share of CFS periods or more: the CPU limit, not the work, sets the latency. */
export const THROTTLED_WARN = 0.2;

export interface Tier {
  readonly sweep: string;
  readonly label: string;
  readonly cores: number | null;
  readonly memory_bytes: number | null;
  readonly max_sustainable_rps: number | null;
  /** The tier held every level tested: its capacity is at least `max_sustainable_rps`. */
  readonly censored: boolean;
  readonly rps_per_core: number | null;
  readonly rps_per_gib: number | null;
  /** Rate per core ÷ the smallest tier's rate per core (1 = scales as its cores do). */
  readonly efficiency: number | null;
  /** Share of CFS periods throttled over the tier's levels; `null` without cgroup captures. */
  readonly throttled_share: number | null;
  /** Peak memory of a replica over the tier's levels ÷ its limit; `null` when either is unknown. */
  readonly memory_peak_share: number | null;
  readonly memory_peak_bytes: number | null;
  /** Where the peak comes from: the replicas' cgroups (working set, what a pod's memory is) or the pod metrics. */
  readonly memory_source: 'cgroup' | 'pods' | null;
  /** OOM kills of the tier's replicas during its levels; `null` without cgroup captures. */
  readonly oom_kills: number | null;
  /** p95 at the highest level every tier holds. */
  readonly p95_at_common_ms: number | null;
}

export interface VerticalScaling {
  readonly tiers: readonly Tier[];
  /** The highest level every tier held (the rate the p95 column compares at). */
  readonly common_level: number | null;
  readonly smallest_meeting: { readonly sweep: string; readonly rate: number } | null;
  readonly target_rate: number | null;
}

interface UsageRow {
  readonly run: string;
  readonly role: 'target' | 'loadgen';
  readonly memory_max_bytes: number | null;
}

/** Sweeps that are tiers of one another: same scenario and replica count, sizes known and distinct. */
export function tierFamilies(sweeps: readonly Sweep[]): Sweep[][] {
  const families = new Map<string, Sweep[]>();
  for (const sweep of sweeps) {
    if (sweep.resources === null || (sweep.resources.cores === null && sweep.resources.memory_bytes === null)) continue;
    const key = `${sweep.scenario ?? ''}|${sweep.replicas ?? ''}`;
    families.set(key, [...(families.get(key) ?? []), sweep]);
  }
  const size = (s: Sweep): string => `${s.resources?.cores ?? ''}|${s.resources?.memory_bytes ?? ''}`;
  return [...families.values()].filter((family) => new Set(family.map(size)).size >= 2);
}

export function verticalScaling(context: AnalysisContext, family: readonly Sweep[], targetRate: number | null): VerticalScaling {
  const rows = runRows(context);
  const usage = context.usage.objects() as UsageRow[];
  const sized = [...family].sort((a, b) => (a.resources?.cores ?? 0) - (b.resources?.cores ?? 0) || (a.resources?.memory_bytes ?? 0) - (b.resources?.memory_bytes ?? 0));
  const capacities = sized.map((sweep) => ({ sweep, capacity: capacityOf(sweep, rows, context.options.slo) }));
  // The highest offered level that every tier ran and held.
  const held = capacities.map(({ capacity }) => new Set(capacity.points.filter((p) => p.ok && p.limited === null).map((p) => p.level)));
  const levels = [...new Set(capacities.flatMap(({ capacity }) => capacity.points.map((p) => p.level)))].sort((a, b) => a - b);
  const common = [...levels].reverse().find((level) => held.every((set) => set.has(level))) ?? null;
  const base = capacities[0];
  const perCore = (c: Capacity, sweep: Sweep): number | null =>
    c.max_sustainable?.rps === undefined || c.max_sustainable.rps === null || !sweep.resources?.cores ? null : c.max_sustainable.rps / sweep.resources.cores;
  const baseline = base === undefined ? null : perCore(base.capacity, base.sweep);
  const tiers = capacities.map(({ sweep, capacity }): Tier => {
    const cores = sweep.resources?.cores ?? null;
    const memory = sweep.resources?.memory_bytes ?? null;
    const rps = capacity.max_sustainable?.rps ?? null;
    const rpc = perCore(capacity, sweep);
    const limits = limitCounters(context, sweep);
    const podPeak = Math.max(-1, ...usage.filter((u) => u.role === 'target' && sweep.runs.includes(u.run) && u.memory_max_bytes !== null).map((u) => u.memory_max_bytes as number));
    // The cgroup's working set is what the kernel holds against the limit (and what a pod's memory
    // metric is); a process's RSS also counts shared pages, so it is only the fallback.
    const peak = limits.workingSetMax ?? podPeak;
    return {
      sweep: sweep.id,
      label: sweep.label,
      cores,
      memory_bytes: memory,
      max_sustainable_rps: rps,
      censored: capacity.max_sustainable !== null && capacity.first_failure === null && capacity.inconclusive_from === null,
      rps_per_core: rpc,
      rps_per_gib: rps === null || memory === null ? null : rps / (memory / 2 ** 30),
      efficiency: rpc === null || baseline === null || baseline === 0 ? null : rpc / baseline,
      throttled_share: limits.throttledShare,
      memory_peak_bytes: peak < 0 ? null : peak,
      memory_source: limits.workingSetMax !== null ? 'cgroup' : podPeak < 0 ? null : 'pods',
      oom_kills: limits.oomKills,
      memory_peak_share: peak < 0 || memory === null ? null : peak / memory,
      p95_at_common_ms: common === null ? null : (capacity.points.find((p) => p.level === common)?.p95_ms ?? null),
    };
  });
  const meeting = targetRate === null ? undefined : tiers.find((tier) => tier.max_sustainable_rps !== null && tier.max_sustainable_rps >= targetRate);
  return { tiers, common_level: common, smallest_meeting: meeting === undefined || targetRate === null ? null : { sweep: meeting.sweep, rate: targetRate }, target_rate: targetRate };
}

/**
 * From the cgroup captures of the tier's runs: throttled periods ÷ periods, the highest working set
 * and the OOM kills. The counters are cumulative per replica group, which outlives restarts, so the
 * first and last capture of each replica in a run bound what the run added.
 */
export function limitCounters(context: AnalysisContext, sweep: Pick<Sweep, 'runs'>): { throttledShare: number | null; workingSetMax: number | null; oomKills: number | null } {
  let periods = 0;
  let throttled = 0;
  let oomKills = 0;
  let seen = false;
  let workingSetMax: number | null = null;
  for (const result of context.analysis.results.filter((r) => sweep.runs.includes(r.run.id))) {
    const { run, numbers } = result;
    // Memory while the run sent load (as the usage table counts it); the counters over every capture.
    const from = numbers.start === null ? Number.NEGATIVE_INFINITY : Date.parse(numbers.start);
    const to = numbers.end === null ? Number.POSITIVE_INFINITY : Date.parse(numbers.end) + 1000;
    type Point = { periods: number | null; throttled: number | null; oom: number | null };
    const byReplica = new Map<string, { first: Point; last: Point }>();
    for (const snapshot of run.snapshots) {
      for (const sample of snapshot.limits ?? []) {
        const during = snapshot.capturedAtMs !== null && snapshot.capturedAtMs >= from && snapshot.capturedAtMs <= to;
        if (during && sample.memoryWorkingSetBytes !== null) workingSetMax = Math.max(workingSetMax ?? 0, sample.memoryWorkingSetBytes);
        const point = { periods: sample.cpuPeriods, throttled: sample.cpuThrottledPeriods, oom: sample.oomKills };
        const entry = byReplica.get(sample.name);
        if (entry === undefined) byReplica.set(sample.name, { first: point, last: point });
        else entry.last = point;
      }
    }
    for (const { first, last } of byReplica.values()) {
      seen = true;
      if (first.periods !== null && last.periods !== null && first.throttled !== null && last.throttled !== null) {
        periods += last.periods - first.periods;
        throttled += last.throttled - first.throttled;
      }
      if (first.oom !== null && last.oom !== null) oomKills += last.oom - first.oom;
    }
  }
  return { throttledShare: !seen || periods <= 0 ? null : throttled / periods, workingSetMax, oomKills: seen ? oomKills : null };
}

export const verticalAnalysis: AnalysisDefinition = {
  id: 'vertical',
  run(context) {
    const families = tierFamilies(context.sweeps);
    if (families.length === 0) return null;
    const targetRate = context.options.targetRate ?? null;
    const results = families.map((family) => verticalScaling(context, family, targetRate));
    const findings: Finding[] = [];
    const summary: Phrase[] = [];
    for (const result of results) {
      const sized = result.tiers.filter((tier) => tier.max_sustainable_rps !== null);
      const best = sized.reduce<Tier | null>((a, b) => (a === null || (b.efficiency ?? 0) > (a.efficiency ?? 0) ? b : a), null);
      summary.push(
        t`${join(
          result.tiers.map((tier) => t`${tier.label} holds ${tier.max_sustainable_rps === null ? ['no level'] : t`${tier.censored ? 'at least ' : ''}${value(tier.max_sustainable_rps, 'rate')}`}`),
          '; ',
        )}.${
          best !== null && best.efficiency !== null && sized.length > 1
            ? t` Per core, ${best.label} is the most efficient (${value(best.efficiency, 'number')} times the smallest tier's rate per core).`
            : t``
        }`,
      );
      if (targetRate !== null) {
        const meeting = result.tiers.find((tier) => tier.sweep === result.smallest_meeting?.sweep);
        findings.push(
          meeting === undefined
            ? finding('capacity', `vertical:${targetRate}`, 'warn', t`no tier holds ${value(targetRate, 'rate')}`, t`the largest tier holds ${value(Math.max(...sized.map((tier) => tier.max_sustainable_rps as number), 0), 'rate')}`)
            : finding('tier', `vertical:${targetRate}`, 'info', t`the smallest tier that holds ${value(targetRate, 'rate')}: ${meeting.label}`, t`it holds ${meeting.censored ? 'at least ' : ''}${value(meeting.max_sustainable_rps, 'rate')} under the SLO`),
        );
      }
      for (const tier of result.tiers) {
        if (tier.memory_peak_share !== null && tier.memory_peak_share >= MEMORY_NEAR_LIMIT) {
          findings.push(
            finding(
              'memory-headroom',
              tier.sweep,
              tier.memory_peak_share >= 1 ? 'fail' : 'warn',
              t`${tier.label}: memory ${tier.memory_peak_share >= 1 ? 'over' : 'near'} its limit`,
              t`a replica peaked at ${value(tier.memory_peak_bytes, 'mib')} of ${value(tier.memory_bytes, 'mib')} (${value(tier.memory_peak_share, 'share')}): the next spike is an OOM kill`,
            ),
          );
        }
        if (tier.oom_kills !== null && tier.oom_kills > 0) {
          findings.push(
            finding(
              'memory-headroom',
              `${tier.sweep}:oom`,
              'fail',
              t`${tier.label}: ${tier.oom_kills} ${tier.oom_kills === 1 ? 'replica was' : 'replicas were'} OOM-killed`,
              t`over the memory limit (${value(tier.memory_bytes, 'mib')}) the kernel killed ${tier.oom_kills === 1 ? 'a replica' : 'replicas'} during these levels; its requests failed while it restarted`,
            ),
          );
        }
        if (tier.throttled_share !== null && tier.throttled_share >= THROTTLED_WARN) {
          findings.push(
            finding(
              'cpu-throttled',
              tier.sweep,
              'warn',
              t`${tier.label}: CPU throttled in ${value(tier.throttled_share, 'share')} of its periods`,
              t`the CPU limit (${value(tier.cores === null ? null : tier.cores * 1000, 'cores')}) stalls the replicas for part of each 100 ms period: latency includes the wait`,
            ),
          );
        }
      }
    }
    return section({
      id: 'scaling.vertical',
      title: 'Vertical scaling (tiers)',
      summary,
      findings,
      tables: results.map((result, i) => ({
        id: `vertical-${i}`,
        columns: [
          { key: 'label', label: 'Tier' },
          { key: 'cores', label: 'CPU (cores)', unit: 'number', align: 'right' },
          { key: 'memory', label: 'Memory (MiB)', unit: 'mib', align: 'right' },
          { key: 'rps', label: 'Max sustainable /s', align: 'right' },
          { key: 'per_core', label: 'Per core /s', unit: 'rate', align: 'right' },
          { key: 'per_gib', label: 'Per GiB /s', unit: 'rate', align: 'right' },
          { key: 'efficiency', label: 'Efficiency', unit: 'number', align: 'right' },
          { key: 'p95', label: result.common_level === null ? 'p95 ms' : `p95 ms at ${result.common_level}/s`, unit: 'ms', align: 'right' },
          { key: 'throttled', label: 'Throttled', unit: 'share', align: 'right' },
          { key: 'memory_peak', label: 'Memory peak', unit: 'share', align: 'right' },
          { key: 'oom', label: 'OOM kills', unit: 'count', align: 'right' },
        ],
        rows: result.tiers.map((tier) => ({
          label: tier.label,
          cores: tier.cores,
          memory: tier.memory_bytes,
          rps: tier.max_sustainable_rps === null ? null : t`${tier.censored ? '≥ ' : ''}${value(tier.max_sustainable_rps, 'number')}`,
          per_core: tier.rps_per_core,
          per_gib: tier.rps_per_gib,
          efficiency: tier.efficiency,
          p95: tier.p95_at_common_ms,
          throttled: tier.throttled_share,
          memory_peak: tier.memory_peak_share,
          oom: tier.oom_kills,
        })),
      })),
      charts: results.map((result, i) => ({ id: `vertical-${i}-throughput`, title: 'Maximum sustainable rate and p95 per tier', spec: tierChart(result) })),
      notes: [
        t`Each tier's maximum sustainable rate is its capacity under the SLO (see Capacity); "≥" marks a tier that held every level tested. Efficiency = the tier's rate per core ÷ the smallest tier's: 1 means throughput grew with the cores. p95 compares the tiers at the highest rate all of them held.`,
        t`Throttled = CFS periods in which the replicas hit their CPU quota ÷ all periods (cgroup \`cpu.stat\`, as cAdvisor's \`container_cpu_cfs_throttled_periods_total\`); memory peak = the highest memory a replica used ÷ its limit, flagged from ${value(MEMORY_NEAR_LIMIT, 'percent')}: the cgroup's working set (usage less inactive file pages, as a pod's memory metric) where the replicas ran in cgroups, else the pods' memory. OOM kills are the kernel's count for the replicas' groups.`,
      ],
      data: results.map((result) => ({
        tiers: result.tiers,
        common_level: result.common_level,
        smallest_meeting: result.smallest_meeting,
        target_rate: result.target_rate,
      })),
    });
  },
};

function tierChart(result: VerticalScaling): TopLevelSpec {
  const values = result.tiers.map((tier) => ({ tier: tier.label, rps: tier.max_sustainable_rps, p95_ms: tier.p95_at_common_ms, censored: tier.censored }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 560,
    height: 240,
    data: { values },
    encoding: { x: { field: 'tier', type: 'nominal', sort: null, title: null } },
    layer: [
      { mark: { type: 'bar', opacity: 0.8 }, encoding: { y: { field: 'rps', type: 'quantitative', title: 'max sustainable rate (req/s)' } } },
      {
        mark: { type: 'line', point: true, color: '#b22222' },
        encoding: { y: { field: 'p95_ms', type: 'quantitative', title: result.common_level === null ? 'p95 (ms)' : `p95 at ${result.common_level} req/s (ms)` } },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}

