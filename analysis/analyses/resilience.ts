/**
 * Resilience: per disruption (a replica killed or a pod deleted by the sweep, a k6 marker, a pod kill
 * in events), the error window, the latency impact, the time to recover to the pre-disruption
 * baseline, and whether the replacement became ready (model/resilience.ts has the rules).
 */
import type { TopLevelSpec } from 'vega-lite';
import { finding, type Finding } from '../findings.ts';
import { BASELINE_S, disruptionsOf, RECOVERY_WINDOW_S, resilienceOf, type Resilience } from '../model/resilience.ts';
import { runNumbers } from '../model/run.ts';
import { PERCENT_AXIS, section, type ChartSpec, type Check, type TableSpec } from '../report/section.ts';
import { t, value, type Phrase } from '../report/text.ts';
import { slug } from './capacity.ts';
import type { AnalysisDefinition } from './context.ts';

const SOURCE: Readonly<Record<Resilience['disruption']['source'], string>> = { sweep: 'by the sweep', 'k6-marker': 'marked by the k6 script', mark: 'marked with npm run mark', events: 'seen in events', pods: 'seen in get pods' };

function what(r: Resilience): Phrase {
  return t`${r.disruption.kind}${r.disruption.pod === null ? '' : t` of ${r.disruption.pod}`} (${SOURCE[r.disruption.source]}) at ${value(r.at_s, 'seconds')}`;
}

function impact(r: Resilience): Phrase {
  if (r.recovered === null) return t`not measured: ${r.reason}`;
  const errors = r.error_window_s === 0 ? t`no error window` : t`errors for ${value(r.error_window_s, 'seconds')} (${value(r.failed_requests, 'count')} failed requests)`;
  const latency = t`p95 up to ${value(r.worst_p95_ms, 'ms')} against ${value(r.baseline_p95_ms, 'ms')} before`;
  const recovery = r.recovered ? (r.recovery_s === 0 ? t`no measurable disruption` : t`recovered ${value(r.recovery_s, 'seconds')} after it`) : t`${r.reason}`;
  const replacement = r.replacement.seen === true ? t`; the replacement was seen ${value(r.replacement.after_s, 'seconds')} after` : r.replacement.seen === false ? t`; ${r.replacement.how}` : t``;
  return t`${errors}, ${latency}; ${recovery}${replacement}`;
}

export const resilienceAnalysis: AnalysisDefinition = {
  id: 'resilience',
  run(context) {
    const results: Resilience[] = [];
    for (const run of context.analysis.runs) {
      const start = runNumbers(run).start;
      if (start === null) continue;
      for (const disruption of disruptionsOf(run, context.analysis.manifests)) results.push(resilienceOf(run, disruption, Date.parse(start)));
    }
    if (results.length === 0) return null;
    const summary: Phrase[] = [];
    const findings: Finding[] = [];
    const checks: Check[] = [];
    const charts: ChartSpec[] = [];
    results.forEach((r, i) => {
      summary.push(t`${r.label}: ${what(r)}: ${impact(r)}.`);
      const subject = `${r.run}:${i}`;
      if (r.recovered === false) {
        findings.push(finding('not-recovered', subject, 'fail', t`${r.label}: did not recover from ${r.disruption.kind}`, t`${r.reason}`, r.run));
      } else if (r.recovered === true && r.recovery_s !== null && r.recovery_s > 0) {
        findings.push(finding('disruption', subject, 'warn', t`${r.label}: ${r.disruption.kind} disrupted the service for ${value(r.recovery_s, 'seconds')}`, impact(r), r.run));
      }
      if (r.replacement.seen === false) findings.push(finding('replacement-not-ready', subject, 'fail', t`${r.label}: no replacement after ${r.disruption.kind}`, t`${r.replacement.how}`, r.run));
      if (r.recovered !== null) {
        checks.push({ suite: `resilience ${r.label}`, name: t`recovers from ${what(r)}`, outcome: r.recovered ? 'pass' : 'fail', message: impact(r), kind: 'not-recovered' });
      }
      if (r.recovered !== null) charts.push(disruptionChart(r, i));
    });
    const table: TableSpec = {
      id: 'resilience',
      columns: [
        { key: 'run', label: 'Run' },
        { key: 'disruption', label: 'Disruption' },
        { key: 'at', label: 'At (s)', unit: 'seconds', align: 'right' },
        { key: 'errors', label: 'Error window (s)', unit: 'seconds', align: 'right' },
        { key: 'failed', label: 'Failed requests', unit: 'count', align: 'right' },
        { key: 'baseline', label: 'p95 before (ms)', unit: 'ms', align: 'right' },
        { key: 'worst', label: 'Worst p95 (ms)', unit: 'ms', align: 'right' },
        { key: 'recovery', label: 'Recovery (s)', unit: 'seconds', align: 'right' },
        { key: 'replacement', label: 'Replacement' },
      ],
      rows: results.map((r) => ({
        run: r.label,
        disruption: t`${r.disruption.kind}${r.disruption.pod === null ? '' : t` ${r.disruption.pod}`}`,
        at: r.at_s,
        errors: r.error_window_s,
        failed: r.failed_requests,
        baseline: r.baseline_p95_ms,
        worst: r.worst_p95_ms,
        recovery: r.recovered === false ? null : r.recovery_s,
        replacement: r.replacement.seen === true ? t`seen after ${value(r.replacement.after_s, 'seconds')}` : r.replacement.seen === false ? 'not seen' : 'not captured',
      })),
    };
    return section({
      id: 'resilience',
      title: 'Resilience',
      summary,
      findings,
      tables: [table],
      charts,
      checks,
      notes: [
        t`Disruptions: what the sweep did (--disrupt, recorded in the manifest), samples of a k6 metric named disruption (its kind tag names it), moments recorded with npm run mark, pods killed as kubectl get events shows them (up to the LAST SEEN unit late), and pods replaced or restarted between two kubectl get pods captures (placed at the earlier one: the recovery may be up to one capture interval shorter).`,
        t`Baseline: the ${BASELINE_S} whole seconds before the disruption. A second is bad when its p95 is over the baseline's worst second or its errors over the baseline's + 0.1 percentage points; the error window runs from the first second with errors over that bound to the last before the recovery; recovered at the first good second from which the next ${RECOVERY_WINDOW_S} seconds, pooled, have a p95 and errors within the same bounds (one slow second on a shared host does not hide a recovery; a target still degraded stays not recovered). The replacement is a killed replica seen with a new PID, or a pod not seen before Running and ready, in the captures after it (up to one capture interval late).`,
      ],
      data: results.map((r) => ({
        run: r.run,
        disruption: { t: r.disruption.t, kind: r.disruption.kind, pod: r.disruption.pod, source: r.disruption.source, detail: r.disruption.detail },
        at_s: r.at_s,
        error_window_s: r.error_window_s,
        failed_requests: r.failed_requests,
        recovery_s: r.recovery_s,
        recovered: r.recovered,
        baseline_s: r.baseline_s,
        baseline_p95_ms: r.baseline_p95_ms,
        bound_p95_ms: r.bound_p95_ms,
        baseline_error_rate: r.baseline_error_rate,
        worst_p95_ms: r.worst_p95_ms,
        replacement: r.replacement,
        reason: r.reason,
        seconds: r.seconds,
      })),
    });
  },
};

function disruptionChart(r: Resilience, index: number): ChartSpec {
  const x = { field: 's', type: 'quantitative', title: 'seconds from the disruption' };
  const rate = r.seconds.map(([s, rps]) => ({ s, rps }));
  const latency = r.seconds.flatMap(([s, , p95]) => (p95 === null ? [] : [{ s, p95 }]));
  const errors = r.seconds.flatMap(([s, , , e]) => (e === null ? [] : [{ s, errors: e }]));
  const marks: unknown[] = [{ data: { values: [{ s: 0 }] }, mark: { type: 'rule', color: '#b22222' }, encoding: { x: { field: 's', type: 'quantitative' } } }];
  if (r.recovery_s !== null && r.recovery_s > 0) marks.push({ data: { values: [{ from: 0, to: r.recovery_s }] }, mark: { type: 'rect', color: '#ff7f0e', opacity: 0.15 }, encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } } });
  const panel = (values: unknown[], field: string, title: string, color: string, extra: Record<string, unknown> = {}) => ({
    width: 560,
    height: 110,
    layer: [{ data: { values }, mark: { type: 'line', color, point: { size: 10, color } }, encoding: { x, y: { field, type: 'quantitative', title, ...extra } } }, ...marks],
  });
  return {
    id: `resilience-${slug(r.run)}-${index + 1}`,
    title: `${r.disruption.kind} at ${Math.round(r.at_s)} s: ${r.label}`,
    caption: t`Requests per second, p95 and errors per second around the disruption (red); orange: until the recovery.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      vconcat: [panel(rate, 'rps', 'req/s', '#1f77b4'), panel(latency, 'p95', 'p95 (ms)', '#8c564b', { scale: { type: 'log' } }), panel(errors, 'errors', 'errors', '#d62728', { axis: PERCENT_AXIS })],
    } as unknown as TopLevelSpec,
  };
}
