/**
 * The HPA report: replicas (current, desired) over time against the offered load and latency, from
 * whatever the inputs hold — `kubectl get hpa -o json` captures, tables, `-w` logs, HPA events — with
 * or without a k6 run beside them (model/hpa.ts measures it). Findings for what a platform engineer
 * must act on: time to the first scale-up, time to steady replicas, saturation at max replicas with a
 * metric over its target, flapping, the scaling conditions, latency and errors while it scaled.
 */
import type { TopLevelSpec } from 'vega-lite';
import { finding, type Finding } from '../findings.ts';
import { hpaEventsFromSnapshots, hpaPointsFromSnapshots, hpaTimelines, type HpaTimeline, type LoadPoint } from '../model/hpa.ts';
import type { SnapshotResult } from '../snapshots/types.ts';
import { section } from '../report/section.ts';
import { join, t, value, type Phrase } from '../report/text.ts';
import { resolveSlo } from '../model/slo.ts';
import { runSlo } from './capacity.ts';
import { runRows, type AnalysisContext, type AnalysisDefinition } from './context.ts';

interface SeriesRow {
  readonly run: string;
  readonly time: string;
  readonly requests: number;
  readonly rps: number;
  /** The run's time bucket, s (1, coarser for long runs). */
  readonly bucket_s: number;
  readonly error_rate: number | null;
  readonly p95_ms: number | null;
  readonly iterations: number;
  readonly dropped_iterations: number;
}

/** Every capture of the analysis once: the runs' and those given on their own. */
function allSnapshots(context: AnalysisContext): SnapshotResult[] {
  const seen = new Set<SnapshotResult>();
  for (const run of context.analysis.runs) for (const snapshot of run.snapshots) seen.add(snapshot);
  for (const snapshot of context.analysis.snapshots) seen.add(snapshot);
  return [...seen];
}

/** The load of every run, per time bucket: offered (iterations started + dropped) and achieved per second, p95, errors. */
export function loadSeries(context: AnalysisContext): LoadPoint[] {
  return (context.series.objects() as SeriesRow[]).map((row) => ({
    timeMs: Date.parse(row.time),
    offeredRate: (row.iterations + row.dropped_iterations) / row.bucket_s,
    rps: row.rps,
    p95Ms: row.p95_ms,
    errorRate: row.error_rate,
    requests: row.requests,
  }));
}

export function hpaTimelinesOf(context: AnalysisContext): HpaTimeline[] {
  const snapshots = allSnapshots(context);
  const points = hpaPointsFromSnapshots(snapshots);
  if (points.length === 0) return [];
  const load = loadSeries(context);
  return hpaTimelines(points, hpaEventsFromSnapshots(snapshots), load.length === 0 ? {} : { load });
}

export const hpaAnalysis: AnalysisDefinition = {
  id: 'hpa',
  run(context) {
    const timelines = hpaTimelinesOf(context);
    if (timelines.length === 0) return null;
    // The same SLO as Capacity's: the flags, else the runs' own (summary or thresholds), else lib's default.
    const sloP95 = resolveSlo(context.options.slo ?? {}, runRows(context).map(runSlo)).p95_ms;
    const findings: Finding[] = [];
    const summary: Phrase[] = [];
    for (const hpa of timelines) {
      const name = `${hpa.namespace === null ? '' : `${hpa.namespace}/`}${hpa.name}`;
      const replicas = hpa.timeline.map((p) => p.current).filter((v): v is number => v !== null);
      const range = replicas.length === 0 ? t`no replica count seen` : t`${Math.min(...replicas)} to ${Math.max(...replicas)} replicas (min ${hpa.min ?? '?'}, max ${hpa.max ?? '?'})`;
      const parts: Phrase[] = [range];
      if (hpa.first_rescale_up_s !== null) parts.push(t`first scale-up ${value(hpa.first_rescale_up_s, 'seconds')} after the load rose (its SuccessfulRescale event)${hpa.first_scale_up_s === null ? '' : t`, seen in current replicas after ${value(hpa.first_scale_up_s, 'seconds')}`}`);
      else if (hpa.first_scale_up_s !== null) parts.push(t`first scale-up ${value(hpa.first_scale_up_s, 'seconds')} after the load rose`);
      else if (hpa.measures.first_scale_up.reason !== null) parts.push(t`first scale-up: ${hpa.measures.first_scale_up.reason}`);
      if (hpa.steady_s !== null) parts.push(t`steady after ${value(hpa.steady_s, 'seconds')}`);
      if (hpa.at_max_s !== null && hpa.at_max_s > 0) parts.push(t`${value(hpa.at_max_s, 'seconds')} at max replicas`);
      if (hpa.flaps !== null) parts.push(t`${hpa.flaps} ${hpa.flaps === 1 ? 'direction change' : 'direction changes'} within ${value(hpa.flap.window_s, 'seconds')}`);
      summary.push(t`${name}: ${join(parts, '; ')}.`);

      for (const episode of hpa.saturation) {
        findings.push(
          finding(
            'hpa-saturated',
            `${name}:${episode.from_ms}`,
            'warn',
            t`${name} at max replicas with ${join(episode.metrics.map((m) => t`${m.name ?? 'a metric'} ${m.unit === 'percent' ? t`${value(m.current / 100, 'percent')} / ${value(m.target / 100, 'percent')}` : t`${value(m.current, 'number')} / ${value(m.target, 'number')}`}`), ', ')}`,
            t`${episode.replicas}/${episode.max} replicas for ${value(episode.duration_s, 'seconds')}${episode.open ? ' (to the end of the captures)' : ''} while over target: it cannot scale further, raise maxReplicas or the per-pod capacity`,
          ),
        );
      }
      if (hpa.flaps !== null && hpa.flaps >= 2) {
        findings.push(
          finding('hpa-flapping', name, 'warn', t`${name} flaps`, t`${hpa.flaps} direction changes within ${value(hpa.flap.window_s, 'seconds')}: widen the scale-down stabilisation window or the tolerance`),
        );
      }
      for (const condition of hpa.conditions ?? []) {
        const bad = (condition.type === 'ScalingLimited' && condition.status === true) || (condition.type !== 'ScalingLimited' && condition.status === false);
        if (!bad) continue;
        findings.push(
          finding(
            'hpa-condition',
            `${name}:${condition.type}:${condition.reason ?? ''}`,
            condition.type === 'ScalingActive' ? 'fail' : 'warn',
            t`${name}: ${condition.type} ${condition.status === true ? 'True' : 'False'} (${condition.reason ?? 'no reason'})`,
            t`${condition.message ?? ''} — seen in ${condition.points} ${condition.points === 1 ? 'capture' : 'captures'}`,
          ),
        );
      }
      for (const warning of hpa.warnings) {
        findings.push(finding('hpa-condition', `${name}:event:${warning.reason}`, 'warn', t`${name}: ${warning.reason}`, t`${warning.message} (${warning.count} ${warning.count === 1 ? 'time' : 'times'})`));
      }
      const during = hpa.during_scale_up;
      if (during !== null && during.p95_ms_median !== null && during.p95_ms_max !== null) {
        // Over the SLO's p95 in some second while it scaled: users saw it, even if the run's p95 held.
        const over = sloP95 !== null && during.p95_ms_max > sloP95;
        const before = during.before.p95_ms_median === null ? t`` : t` against ${value(during.before.p95_ms_median, 'ms')} before the load rose`;
        const errorsBefore = during.before.error_rate === null ? t`` : t` against ${value(during.before.error_rate, 'share')}`;
        findings.push(
          finding(
            'hpa-scale-up-latency',
            name,
            over ? 'warn' : 'info',
            over ? t`${name}: p95 reached ${value(during.p95_ms_max, 'ms')} while it scaled up, over the SLO's ${value(sloP95, 'ms')}` : t`${name}: latency while it scaled up`,
            t`per-second p95 median ${value(during.p95_ms_median, 'ms')}, max ${value(during.p95_ms_max, 'ms')} from the load increase to steady replicas${before}; errors ${value(during.error_rate, 'share')}${errorsBefore}${over ? t`: scale up earlier (a lower target utilisation, more minReplicas) or make new pods ready faster` : t``}`,
          ),
        );
      }
    }
    return section({
      id: 'hpa',
      title: 'Autoscaling (HPA)',
      summary,
      findings,
      tables: [
        {
          id: 'hpa',
          columns: [
            { key: 'name', label: 'HPA' },
            { key: 'range', label: 'Replicas (min–max)' },
            { key: 'event', label: 'First rescale event (s)', unit: 'seconds', align: 'right' },
            { key: 'first', label: 'First scale-up (s)', unit: 'seconds', align: 'right' },
            { key: 'steady', label: 'Steady after (s)', unit: 'seconds', align: 'right' },
            { key: 'down', label: 'Scale-down after (s)', unit: 'seconds', align: 'right' },
            { key: 'max', label: 'At max (s)', unit: 'seconds', align: 'right' },
            { key: 'min', label: 'At min (s)', unit: 'seconds', align: 'right' },
            { key: 'flaps', label: 'Flaps', unit: 'count', align: 'right' },
            { key: 'interval', label: 'Capture interval (s)', unit: 'seconds', align: 'right' },
          ],
          rows: timelines.map((hpa) => ({
            name: `${hpa.namespace === null ? '' : `${hpa.namespace}/`}${hpa.name}`,
            range: `${hpa.min ?? '?'}–${hpa.max ?? '?'}`,
            event: hpa.first_rescale_up_s,
            first: hpa.first_scale_up_s,
            steady: hpa.steady_s,
            down: hpa.scale_down_s,
            max: hpa.at_max_s,
            min: hpa.at_min_s,
            flaps: hpa.flaps,
            interval: hpa.capture_interval_s,
          })),
        },
      ],
      charts: timelines.map((hpa, i) => ({ id: `hpa-${i}-replicas`, title: `Replicas and load over time — ${hpa.name}`, spec: hpaChart(hpa, loadSeries(context)) })),
      notes: [
        t`Times come from the captures (a \`-w\` log's rows from their AGE, within the range stated in analysis.json). The first scale-up is measured from the first second the offered rate rose more than 10% above its start (held for two seconds), to the first upward SuccessfulRescale event and to the first capture showing more current replicas; steady is when the replica count stops changing; a flap is a change of direction of the desired (else current) replica count within the window.`,
        ...context.analysis.manifests
          .map(({ manifest }) => manifest)
          .filter((manifest) => manifest.target.autoscale !== undefined && manifest.target.autoscale !== null)
          .map((manifest) => {
            const a = manifest.target.autoscale as NonNullable<typeof manifest.target.autoscale>;
            return t`${manifest.target.name} is a process target with k6-capacity's own HPA, not a cluster's: the Kubernetes algorithm (scripts/lib/hpa-algorithm.ts) every ${value(a.sync_period_s, 'seconds')} on each replica's CPU from /proc over the period ÷ its request (${a.min_replicas}–${a.max_replicas} replicas, target ${a.target_cpu_utilization_percent}%, scale-down stabilisation ${value(a.scale_down_stabilization_s, 'seconds')}); its objects and events are in the capture log as \`hpa-controller\` records.`;
          }),
        ...timelines.flatMap((hpa) => hpa.notes.map((note) => t`${hpa.name}: ${note}`)),
      ],
      data: timelines.map((hpa) => ({
        name: hpa.name,
        namespace: hpa.namespace,
        min: hpa.min,
        max: hpa.max,
        timeline: hpa.timeline.map((p) => ({ t: new Date(p.t).toISOString(), current: p.current, desired: p.desired, metrics: p.metrics })),
        first_scale_up_s: hpa.first_scale_up_s,
        first_rescale_up_s: hpa.first_rescale_up_s,
        steady_s: hpa.steady_s,
        scale_down_s: hpa.scale_down_s,
        at_max_s: hpa.at_max_s,
        at_min_s: hpa.at_min_s,
        flaps: hpa.flaps,
        measures: hpa.measures,
        saturation: hpa.saturation,
        conditions: hpa.conditions,
        rescales: hpa.rescales,
        during_scale_up: hpa.during_scale_up,
      })),
    });
  },
};

function hpaChart(hpa: HpaTimeline, load: readonly LoadPoint[]): TopLevelSpec {
  const start = Math.min(hpa.timeline[0]?.t ?? Number.POSITIVE_INFINITY, load[0]?.timeMs ?? Number.POSITIVE_INFINITY);
  const seconds = (t: number): number => Math.round((t - start) / 100) / 10;
  const replicas = hpa.timeline.flatMap((p) => [
    ...(p.current === null ? [] : [{ s: seconds(p.t), replicas: p.current, series: 'current' }]),
    ...(p.desired === null ? [] : [{ s: seconds(p.t), replicas: p.desired, series: 'desired' }]),
  ]);
  const offered = load.map((p) => ({ s: seconds(p.timeMs), rate: p.offeredRate ?? null }));
  const latency = load.filter((p) => p.p95Ms !== null).map((p) => ({ s: seconds(p.timeMs), p95: p.p95Ms }));
  const utilisation = hpa.timeline.flatMap((p) => p.metrics.filter((m) => m.unit === 'percent' && m.current !== null).map((m) => ({ s: seconds(p.t), percent: m.current, target: m.target, metric: m.name ?? 'metric' })));
  const end = Math.max(0, ...replicas.map((r) => r.s), ...offered.map((r) => r.s));
  // One time axis for every panel: seconds from the first HPA point or load second, whichever is first.
  const x = { field: 's', type: 'quantitative', title: 'seconds', scale: { domain: [0, end] } };
  const panels: unknown[] = [
    {
      width: 560,
      height: 150,
      data: { values: replicas },
      mark: { type: 'line', interpolate: 'step-after', point: true },
      encoding: { x, y: { field: 'replicas', type: 'quantitative', title: 'replicas', axis: { tickMinStep: 1 } }, color: { field: 'series', type: 'nominal', title: 'replicas', scale: { domain: ['current', 'desired'], range: ['#1f77b4', '#ff7f0e'] } } },
    },
    { width: 560, height: 110, data: { values: offered }, mark: { type: 'line', color: '#555' }, encoding: { x, y: { field: 'rate', type: 'quantitative', title: 'offered (req/s)' } } },
  ];
  if (latency.length > 0) {
    panels.push({ width: 560, height: 110, data: { values: latency }, mark: { type: 'line', color: '#8c564b' }, encoding: { x, y: { field: 'p95', type: 'quantitative', title: 'p95 (ms)' } } });
  }
  if (utilisation.length > 0) {
    panels.push({
      width: 560,
      height: 110,
      layer: [
        { data: { values: utilisation }, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'percent', type: 'quantitative', title: 'utilisation (%)' }, color: { field: 'metric', type: 'nominal', title: 'metric' } } },
        { data: { values: utilisation }, mark: { type: 'rule', strokeDash: [4, 4], color: '#b22222' }, encoding: { y: { aggregate: 'max', field: 'target', type: 'quantitative' } } },
      ],
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    vconcat: panels,
    resolve: { scale: { color: 'independent' } },
  } as unknown as TopLevelSpec;
}
