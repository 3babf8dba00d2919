/**
 * Horizontal scaling: one service at different replica counts (a matrix's `--replicas` cells), the
 * same scenario and per-replica size. Per replica count: the maximum sustainable rate under the SLO
 * (capacity.ts: the highest level that held, what to plan with) and the throughput X(N), the highest
 * steady rate it achieved at any level the load generator did not limit (what it can do when pushed:
 * a measured rate, not a level). Efficiency per replica is X(N) ÷ (N · X(1)) where 1 replica was
 * measured (else against the smallest count, per replica). Gunther's Universal Scalability Law
 * X(N) = λN / (1 + σ(N−1) + κN(N−1)) is fitted to X(N) by least squares (stats/usl-fit.ts) when at
 * least three replica counts were pushed past what they hold (a count that held every level tested
 * may do more than it achieved: fitting it would bend the curve down where the data does not).
 * Adding replicas that lowers X is a finding.
 */
import type { TopLevelSpec } from 'vega-lite';
import { finding, type Finding } from '../findings.ts';
import type { Sweep } from '../model/sweeps.ts';
import { section } from '../report/section.ts';
import { join, t, value, type Phrase } from '../report/text.ts';
import { uslFit } from '../stats/usl-fit.ts';
import { uslThroughput } from '../stats/usl-throughput.ts';
import { capacityOf } from './capacity.ts';
import { runRows, type AnalysisContext, type AnalysisDefinition } from './context.ts';

export interface ScalingPoint {
  readonly sweep: string;
  readonly replicas: number;
  /** The maximum sustainable rate (achieved at `level`); `null` when no level held. */
  readonly rps: number | null;
  /** The maximum sustainable level (offered rate), as Capacity names it. */
  readonly level: number | null;
  /** Throughput X(N): the highest steady achieved rate at a level not limited by the load generator. */
  readonly peak_rps: number | null;
  /** The level `peak_rps` was achieved at. */
  readonly peak_level: number | null;
  /** The replica count held every level tested: `rps` is a lower bound. */
  readonly censored: boolean;
  /** Levels the load generator limited at this replica count. */
  readonly limited_levels: readonly number[];
  /** X(N) per replica ÷ that of the smallest replica count measured. */
  readonly efficiency: number | null;
}

export interface HorizontalScaling {
  readonly points: readonly ScalingPoint[];
  readonly usl: { readonly lambda: number; readonly sigma: number; readonly kappa: number; readonly r2: number; readonly peak_replicas: number | null; readonly peak_rps: number | null } | null;
  /** Why there is no fit, when there is none. */
  readonly usl_reason: string | null;
}

/** Sweeps that differ only in their replica count. */
export function replicaFamilies(sweeps: readonly Sweep[]): Sweep[][] {
  const families = new Map<string, Sweep[]>();
  for (const sweep of sweeps) {
    if (sweep.replicas === null) continue;
    const key = `${sweep.target ?? ''}|${sweep.scenario ?? ''}|${sweep.resources?.cores ?? ''}|${sweep.resources?.memory_bytes ?? ''}`;
    families.set(key, [...(families.get(key) ?? []), sweep]);
  }
  return [...families.values()].filter((family) => new Set(family.map((s) => s.replicas)).size >= 2).map((family) => [...family].sort((a, b) => (a.replicas as number) - (b.replicas as number)));
}

export function horizontalScaling(context: AnalysisContext, family: readonly Sweep[]): HorizontalScaling {
  const rows = runRows(context);
  const measured = family.map((sweep) => {
    const capacity = capacityOf(sweep, rows, context.options.slo);
    const judged = capacity.points.filter((p) => p.limited === null && p.rps !== null);
    const peak = judged.reduce<(typeof judged)[number] | null>((best, p) => (best === null || (p.rps as number) > (best.rps as number) ? p : best), null);
    return {
      sweep: sweep.id,
      replicas: sweep.replicas as number,
      rps: capacity.max_sustainable?.rps ?? null,
      level: capacity.max_sustainable?.level ?? null,
      peak_rps: peak?.rps ?? null,
      peak_level: peak?.level ?? null,
      // Never pushed past what it holds (it held every level, or the load generator stopped the scan
      // first): its throughput is a lower bound.
      censored: capacity.max_sustainable !== null && capacity.first_failure === null,
      limited_levels: capacity.points.filter((p) => p.limited === 'loadgen-cpu' || p.limited === 'loadgen-vus').map((p) => p.level),
    };
  });
  const base = measured.find((p) => p.peak_rps !== null);
  const points = measured.map((p): ScalingPoint => ({
    ...p,
    efficiency: p.peak_rps === null || base === undefined || base.peak_rps === null || base.peak_rps === 0 ? null : p.peak_rps / p.replicas / (base.peak_rps / base.replicas),
  }));
  const fittable = points.filter((p) => p.peak_rps !== null);
  let usl: HorizontalScaling['usl'] = null;
  let reason: string | null = null;
  const held = fittable.filter((p) => p.censored);
  if (held.length > 0) {
    reason = `${held.map((p) => p.replicas).join(', ')} ${held.length === 1 && held[0]?.replicas === 1 ? 'replica' : 'replicas'} held every level tested, so the throughput there is only a lower bound: add higher levels`;
  }
  else if (fittable.length < 3) reason = `${fittable.length} replica ${fittable.length === 1 ? 'count has' : 'counts have'} a measured throughput: the fit needs at least 3`;
  else {
    const fit = uslFit(fittable.map((p) => ({ n: p.replicas, x: p.peak_rps as number })));
    usl = { lambda: fit.lambda, sigma: fit.sigma, kappa: fit.kappa, r2: fit.r2, peak_replicas: fit.peakN, peak_rps: fit.peakX };
  }
  return { points, usl, usl_reason: reason };
}

export const horizontalAnalysis: AnalysisDefinition = {
  id: 'scaling.horizontal',
  run(context) {
    const families = replicaFamilies(context.sweeps);
    if (families.length === 0) return null;
    const results = families.map((family) => horizontalScaling(context, family));
    const findings: Finding[] = [];
    const summary: Phrase[] = [];
    for (const [i, result] of results.entries()) {
      const name = families[i]?.[0]?.label.replace(/ · \d+ replicas?$/, '') ?? 'scaling';
      summary.push(
        t`${name}: ${join(
          result.points.map((p) => {
            const holds = p.replicas === 1 ? 'replica holds' : 'replicas hold';
            if (p.rps !== null && p.censored) return t`${p.replicas} ${holds} at least ${value(p.rps, 'rate')}`;
            // The level as Capacity names it; what was achieved there (the table's number) where it differs.
            const achieved = p.rps !== null && p.level !== null && Math.abs(p.rps - p.level) > 0.005 * p.level;
            const notes = [...(achieved ? [t`${value(p.rps as number, 'rate')} achieved`] : []), ...(p.peak_rps === null ? [] : [t`peak ${value(p.peak_rps, 'rate')}`])];
            const held = p.rps === null ? t`no level` : t`${value(achieved ? (p.level as number) : p.rps, 'rate')}`;
            return t`${p.replicas} ${holds} ${held}${notes.length === 0 ? t`` : t` (${join(notes, '; ')})`}`;
          }),
          ', ',
        )}.${
          result.usl === null
            ? t` No scalability fit: ${result.usl_reason ?? ''}.`
            : t` USL fit (R² ${value(result.usl.r2, 'number')}): contention σ = ${value(result.usl.sigma, 'number')}, coherency κ = ${value(result.usl.kappa, 'number')}${
                result.usl.peak_replicas === null ? t`, no peak (throughput keeps rising)` : t`, peak at ${value(result.usl.peak_replicas, 'number')} replicas and ${value(result.usl.peak_rps, 'rate')}`
              }.`
        }`,
      );
      const measured = result.points.filter((p) => p.peak_rps !== null && !p.censored);
      for (let k = 1; k < measured.length; k++) {
        const before = measured[k - 1] as ScalingPoint;
        const after = measured[k] as ScalingPoint;
        if ((after.peak_rps as number) < (before.peak_rps as number)) {
          findings.push(
            finding(
              'scaling-regression',
              `${after.sweep}`,
              'warn',
              t`${name}: ${after.replicas} replicas do less than ${before.replicas}`,
              t`peak throughput ${value(after.peak_rps, 'rate')} at ${after.replicas} against ${value(before.peak_rps, 'rate')} at ${before.replicas}: adding replicas made throughput worse (one sweep each: not tested for significance)`,
            ),
          );
        }
      }
      const everyLimited = result.points.length > 0 && result.points.every((p) => p.limited_levels.length > 0);
      if (everyLimited) {
        findings.push(
          finding(
            'capacity-inconclusive',
            `${families[i]?.[0]?.id ?? name}:horizontal`,
            'warn',
            t`${name}: the load generator limited every replica count`,
            t`k6 was the limit at some level of each replica count, so the throughput here may be k6's, not the target's: more k6 CPU or runners`,
          ),
        );
      }
    }
    return section({
      id: 'scaling.horizontal',
      title: 'Horizontal scaling (replicas)',
      summary,
      findings,
      tables: results.map((result, i) => ({
        id: `horizontal-${i}`,
        columns: [
          { key: 'replicas', label: 'Replicas', unit: 'count', align: 'right' },
          { key: 'rps', label: 'Max sustainable /s', align: 'right' },
          { key: 'peak', label: 'Throughput /s', align: 'right' },
          { key: 'per_replica', label: 'Per replica /s', unit: 'rate', align: 'right' },
          { key: 'efficiency', label: 'Efficiency', unit: 'number', align: 'right' },
          { key: 'usl', label: 'USL /s', unit: 'rate', align: 'right' },
        ],
        rows: result.points.map((p) => ({
          replicas: p.replicas,
          rps: p.rps === null ? null : t`${p.censored ? '≥ ' : ''}${value(p.rps, 'number')}`,
          peak: p.peak_rps === null ? null : t`${p.censored ? '≥ ' : ''}${value(p.peak_rps, 'number')}`,
          // A count that held every level may do more: its per-replica rate and efficiency are lower bounds too.
          per_replica: p.peak_rps === null ? null : p.censored ? t`≥ ${value(p.peak_rps / p.replicas, 'number')}` : p.peak_rps / p.replicas,
          efficiency: p.efficiency === null ? null : p.censored ? t`≥ ${value(p.efficiency, 'number')}` : p.efficiency,
          usl: result.usl === null ? null : uslThroughput(result.usl, p.replicas),
        })),
      })),
      charts: results.map((result, i) => ({ id: `horizontal-${i}-usl`, title: 'Throughput against replicas, with the USL fit', spec: uslChart(result) })),
      notes: [
        t`Max sustainable = the highest level that holds the SLO (see Capacity). Throughput X(N) = the highest steady rate achieved at any level the load generator did not limit: what the replicas do when pushed ("≥" where they held every level tested, so they may do more). Efficiency = throughput per replica ÷ that of the smallest replica count measured.`,
        t`Universal Scalability Law (N. J. Gunther, Guerrilla Capacity Planning, 2007): X(N) = λN / (1 + σ(N − 1) + κN(N − 1)), σ the contention (serialised work), κ the coherency cost (crosstalk); fitted by nonlinear least squares with σ, κ ≥ 0; the peak is at N* = √((1 − σ)/κ).`,
      ],
      data: results.map((result) => ({
        // The points the fit used carry `fitted: true`.
        points: result.points.map((p) => ({ ...p, fitted: result.usl !== null && p.peak_rps !== null })),
        usl: result.usl,
        usl_reason: result.usl_reason,
      })),
    });
  },
};

function uslChart(result: HorizontalScaling): TopLevelSpec {
  const measured = result.points.filter((p) => p.peak_rps !== null).map((p) => ({ replicas: p.replicas, rps: p.peak_rps, kind: p.censored ? 'measured (lower bound)' : 'measured' }));
  const layers: unknown[] = [
    {
      data: { values: measured },
      mark: { type: 'point', filled: true, size: 80 },
      encoding: {
        // Whole replica counts on the axis, and room so the last point is not cut at the edge.
        x: { field: 'replicas', type: 'quantitative', title: 'replicas', axis: { tickMinStep: 1, format: 'd' }, scale: { padding: 16 } },
        y: { field: 'rps', type: 'quantitative', title: 'throughput (req/s)' },
        shape: { field: 'kind', type: 'nominal', title: null, legend: { labelLimit: 240 } },
      },
    },
  ];
  if (result.usl !== null) {
    const top = Math.max(...result.points.map((p) => p.replicas), result.usl.peak_replicas ?? 0) * 1.25;
    const curve = Array.from({ length: 41 }, (_, i) => {
      const n = 1 + ((top - 1) * i) / 40;
      return { replicas: n, rps: uslThroughput(result.usl as NonNullable<HorizontalScaling['usl']>, n) };
    });
    layers.unshift({ data: { values: curve }, mark: { type: 'line', color: '#888' }, encoding: { x: { field: 'replicas', type: 'quantitative' }, y: { field: 'rps', type: 'quantitative' } } });
  }
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 560, height: 260, layer: layers } as unknown as TopLevelSpec;
}
