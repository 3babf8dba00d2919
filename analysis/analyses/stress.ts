/**
 * Stress: where the target breaks, the most it carries, and how fast it comes back once the load
 * drops (model/stress.ts has the rules).
 */
import type { TopLevelSpec } from 'vega-lite';
import { finding, type Finding } from '../findings.ts';
import { resolveSlo } from '../model/slo.ts';
import { isStress, RECOVERY_WINDOW_S, stressOf, type Stress } from '../model/stress.ts';
import { section, type ChartSpec, type Check, type TableSpec } from '../report/section.ts';
import { join, t, value, type Phrase } from '../report/text.ts';
import { runSlo, sloPhrase, slug } from './capacity.ts';
import { runRows, type AnalysisDefinition } from './context.ts';

const REASON: Readonly<Record<string, string>> = { p95: 'p95 over its bound', p99: 'p99 over its bound', errors: 'errors over their bound', 'rate not held': 'the rate not held', 'dropped iterations': 'iterations dropped', 'no requests': 'no requests' };

export const stressAnalysis: AnalysisDefinition = {
  id: 'stress',
  run(context) {
    const rows = new Map(runRows(context).map((row) => [row.run, row]));
    const results: { stress: Stress; slo: ReturnType<typeof resolveSlo> }[] = [];
    for (const run of context.analysis.runs) {
      if (!isStress(run)) continue;
      const row = rows.get(run.id);
      const slo = resolveSlo(context.options.slo ?? {}, row === undefined ? [] : [runSlo(row)]);
      const stress = stressOf(run, slo);
      if (stress !== null && stress.steps.length > 0) results.push({ stress, slo });
    }
    if (results.length === 0) return null;
    const summary: Phrase[] = [];
    const findings: Finding[] = [];
    const checks: Check[] = [];
    const tables: TableSpec[] = [];
    const charts: ChartSpec[] = [];
    for (const { stress, slo } of results) {
      const first = stress.steps[0];
      const last = stress.steps[stress.steps.length - 1];
      const breaking = stress.steps.find((s) => s.level === stress.breaking_level);
      const parts: Phrase[] = [];
      parts.push(
        breaking === undefined
          ? t`holds ${sloPhrase(slo)} at every step up to ${value(last?.level ?? null, 'rate')}`
          : t`breaks at ${value(breaking.level, 'rate')} (${join(breaking.violations.map((v) => [REASON[v] ?? v]), ', ')}: p95 ${value(breaking.p95_ms, 'ms')}, errors ${value(breaking.error_rate, 'share')}, achieved ${value(breaking.rps, 'rate')})`,
      );
      parts.push(t`most carried ${value(stress.max_rps, 'rate')} (at the ${value(stress.max_rps_level, 'rate')} step)`);
      parts.push(stress.errors_start_level === null ? t`no step with errors of 0.1% or more` : t`errors start at ${value(stress.errors_start_level, 'rate')}`);
      parts.push(stress.throughput_plateau_level === null ? t`throughput rose with every step` : t`throughput stops rising at ${value(stress.throughput_plateau_level, 'rate')}`);
      const r = stress.recovery;
      parts.push(
        r.recovery_s !== null
          ? t`recovered ${value(r.recovery_s, 'seconds')} after the load dropped back to ${value(first?.level ?? null, 'rate')}`
          : r.drop_s === null
            ? t`recovery not measured: ${r.reason}`
            : t`${r.reason}`,
      );
      summary.push(t`${stress.label}: ${join(parts, '; ')}.`);
      if (breaking !== undefined) {
        findings.push(finding('breaking-point', stress.run, 'info', t`${stress.label}: breaks at ${value(breaking.level, 'rate')}`, t`the first step that breaks ${sloPhrase(slo)}: ${join(breaking.violations.map((v) => [REASON[v] ?? v]), ', ')}`, stress.run));
      }
      if (r.drop_s !== null && r.recovery_s === null) {
        findings.push(finding('not-recovered', stress.run, 'fail', t`${stress.label}: did not recover`, t`${r.reason}: no ${RECOVERY_WINDOW_S} s from a good second had, pooled, a p95 at or below ${value(r.bound_p95_ms, 'ms')} (the first step's worst second) and errors at or below ${value(r.bound_error_rate, 'share')}`, stress.run));
      }
      if (r.drop_s !== null) {
        checks.push({ suite: `stress ${stress.label}`, name: t`recovers after the stress`, outcome: r.recovery_s === null ? 'fail' : 'pass', message: r.recovery_s === null ? t`${r.reason}` : t`recovered in ${value(r.recovery_s, 'seconds')}`, kind: 'not-recovered' });
      }
      tables.push({
        id: `stress-steps-${slug(stress.run)}`,
        title: `Steps: ${stress.label}`,
        columns: [
          { key: 'level', label: 'Offered (req/s)', unit: 'rate', align: 'right' },
          { key: 'rps', label: 'Achieved (req/s)', unit: 'rate', align: 'right' },
          { key: 'p95', label: 'p95 (ms)', unit: 'ms', align: 'right' },
          { key: 'p99', label: 'p99 (ms)', unit: 'ms', align: 'right' },
          { key: 'errors', label: 'Errors', unit: 'share', align: 'right' },
          { key: 'verdict', label: 'SLO' },
        ],
        rows: stress.steps.map((s) => ({ level: s.level, rps: s.rps, p95: s.p95_ms, p99: s.p99_ms, errors: s.error_rate, verdict: s.ok ? 'holds' : `breaks: ${s.violations.map((v) => REASON[v] ?? v).join(', ')}` })),
      });
      charts.push(stressChart(stress, slo.p95_ms));
    }
    return section({
      id: 'stress',
      title: 'Stress',
      summary,
      findings,
      tables,
      charts,
      checks,
      notes: [
        t`Each step is judged on its held part without its first ${value(2, 'seconds')} (the ramp's backlog drains there), by the SLO of Capacity. Errors start at the first step with 0.1% or more; throughput stops rising at the first step whose achieved rate rose by less than half of the offered increase.`,
        t`Recovery, when the schedule drops back after its peak (stress RECOVERY_DURATION): the time from the drop to the first good second (p95 at or below the first step's worst second, errors at or below the first step's + 0.1 percentage points) from which the next ${RECOVERY_WINDOW_S} seconds, pooled, are within the same bounds: one slow second on a shared host does not hide a recovery, a target still degraded stays not recovered.`,
      ],
      data: results.map(({ stress }) => ({
        run: stress.run,
        breaking_level: stress.breaking_level,
        breaking_reasons: stress.breaking_reasons,
        errors_start_level: stress.errors_start_level,
        throughput_plateau_level: stress.throughput_plateau_level,
        max_rps: stress.max_rps,
        max_rps_level: stress.max_rps_level,
        recovery_s: stress.recovery.recovery_s,
        recovery: stress.recovery,
        steps: stress.steps,
      })),
    });
  },
};

function stressChart(stress: Stress, sloP95: number | null): ChartSpec {
  const rate = stress.seconds.flatMap(([s, offered, achieved]) => [
    ...(offered === null ? [] : [{ s, rate: offered, series: 'offered' }]),
    { s, rate: achieved, series: 'achieved' },
  ]);
  const latency = stress.seconds.flatMap(([s, , , p95]) => (p95 === null ? [] : [{ s, p95 }]));
  const end = Math.max(0, ...stress.seconds.map(([s]) => s + 1));
  const x = { field: 's', type: 'quantitative', title: 'seconds into the run', scale: { domain: [0, end], nice: false } };
  const marks: unknown[] = [];
  const breaking = stress.steps.find((step) => step.level === stress.breaking_level);
  if (breaking !== undefined) marks.push({ data: { values: [{ s: breaking.from_s, label: `breaks at ${breaking.level} req/s` }] }, mark: { type: 'rule', color: '#b22222', strokeDash: [4, 4] }, encoding: { x: { field: 's', type: 'quantitative', scale: { domain: [0, end], nice: false } }, tooltip: [{ field: 'label' }] } });
  const r = stress.recovery;
  if (r.drop_s !== null) {
    const until = r.recovered_at_s ?? r.drop_s + (r.phase_s ?? 0);
    marks.push({ data: { values: [{ from: r.drop_s, to: until }] }, mark: { type: 'rect', color: '#2ca02c', opacity: 0.15 }, encoding: { x: { field: 'from', type: 'quantitative', scale: { domain: [0, end], nice: false } }, x2: { field: 'to' } } });
  }
  const latencyLayers: unknown[] = [{ data: { values: latency }, mark: { type: 'line', color: '#8c564b' }, encoding: { x, y: { field: 'p95', type: 'quantitative', title: 'p95 per second (ms)', scale: { type: 'log' } } } }, ...marks];
  if (sloP95 !== null) latencyLayers.push({ data: { values: [{ bound: sloP95 }] }, mark: { type: 'rule', color: '#b22222' }, encoding: { y: { field: 'bound', type: 'quantitative' } } });
  return {
    id: `stress-${slug(stress.run)}`,
    title: `Stress steps and recovery: ${stress.label}`,
    caption: t`Offered and achieved rate per second, and p95 per second (log scale) with the SLO bound; dashed red: the breaking step; green: from the drop to the recovery${r.recovered_at_s === null && r.drop_s !== null ? ' (not reached)' : ''}.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      vconcat: [
        { width: 560, height: 160, layer: [{ data: { values: rate }, mark: { type: 'line' }, encoding: { x, y: { field: 'rate', type: 'quantitative', title: 'req/s' }, color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['offered', 'achieved'], range: ['#999999', '#1f77b4'] } } } }, ...marks] },
        { width: 560, height: 160, layer: latencyLayers },
      ],
    } as unknown as TopLevelSpec,
  };
}
