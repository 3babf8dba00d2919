/**
 * Soak: does the service degrade over the hours of a long run? Per soak run (model/soak.ts says
 * which runs are soaks and how each number is computed): latency, errors and throughput trends with
 * their test and interval, the first quarter against the last, memory per replica with a leak finding
 * and the time to its limit, restarts and OOM kills.
 */
import type { TopLevelSpec } from 'vega-lite';
import { finding, type Finding } from '../findings.ts';
import { isSoak, LEAK_FAIL_WITHIN_S, soakOf, type EarlyLate, type ReplicaMemory, type Soak, type SoakTrend } from '../model/soak.ts';
import { section, type ChartSpec, type Check, type TableSpec } from '../report/section.ts';
import { join, t, value, type Phrase } from '../report/text.ts';
import { slug } from './capacity.ts';
import { runRows, type AnalysisDefinition, type AnalysisContext } from './context.ts';
import { median } from '../stats/median.ts';

const LABEL: Readonly<Record<SoakTrend['metric'], string>> = { p50_ms: 'p50', p95_ms: 'p95', p99_ms: 'p99', error_rate: 'error rate', rps: 'throughput', memory_bytes: 'memory' };

export function soaksOf(context: AnalysisContext): Soak[] {
  const steady = new Map(runRows(context).map((row) => [row.run, row.steady_s]));
  return context.analysis.runs.flatMap((run) => {
    if (!isSoak(run, steady.get(run.id) ?? null)) return [];
    const soak = soakOf(run, { warmupMs: context.options.warmupMs });
    return soak === null ? [] : [soak];
  });
}

/** `+12.3 ms/h`, `+0.05%/h`, `−3.1 req/s per hour`, `+40.2 MiB/h`. */
function slopePhrase(metric: SoakTrend['metric'], slope: number | null): Phrase {
  if (slope === null) return t`—`;
  const sign = slope > 0 ? '+' : '';
  switch (metric) {
    case 'error_rate':
      return t`${sign}${value(slope, 'share')}/h`;
    case 'rps':
      return t`${sign}${value(slope, 'rate')} per hour`;
    case 'memory_bytes':
      return Math.abs(slope) >= 2 ** 30 ? t`${sign}${value(slope, 'gib')}/h` : t`${sign}${value(slope, 'mib')}/h`;
    default:
      return t`${sign}${value(slope, 'ms')}/h`;
  }
}

function ciPhrase(trend: SoakTrend): Phrase {
  if (trend.ci === null || Number.isNaN(trend.ci[0])) return t``;
  return t` (95% interval ${slopePhrase(trend.metric, trend.ci[0])} to ${slopePhrase(trend.metric, trend.ci[1])})`;
}

function trendSentence(trend: SoakTrend): Phrase {
  const what = LABEL[trend.metric];
  if (trend.verdict === 'not-tested') return t`${what}: not tested (${trend.reason})`;
  const slope = t`${slopePhrase(trend.metric, trend.slope)}${ciPhrase(trend)}, Mann–Kendall ${value(trend.p_adjusted, 'p')}`;
  if (trend.verdict === 'no-significant-trend') return t`${what}: no significant trend (${slope}; ${trend.reason})`;
  const over = trend.relative_change === null ? t`` : t`, ${value(trend.relative_change, 'delta')} over the steady state`;
  return t`${what} ${trend.verdict === 'increasing' ? 'rises' : 'falls'} ${slope}${over}`;
}

export const soakAnalysis: AnalysisDefinition = {
  id: 'soak',
  run(context) {
    const soaks = soaksOf(context);
    if (soaks.length === 0) return null;
    const summary: Phrase[] = [];
    const findings: Finding[] = [];
    const checks: Check[] = [];
    const tables: TableSpec[] = [];
    const charts: ChartSpec[] = [];
    for (const soak of soaks) {
      const drifting = soak.trends.filter((trend) => trend.verdict === 'increasing' || trend.verdict === 'decreasing');
      const worse = drifting.filter((trend) => (trend.verdict === 'increasing') === (trend.metric !== 'rps'));
      const head = t`${soak.label}: ${value(soak.steady_s, 'duration')} of steady state after ${value(soak.warmup_s, 'duration')} of warm-up, in ${soak.windows} windows of ${value(soak.window_s, 'duration')}`;
      summary.push(
        drifting.length === 0
          ? t`${head}: no significant trend in latency, errors or throughput.`
          : t`${head}: ${join(drifting.map(trendSentence), '; ')}.`,
      );
      const leaks = soak.memory.filter((m) => m.leak !== null);
      if (soak.memory.length > 0) {
        summary.push(
          leaks.length === 0
            ? t`Memory: no leak in ${soak.memory.length} ${soak.memory.length === 1 ? 'replica' : 'replicas'}${soak.memory.every((m) => m.trend.verdict === 'not-tested') ? ' (not tested: too few readings)' : ''}.`
            : t`Memory: ${join(leaks.map(leakPhrase), '; ')}.`,
        );
      } else {
        summary.push(t`Memory: not measured (no captures of the replicas' memory during the steady state).`);
      }
      if (soak.oom_kills !== null || soak.restarts !== null) {
        summary.push(t`Restarts: ${soak.restarts ?? 'not recorded'}; OOM kills: ${soak.oom_kills ?? 'not recorded'}.`);
      }

      for (const trend of worse) {
        findings.push(finding('soak-drift', `${soak.run}:${trend.metric}`, 'warn', t`${soak.label}: ${LABEL[trend.metric]} degrades over the run`, trendSentence(trend), soak.run));
      }
      for (const replica of leaks) {
        const leak = replica.leak as NonNullable<ReplicaMemory['leak']>;
        const severe = (replica.oom_kills ?? 0) > 0 || (leak.time_to_limit_s !== null && leak.time_to_limit_s <= LEAK_FAIL_WITHIN_S);
        findings.push(finding('memory-leak', `${soak.run}:${replica.pod}`, severe ? 'fail' : 'warn', t`${soak.label}: ${replica.pod}'s memory grows over the run`, leakPhrase(replica), soak.run));
      }
      for (const replica of soak.memory) {
        if ((replica.oom_kills ?? 0) > 0) {
          findings.push(finding('oom-kill', `${soak.run}:${replica.pod}`, 'fail', t`${soak.label}: ${replica.pod} OOM-killed ${replica.oom_kills === 1 ? 'once' : t`${replica.oom_kills ?? 0} times`}`, t`at its memory limit of ${value(replica.limit_bytes, 'mib')}; restarted ${replica.restarts ?? 0} ${replica.restarts === 1 ? 'time' : 'times'} during the run`, soak.run));
        } else if ((replica.restarts ?? 0) > 0) {
          findings.push(finding('restarts', `${soak.run}:${replica.pod}`, 'warn', t`${soak.label}: ${replica.pod} restarted ${replica.restarts ?? 0} ${replica.restarts === 1 ? 'time' : 'times'}`, t`during the run, without an OOM kill recorded`, soak.run));
        }
      }
      for (const event of soak.oom_events) {
        findings.push(finding('oom-kill', `${soak.run}:event:${event.object}`, 'fail', t`${soak.label}: ${event.object}: ${event.reason}`, t`${event.count} ${event.count === 1 ? 'event' : 'events'} during the run (kubectl get events)`, soak.run));
      }
      checks.push({
        suite: `soak ${soak.label}`,
        name: t`no degradation, leak or OOM kill`,
        outcome: worse.length > 0 || leaks.length > 0 || (soak.oom_kills ?? 0) > 0 ? 'fail' : 'pass',
        message: worse.length > 0 || leaks.length > 0 || (soak.oom_kills ?? 0) > 0 ? join([...worse.map(trendSentence), ...leaks.map(leakPhrase), ...((soak.oom_kills ?? 0) > 0 ? [t`${soak.oom_kills ?? 0} OOM kills`] : [])], '; ') : t`every trend within its threshold or not significant`,
        kind: leaks.length > 0 ? 'memory-leak' : (soak.oom_kills ?? 0) > 0 ? 'oom-kill' : 'soak-drift',
      });
      tables.push(trendTable(soak), earlyLateTable(soak));
      if (soak.memory.length > 0) tables.push(memoryTable(soak));
      charts.push(...soakCharts(soak));
    }
    return section({
      id: 'soak',
      title: 'Soak',
      summary,
      findings,
      tables,
      charts,
      checks,
      notes: [
        t`A run is a soak when its scenario is soak or its steady state lasts an hour or more. Warm-up is left out: --warmup, else the longer of the capacity rule (10% of the run, 2 to 60 s) and the schedule's ramp-up (the soak scenario's WARMUP, from summary.json).`,
        t`Trends: the Theil–Sen slope (the median of the slopes between every two windows; Sen 1968) with Sen's 95% interval, tested by Mann–Kendall (Kendall 1975) with Hamed and Rao's correction for autocorrelation (1998; it only widens the test's null) and Holm's correction over the run's five metrics. A trend is claimed only when significant and larger over the steady state than the comparison thresholds (10% for p50 and throughput, 25% for p95, 35% for p99, 0.1 percentage points for the error rate); windows of one run are autocorrelated, which makes the plain Mann–Kendall test reject too often: the correction and the thresholds keep that from becoming a claim.`,
        t`Early against late: the first quarter of the windows against the last, Mann–Whitney U with the Hodges–Lehmann interval, judged by the same thresholds.`,
        t`Memory: per replica, the cgroup working set where it ran in one, else its memory from the captures; the series is cut at each restart and the trend fitted within the stretches (seasonal Kendall test and slope, Hirsch et al. 1982). A leak is a significant rise that grows by 8 MiB or more over the steady state, and by 5% or more of the replica's starting memory or enough to reach its memory limit within 7 days; it is a failure when the replica was OOM-killed or the limit is less than 24 h away.`,
      ],
      data: soaks.map(soakData),
    });
  },
};

function leakPhrase(replica: ReplicaMemory): Phrase {
  const leak = replica.leak;
  if (leak === null) return t`${replica.pod}: no leak`;
  const limit =
    replica.limit_bytes === null
      ? t`no memory limit recorded`
      : leak.time_to_limit_s === 0
        ? t`at its limit of ${value(replica.limit_bytes, 'mib')}`
        : t`would reach its limit of ${value(replica.limit_bytes, 'mib')} in ${value(leak.time_to_limit_s, 'duration')}`;
  const killed = (replica.oom_kills ?? 0) > 0 ? t`, OOM-killed ${replica.oom_kills ?? 0} ${replica.oom_kills === 1 ? 'time' : 'times'}` : t``;
  return t`${replica.pod} grows ${slopePhrase('memory_bytes', leak.bytes_per_hour)}${ciPhrase(replica.trend)}, ${replica.trend.test === 'seasonal-kendall' ? 'seasonal Kendall' : 'Mann–Kendall'} ${value(replica.trend.p_adjusted, 'p')}; ${limit}${killed}`;
}

function trendTable(soak: Soak): TableSpec {
  return {
    id: `soak-trends-${slug(soak.run)}`,
    title: `Trends: ${soak.label}`,
    columns: [
      { key: 'metric', label: 'Metric' },
      { key: 'start', label: 'At start', align: 'right' },
      { key: 'slope', label: 'Slope', align: 'right' },
      { key: 'ci', label: '95% interval', align: 'right' },
      { key: 'change', label: 'Over the run', unit: 'delta', align: 'right' },
      { key: 'p', label: 'p (Holm)', unit: 'p', align: 'right' },
      { key: 'verdict', label: 'Verdict' },
    ],
    rows: soak.trends.map((trend) => ({
      metric: LABEL[trend.metric],
      start: trend.start_value === null ? null : trend.metric === 'error_rate' ? t`${value(trend.start_value, 'share')}` : trend.metric === 'rps' ? t`${value(trend.start_value, 'rate')}` : t`${value(trend.start_value, 'ms')}`,
      slope: trend.slope === null ? null : slopePhrase(trend.metric, trend.slope),
      ci: trend.ci === null || Number.isNaN(trend.ci[0]) ? null : t`${slopePhrase(trend.metric, trend.ci[0])} to ${slopePhrase(trend.metric, trend.ci[1])}`,
      change: trend.relative_change,
      p: trend.p_adjusted,
      verdict: verdictText(trend.verdict),
    })),
  };
}

function verdictText(verdict: SoakTrend['verdict'] | EarlyLate['verdict']): string {
  return { increasing: 'rises', decreasing: 'falls', 'no-significant-trend': 'no significant trend', 'not-tested': 'not tested', worse: 'worse', better: 'better', 'no-change': 'no significant change' }[verdict];
}

function earlyLateTable(soak: Soak): TableSpec {
  return {
    id: `soak-early-late-${slug(soak.run)}`,
    title: `First quarter against last: ${soak.label}`,
    columns: [
      { key: 'metric', label: 'Metric' },
      { key: 'early', label: 'First quarter (median)', align: 'right' },
      { key: 'late', label: 'Last quarter (median)', align: 'right' },
      { key: 'delta', label: 'Change', unit: 'delta', align: 'right' },
      { key: 'ci', label: '95% interval', align: 'right' },
      { key: 'p', label: 'p (Holm)', unit: 'p', align: 'right' },
      { key: 'verdict', label: 'Verdict' },
    ],
    rows: soak.early_late.map((e) => {
      const unit = e.metric === 'error_rate' ? 'share' : e.metric === 'rps' ? 'rate' : 'ms';
      return {
        metric: LABEL[e.metric],
        early: e.early_median === null ? null : t`${value(e.early_median, unit)}`,
        late: e.late_median === null ? null : t`${value(e.late_median, unit)}`,
        delta: e.delta_pct === null ? null : e.delta_pct / 100,
        ci: e.ci_pct === null ? null : t`${value(e.ci_pct[0] / 100, 'delta')} to ${value(e.ci_pct[1] / 100, 'delta')}`,
        p: e.p_adjusted,
        verdict: verdictText(e.verdict),
      };
    }),
  };
}

function memoryTable(soak: Soak): TableSpec {
  return {
    id: `soak-memory-${slug(soak.run)}`,
    title: `Memory per replica: ${soak.label}`,
    columns: [
      { key: 'pod', label: 'Replica' },
      { key: 'first', label: 'First (MiB)', unit: 'mib', align: 'right' },
      { key: 'last', label: 'Last (MiB)', unit: 'mib', align: 'right' },
      { key: 'limit', label: 'Limit (MiB)', unit: 'mib', align: 'right' },
      { key: 'slope', label: 'Slope', align: 'right' },
      { key: 'p', label: 'p', unit: 'p', align: 'right' },
      { key: 'to_limit', label: 'To limit', unit: 'duration', align: 'right' },
      { key: 'restarts', label: 'Restarts', unit: 'count', align: 'right' },
      { key: 'oom', label: 'OOM kills', unit: 'count', align: 'right' },
      { key: 'verdict', label: 'Verdict' },
    ],
    rows: soak.memory.map((m) => ({
      pod: m.pod,
      first: m.first_bytes,
      last: m.last_bytes,
      limit: m.limit_bytes,
      slope: m.trend.slope === null ? null : slopePhrase('memory_bytes', m.trend.slope),
      p: m.trend.p_adjusted,
      to_limit: m.leak?.time_to_limit_s ?? null,
      restarts: m.restarts,
      oom: m.oom_kills,
      verdict: m.leak !== null ? 'leak' : verdictText(m.trend.verdict),
    })),
  };
}

/** The fitted line and, around it, the lines through the medians with the interval's slopes. */
function trendLines(trend: SoakTrend, scale: number, toX: (s: number) => number): { x: number; fit: number; low: number; high: number }[] {
  if (trend.slope === null || trend.start_value === null || trend.samples.length === 0) return [];
  const xs = trend.samples.map(([s]) => s / 3600);
  const mx = median(xs);
  const my = trend.start_value + trend.slope * mx;
  const [lo, hi] = trend.ci ?? [trend.slope, trend.slope];
  const ends = [Math.min(...xs), mx, Math.max(...xs)];
  return ends.map((h) => {
    const a = my + lo * (h - mx);
    const b = my + hi * (h - mx);
    return { x: toX(h * 3600), fit: (trend.start_value as number + (trend.slope as number) * h) * scale, low: Math.min(a, b) * scale, high: Math.max(a, b) * scale };
  });
}

function soakCharts(soak: Soak): ChartSpec[] {
  const inHours = soak.steady_s >= 3 * 3600;
  const toX = (s: number) => (inHours ? s / 3600 : s / 60);
  const xTitle = `${inHours ? 'hours' : 'minutes'} into the steady state`;
  const id = slug(soak.run);
  const charts: ChartSpec[] = [];
  const p95 = soak.trends.find((trend) => trend.metric === 'p95_ms');
  if (p95 !== undefined && p95.samples.length > 0) {
    const lines = trendLines(p95, 1, toX);
    const layers: unknown[] = [
      { data: { values: p95.samples.map(([s, v]) => ({ x: toX(s), ms: v })) }, mark: { type: 'point', filled: true, size: 18, color: '#1f77b4' }, encoding: { x: { field: 'x', type: 'quantitative', title: xTitle }, y: { field: 'ms', type: 'quantitative', title: 'p95 per window (ms)' } } },
    ];
    if (lines.length > 0) {
      layers.push(
        { data: { values: lines }, mark: { type: 'area', opacity: 0.18, color: '#ff7f0e' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } } },
        { data: { values: lines }, mark: { type: 'line', color: '#ff7f0e' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'fit', type: 'quantitative' } } },
      );
    }
    charts.push({
      id: `soak-latency-${id}`,
      title: `p95 over the soak: ${soak.label}`,
      caption: t`Each point is one window of ${value(soak.window_s, 'duration')}; the line is the Theil–Sen trend, the band its 95% interval (lines through the medians with the interval's slopes). ${trendSentence(p95)}.`,
      spec: { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 560, height: 240, layer: layers } as unknown as TopLevelSpec,
    });
  }
  const withReadings = soak.memory.filter((m) => m.readings.length > 0);
  if (withReadings.length > 0) {
    const mib = 1 / 1048576;
    const points = withReadings.flatMap((m) => m.readings.map(([s, bytes, stretch]) => ({ x: toX(s), mib: bytes * mib, replica: m.pod, stretch: `${m.pod} #${stretch + 1}` })));
    const layers: unknown[] = [
      {
        data: { values: points },
        mark: { type: 'line', point: true },
        encoding: { x: { field: 'x', type: 'quantitative', title: xTitle }, y: { field: 'mib', type: 'quantitative', title: 'memory (MiB)' }, color: { field: 'replica', type: 'nominal', title: 'replica' }, detail: { field: 'stretch' } },
      },
    ];
    const fits = withReadings.flatMap((m) => {
      if (m.trend.slope === null) return [];
      // The common slope drawn through each stretch's own readings (its level is its own).
      const stretches = [...new Set(m.readings.map(([, , s]) => s))];
      return stretches.flatMap((s) => {
        const own = m.readings.filter(([, , k]) => k === s);
        if (own.length < 2) return [];
        const xs = own.map(([t]) => t / 3600);
        const level = own.map(([t, b]) => b - (m.trend.slope as number) * (t / 3600)).sort((a, b) => a - b)[own.length >> 1] as number;
        return [Math.min(...xs), Math.max(...xs)].map((h) => ({ x: toX(h * 3600), mib: (level + (m.trend.slope as number) * h) * mib, replica: m.pod, stretch: `${m.pod} #${s + 1}` }));
      });
    });
    if (fits.length > 0) layers.push({ data: { values: fits }, mark: { type: 'line', strokeDash: [6, 3], color: '#444' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'mib', type: 'quantitative' }, detail: { field: 'stretch' } } });
    const limits = [...new Set(withReadings.map((m) => m.limit_bytes).filter((v): v is number => v !== null))];
    if (limits.length > 0) layers.push({ data: { values: limits.map((bytes) => ({ limit: bytes * mib })) }, mark: { type: 'rule', strokeDash: [4, 4], color: '#b22222' }, encoding: { y: { field: 'limit', type: 'quantitative' } } });
    charts.push({
      id: `soak-memory-${id}`,
      title: `Memory per replica over the soak: ${soak.label}`,
      caption: t`Each line is one replica between restarts; dashed: the trend fitted within the stretches; red: the memory limit.`,
      spec: { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 560, height: 240, layer: layers } as unknown as TopLevelSpec,
    });
  }
  return charts;
}

/** analysis.json `soak` (DESIGN.md): each trend with the samples it tested. */
function soakData(soak: Soak) {
  const trend = (t: SoakTrend) => ({
    metric: t.metric,
    ...(t.pod === null ? {} : { pod: t.pod }),
    unit_per_hour: t.unit_per_hour,
    slope: t.slope,
    ci: t.ci,
    start_value: t.start_value,
    change: t.change,
    relative_change: t.relative_change,
    test: t.test,
    p_value: t.p_value,
    p_adjusted: t.p_adjusted,
    verdict: t.verdict,
    reason: t.reason,
    samples: t.samples,
  });
  return {
    run: soak.run,
    warmup_s: soak.warmup_s,
    steady_s: soak.steady_s,
    window_s: soak.window_s,
    windows: soak.windows,
    trends: [...soak.trends.map(trend), ...soak.memory.map((m) => trend(m.trend))],
    early_late: soak.early_late,
    memory: soak.memory.map((m) => ({ pod: m.pod, source: m.source, limit_bytes: m.limit_bytes, first_bytes: m.first_bytes, last_bytes: m.last_bytes, peak_bytes: m.peak_bytes, stretches: m.stretches, restarts: m.restarts, oom_kills: m.oom_kills, leak: m.leak, readings: m.readings })),
    leak: soak.leak,
    restarts: soak.restarts,
    oom_kills: soak.oom_kills,
    oom_events: soak.oom_events,
  };
}
