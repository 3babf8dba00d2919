/**
 * Rightsizing: requests and limits suggested from what the replicas used at the level that holds the
 * SLO (each sweep's maximum sustainable rate), not from guesses.
 *
 * Policy (stated in the report): CPU request = the p95 of per-replica CPU over the captures at that
 * level + 15%, rounded up to 10 millicores; CPU limit = twice the request (room for bursts; or leave
 * it unset); memory request = limit = the peak per-replica memory + 15%, rounded up to 1 MiB (memory
 * cannot be throttled, only OOM-killed). It differs from VPA's recommender (a p90 target of a usage
 * histogram decaying with a 24 h half-life over up to 8 days, plus a 15% margin) and from krr's
 * simple strategy (CPU at the p99 of usage, memory at the max + 15%) in that it looks only at the
 * load levels this sweep measured, and at the one that holds the SLO: it says what that load needs,
 * not what a week of production traffic did.
 */
import { finding, type Finding } from '../findings.ts';
import { section } from '../report/section.ts';
import { t, value, type Phrase } from '../report/text.ts';
import { capacityOf } from './capacity.ts';
import { runRows, type AnalysisDefinition } from './context.ts';
import { limitCounters, THROTTLED_WARN } from './vertical.ts';

export const RIGHTSIZING_MARGIN = 0.15;
export const CPU_PERCENTILE = 0.95;
/** CPU p95 at this share of the limit or more: the limit, not the load, set the usage. */
export const CPU_AT_LIMIT = 0.9;

interface UsageRow {
  readonly run: string;
  readonly role: 'target' | 'loadgen';
  readonly captures: number;
  readonly cpu_p95_m: number | null;
  readonly memory_max_bytes: number | null;
}

export interface Rightsizing {
  readonly workload: string;
  /** The run (level) the suggestion is based on. */
  readonly run: string;
  readonly level: number;
  readonly cpu_request_m: number | null;
  readonly cpu_limit_m: number | null;
  readonly memory_request_bytes: number | null;
  readonly memory_limit_bytes: number | null;
  /** The measured values behind it. */
  readonly observed: { readonly cpu_p95_m: number | null; readonly memory_peak_bytes: number | null; readonly captures: number };
  readonly basis: string;
}

export const rightsizingAnalysis: AnalysisDefinition = {
  id: 'rightsizing',
  run(context) {
    const rows = runRows(context);
    const usage = context.usage.objects() as UsageRow[];
    const suggestions: Rightsizing[] = [];
    const findings: Finding[] = [];
    for (const sweep of context.sweeps) {
      const capacity = capacityOf(sweep, rows, context.options.slo);
      const at = capacity.max_sustainable;
      if (at === null) continue;
      const pods = usage.filter((u) => u.run === at.run && u.role === 'target');
      if (pods.length === 0) continue;
      const cpu = Math.max(-1, ...pods.map((p) => p.cpu_p95_m ?? -1));
      const memory = Math.max(-1, ...pods.map((p) => p.memory_max_bytes ?? -1));
      const request = cpu < 0 ? null : Math.ceil((cpu * (1 + RIGHTSIZING_MARGIN)) / 10) * 10;
      const memoryLimit = memory < 0 ? null : Math.ceil((memory * (1 + RIGHTSIZING_MARGIN)) / 2 ** 20) * 2 ** 20;
      suggestions.push({
        workload: sweep.id,
        run: at.run,
        level: at.level,
        cpu_request_m: request,
        cpu_limit_m: request === null ? null : 2 * request,
        memory_request_bytes: memoryLimit,
        memory_limit_bytes: memoryLimit,
        observed: { cpu_p95_m: cpu < 0 ? null : cpu, memory_peak_bytes: memory < 0 ? null : memory, captures: Math.min(...pods.map((p) => p.captures)) },
        basis: `per replica at ${at.level} req/s, the maximum sustainable rate: CPU p95 over the captures + 15% (limit 2x the request), memory peak + 15%`,
      });
      // The HPA divides usage by the request: a new request moves its utilisation, and its scaling.
      const hpaOnCpu = context.analysis.runs
        .filter((run) => sweep.runs.includes(run.id))
        .some((run) => run.snapshots.some((s) => [...s.hpas, ...(s.hpaWatch ?? [])].some((h) => h.metrics.some((m) => m.name === 'cpu' || (m.name === null && m.unit === 'percent')))));
      // Usage capped by a CPU limit says what the limit allowed, not what the load needs.
      const limitM = sweep.resources?.cores === null || sweep.resources?.cores === undefined ? null : sweep.resources.cores * 1000;
      const throttled = limitCounters(context, { runs: [at.run] }).throttledShare;
      if (limitM !== null && cpu >= 0 && (cpu >= CPU_AT_LIMIT * limitM || (throttled !== null && throttled >= THROTTLED_WARN))) {
        findings.push(
          finding(
            'rightsizing',
            `${sweep.id}:cpu-at-limit`,
            'warn',
            t`${sweep.label}: CPU was at its limit where the suggestion is measured`,
            t`CPU p95 ${value(cpu, 'millicores')} of a ${value(limitM, 'millicores')} limit at ${value(at.level, 'rate')}${throttled === null ? '' : t`, throttled in ${value(throttled, 'share')} of its periods`}: the replicas used what the limit allowed, so they may need more; measure with a larger size to see what this load needs`,
          ),
        );
      }
      if (hpaOnCpu && request !== null) {
        findings.push(
          finding(
            'rightsizing',
            `${sweep.id}:hpa`,
            'warn',
            t`${sweep.label}: an HPA scales on CPU utilisation`,
            t`it measures usage against the CPU request: with a request of ${value(request, 'millicores')} the same load reads as a different utilisation, so the HPA will scale at other points; change the request and its target together`,
          ),
        );
      }
    }
    if (suggestions.length === 0) return null;
    const label = new Map(context.sweeps.map((s) => [s.id, s.label]));
    return section({
      id: 'rightsizing',
      title: 'Rightsizing',
      summary: suggestions.map(
        (s): Phrase =>
          t`${label.get(s.workload) ?? s.workload}: requests cpu ${value(s.cpu_request_m, 'millicores')}, memory ${value(s.memory_request_bytes, 'mib')}; limits cpu ${value(s.cpu_limit_m, 'millicores')}, memory ${value(s.memory_limit_bytes, 'mib')} (from ${value(s.observed.cpu_p95_m, 'millicores')} CPU p95 and ${value(s.observed.memory_peak_bytes, 'mib')} peak at ${value(s.level, 'rate')}).`,
      ),
      findings,
      tables: [
        {
          id: 'rightsizing',
          columns: [
            { key: 'workload', label: 'Workload' },
            { key: 'level', label: 'At /s', unit: 'rate', align: 'right' },
            { key: 'cpu_p95', label: 'CPU p95 (m)', unit: 'millicores', align: 'right' },
            { key: 'memory_peak', label: 'Memory peak (MiB)', unit: 'mib', align: 'right' },
            { key: 'cpu_request', label: 'CPU request (m)', unit: 'millicores', align: 'right' },
            { key: 'cpu_limit', label: 'CPU limit (m)', unit: 'millicores', align: 'right' },
            { key: 'memory', label: 'Memory request = limit (MiB)', unit: 'mib', align: 'right' },
          ],
          rows: suggestions.map((s) => ({
            workload: label.get(s.workload) ?? s.workload,
            level: s.level,
            cpu_p95: s.observed.cpu_p95_m,
            memory_peak: s.observed.memory_peak_bytes,
            cpu_request: s.cpu_request_m,
            cpu_limit: s.cpu_limit_m,
            memory: s.memory_limit_bytes,
          })),
        },
      ],
      notes: [
        t`From the replicas' measured use at each sweep's maximum sustainable rate: CPU request = p95 of the per-replica CPU over the captures there + 15% (rounded up to 10 m), CPU limit = twice the request (or none); memory request = limit = peak + 15% (rounded up to 1 MiB).`,
        t`How it differs: VPA's recommender targets the p90 of a CPU usage histogram that decays with a 24 h half-life over up to 8 days (+15%); krr's simple strategy takes the p99 of CPU usage and the memory maximum + 15%. Both look at what production traffic did over days; this looks only at the load this sweep measured, at the level that holds the SLO.`,
      ],
      data: suggestions,
    });
  },
};
