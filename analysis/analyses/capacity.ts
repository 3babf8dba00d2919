/**
 * Capacity of a sweep: how much load it takes under its SLO, where latency turns upward, and what
 * gives way first. Judged on each level's steady state (model/steady.ts), against the SLO resolved in
 * model/slo.ts.
 *
 * - Maximum sustainable rate: the highest level that holds the SLO with every lower level holding it
 *   too. A level limited by the load generator (k6's CPU, or a VU pool too small for fast iterations)
 *   is no measurement of the target: the scan stops before it, and capacity beyond is unknown.
 * - Knee: the maximum of Kneedle's difference curve (Satopää et al. 2011) on p95 against the offered
 *   rate: `latencyKnee`.
 */
import type { TopLevelSpec } from 'vega-lite';
import { finding, type Finding } from '../findings.ts';
import { resolveSlo, sloFromThresholds, violations, type Slo, type Violation } from '../model/slo.ts';
import type { Sweep } from '../model/sweeps.ts';
import { PERCENT_AXIS, section, type ChartSpec, type Check, type TableSpec } from '../report/section.ts';
import { code, join, t, value, type Phrase } from '../report/text.ts';
import { runRows, type AnalysisContext, type AnalysisDefinition, type RunRow } from './context.ts';

export interface CapacityPoint {
  readonly run: string;
  readonly label: string;
  readonly level: number;
  readonly rps: number | null;
  readonly achieved_share: number | null;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
  readonly error_rate: number | null;
  readonly dropped: number | null;
  /** The numbers are the steady state's (`true`), or the whole run's (a run known only from its summary). */
  readonly steady: boolean;
  readonly ok: boolean;
  readonly violations: readonly Violation[];
  /**
   * Why this level is not judged: the load generator limited it (its numbers say nothing of the
   * target's capacity), or it has no data (it errored before k6 wrote any).
   */
  readonly limited: 'loadgen-cpu' | 'loadgen-vus' | 'no-data' | null;
}

export interface Capacity {
  readonly sweep: string;
  readonly slo: Slo;
  readonly points: readonly CapacityPoint[];
  readonly max_sustainable: { readonly run: string; readonly level: number; readonly rps: number | null } | null;
  readonly knee: { readonly level: number; readonly rps: number | null; readonly method: 'kneedle'; readonly metric: 'p95_ms' } | null;
  /** The first level the scan could not judge because the load generator was the limit. */
  readonly inconclusive_from: number | null;
  /** The first level that broke the SLO, where one did. */
  readonly first_failure: CapacityPoint | null;
}

/** The capacity of one sweep from its runs' rows (pure). */
export function capacityOf(sweep: Sweep, rows: readonly RunRow[], flags: AnalysisContext['options']['slo'] = {}): Capacity {
  const members = sweep.runs.map((id) => rows.find((row) => row.run === id)).filter((row): row is RunRow => row !== undefined && row.level !== null);
  const slo = resolveSlo(flags, members.map(runSlo));
  const points = members.map((row): CapacityPoint => {
    const steady = row.steady_p95_ms !== null || row.steady_rps !== null;
    const numbers = {
      rps: steady ? row.steady_rps : row.rps,
      p50_ms: steady ? row.steady_p50_ms : row.p50_ms,
      p95_ms: steady ? row.steady_p95_ms : row.p95_ms,
      p99_ms: steady ? row.steady_p99_ms : row.p99_ms,
      error_rate: steady ? row.steady_error_rate : row.error_rate,
      dropped: steady ? row.steady_dropped : row.dropped_iterations,
    };
    const broken = violations(slo, {
      ...numbers,
      achieved_share: row.achieved_share,
      iterations: steady ? row.steady_iterations : null,
    });
    const limited = row.source === 'none' ? 'no-data' : row.loadgen_cpu_limited ? 'loadgen-cpu' : row.out_of_vus === 'pool' ? 'loadgen-vus' : null;
    if (limited === 'no-data') return { run: row.run, label: row.label, level: row.level as number, ...numbers, dropped: null, achieved_share: null, steady: false, ok: false, violations: [], limited };
    return { run: row.run, label: row.label, level: row.level as number, ...numbers, achieved_share: row.achieved_share, steady, ok: broken.length === 0, violations: broken, limited };
  });

  let max: CapacityPoint | null = null;
  let inconclusive: number | null = null;
  let firstFailure: CapacityPoint | null = null;
  for (const point of points) {
    if (point.limited !== null) {
      inconclusive = point.level;
      break;
    }
    if (!point.ok) {
      firstFailure = point;
      break;
    }
    max = point;
  }
  const curve = points.filter((p) => p.p95_ms !== null && p.limited === null).map((p) => ({ x: p.level, y: p.p95_ms as number }));
  const knee = latencyKnee(curve);
  const kneePoint = knee === null ? undefined : points.find((p) => p.level === knee.x);
  return {
    sweep: sweep.id,
    slo,
    points,
    max_sustainable: max === null ? null : { run: max.run, level: max.level, rps: max.rps },
    knee: kneePoint === undefined ? null : { level: kneePoint.level, rps: kneePoint.rps, method: 'kneedle', metric: 'p95_ms' },
    inconclusive_from: inconclusive,
    first_failure: firstFailure,
  };
}

/** Latency rising by this factor over the sweep is the least that makes a knee worth naming. */
export const KNEE_MIN_RISE = 1.5;

/**
 * The knee of latency against load: Kneedle's difference curve (Satopää et al. 2011) taken offline,
 * its maximum. Load and p95 are normalised to [0, 1]; for a convex increasing curve (flat, then
 * climbing) the knee is the level where the curve lies furthest below the chord from the first level
 * to the last, d = x − y. p95 is first made non-decreasing (each level's p95 at least the lower
 * levels'): a lower p95 at a higher load is noise, and a curve that flattens at the top again (the
 * VU pool caps concurrency) would otherwise hide the knee from the online variant of Kneedle (which
 * `stats/kneedle.ts` implements as the kneed package does). A knee is named only where latency
 * really turns upward: at least 3 levels, p95 at the top at least 1.5 times the lowest level's, the
 * knee strictly inside the sweep, and d > 0 there.
 */
export function latencyKnee(curve: readonly { x: number; y: number }[]): { x: number; y: number; difference: number } | null {
  if (curve.length < 3) return null;
  const sorted = [...curve].sort((a, b) => a.x - b.x);
  const first = sorted[0] as { x: number; y: number };
  const last = sorted[sorted.length - 1] as { x: number; y: number };
  let envelope = Number.NEGATIVE_INFINITY;
  const ys = sorted.map((p) => (envelope = Math.max(envelope, p.y)));
  const top = ys[ys.length - 1] as number;
  if (!(first.y > 0 && top >= KNEE_MIN_RISE * first.y) || last.x === first.x) return null;
  let best: { x: number; y: number; difference: number } | null = null;
  for (let i = 1; i < sorted.length - 1; i++) {
    const point = sorted[i] as { x: number; y: number };
    const difference = (point.x - first.x) / (last.x - first.x) - ((ys[i] as number) - first.y) / (top - first.y);
    if (difference > 0 && (best === null || difference > best.difference)) best = { x: point.x, y: point.y, difference };
  }
  return best;
}

export function runSlo(row: RunRow): { p95_ms: number | null; p99_ms: number | null; error_rate: number | null } {
  // Our summary.json states the SLO the run had; else read k6's thresholds.
  if (row.slo_p95_ms !== null || row.slo_error_rate !== null) return { p95_ms: row.slo_p95_ms, p99_ms: row.slo_p99_ms, error_rate: row.slo_error_rate };
  return sloFromThresholds(JSON.parse(row.thresholds) as never);
}

export const capacityAnalysis: AnalysisDefinition = {
  id: 'capacity',
  run(context) {
    const rows = runRows(context);
    const results = context.sweeps.map((sweep) => ({ sweep, capacity: capacityOf(sweep, rows, context.options.slo) })).filter(({ capacity }) => capacity.points.length > 0);
    if (results.length === 0) return null;
    const findings: Finding[] = [];
    const tables: TableSpec[] = [];
    const charts: ChartSpec[] = [];
    const summary: Phrase[] = [];
    const checks: Check[] = [];
    for (const { sweep, capacity } of results) {
      const verdict = verdictOf(sweep, capacity);
      summary.push(verdict.title);
      findings.push(...verdict.findings);
      findings.push(...endpointFindings(context, capacity));
      tables.push(pointsTable(sweep, capacity, results.length > 1));
      checks.push(...sloChecks(sweep, capacity));
      charts.push(...capacityCharts(context, sweep, capacity));
    }
    const [first] = results;
    const slo = first?.capacity.slo as Slo;
    return section({
      id: 'capacity',
      title: 'Capacity',
      summary,
      findings,
      tables,
      charts,
      notes: [
        t`SLO: ${sloPhrase(slo)}, and each level held: achieved at least ${value(slo.min_achieved_share, 'percent')} of the offered rate, at most ${value(slo.max_dropped_share, 'percent')} of its iterations dropped. ${sourceNote(slo)}`,
        t`Numbers are each level's steady state: the first ${warmupRule(context)} and the last, partial ${context.analysis.runs.every((run) => (run.aggregator?.bucketMs ?? 1000) === 1000) ? 'second' : 'time bucket'} are left out (set the warm-up with \`--warmup D\`). The maximum sustainable rate is the highest level that holds the SLO with every lower level holding it too; a level where the load generator was the limit (k6 at 0.8 of a core or more, or out of VUs while iterations were fast) is never taken as the target's capacity.`,
        t`The knee is where latency turns upward: the maximum of Kneedle's difference curve (Satopää, Albrecht, Irwin and Raghavan, "Finding a 'Kneedle' in a Haystack", ICDCS Workshops 2011), taken offline, on p95 (made non-decreasing) against the offered rate, over levels not limited by the load generator; named only when p95 at least ${value(KNEE_MIN_RISE, 'number')}-folds across the sweep.`,
      ],
      data: results.map(({ capacity }) => capacityData(capacity)),
      checks,
    });
  },
};

/** What analysis.json records (DESIGN.md `capacity[]`). */
export function capacityData(capacity: Capacity) {
  const { sweep, slo, points, max_sustainable, knee, inconclusive_from } = capacity;
  return {
    sweep,
    slo: { p95_ms: slo.p95_ms, p99_ms: slo.p99_ms, error_rate: slo.error_rate, min_achieved_share: slo.min_achieved_share, max_dropped_share: slo.max_dropped_share, source: slo.source, sources: slo.sources },
    // Everything of a point but its label (the run id names it), its dropped iterations by their k6 name.
    points: points.map(({ label: _label, dropped, ...point }) => ({ ...point, dropped_iterations: dropped })),
    max_sustainable,
    knee,
    inconclusive_from,
  };
}

// --- sentences ---------------------------------------------------------------------------------

export function sloPhrase(slo: Slo): Phrase {
  const parts: Phrase[] = [];
  if (slo.p95_ms !== null) parts.push(t`p95 < ${value(slo.p95_ms, 'ms')}`);
  if (slo.p99_ms !== null) parts.push(t`p99 < ${value(slo.p99_ms, 'ms')}`);
  if (slo.error_rate !== null) parts.push(t`errors < ${value(slo.error_rate, 'percent')}`);
  return parts.length === 0 ? ['no latency or error bound'] : join(parts, ', ');
}

function sourceNote(slo: Slo): Phrase {
  const from = { flags: 'the command line', thresholds: "the runs' own thresholds", defaults: 'the defaults (lib/: p95 < 500 ms, errors < 1%)', none: 'not set' } as const;
  const { p95_ms, p99_ms, error_rate } = slo.sources;
  if (p95_ms === error_rate && (p99_ms === p95_ms || p99_ms === 'none')) return [`The bounds come from ${from[p95_ms]}.`];
  return [`Bounds: p95 from ${from[p95_ms]}, p99 ${p99_ms === 'none' ? 'not set' : `from ${from[p99_ms]}`}, error rate from ${from[error_rate]}.`];
}

function warmupRule(context: AnalysisContext): Phrase {
  return context.options.warmupMs === undefined ? ['10% of each level (at least 2 s, at most 60 s)'] : t`${value(context.options.warmupMs / 1000, 'seconds')} of each level`;
}

const LIMITED = { 'loadgen-cpu': 'k6 CPU', 'loadgen-vus': 'k6 out of VUs', 'no-data': 'no data' } as const;

/** Why a level was not judged, as a clause. */
function notJudged(point: CapacityPoint | undefined): Phrase {
  return point?.limited === 'no-data' ? ['the level has no data'] : ['the load generator was the limit'];
}

function violationPhrase(point: CapacityPoint): Phrase {
  return join(
    point.violations.map((violation): Phrase => {
      switch (violation) {
        case 'p95':
          return t`p95 is ${value(point.p95_ms, 'ms')}`;
        case 'p99':
          return t`p99 is ${value(point.p99_ms, 'ms')}`;
        case 'error_rate':
          return t`errors are ${value(point.error_rate, 'share')}`;
        case 'achieved':
          return t`it achieved only ${value(point.rps, 'rate')} (${value(point.achieved_share, 'share')} of offered)`;
        case 'dropped':
          return t`k6 dropped ${value(point.dropped, 'count')} iterations`;
        case 'no_data':
          return ['there is no data'];
      }
    }),
    ', ',
  );
}

function verdictOf(sweep: Sweep, capacity: Capacity): { title: Phrase; findings: Finding[] } {
  const { slo, points, max_sustainable: max, first_failure: failure, inconclusive_from: inconclusive } = capacity;
  const name = sweep.label;
  // A matrix's sweeps are labelled `… · 2 replicas`: the verb agrees with them.
  const plural = /(^|\s)\d+ replicas$/.test(name) && !/(^|\s)1 replicas$/.test(name);
  const holds = plural ? 'hold' : 'holds';
  const findings: Finding[] = [];
  let title: Phrase;
  if (max !== null && failure === null && inconclusive === null) {
    title = t`${name} ${holds} every level up to ${value(max.level, 'rate')} (the highest tested) under ${sloPhrase(slo)}; its capacity is above that: add higher levels to find the limit.`;
  } else if (max !== null) {
    const next = failure !== null ? t`; at ${value(failure.level, 'rate')} ${violationPhrase(failure)}` : t``;
    const beyond = beyondPhrase(capacity);
    const unknown = inconclusive !== null ? t`; at ${value(inconclusive, 'rate')} ${notJudged(points.find((p) => p.level === inconclusive))}, so beyond ${value(max.level, 'rate')} its capacity is not measured` : t``;
    title = t`${name} ${holds} ${value(max.level, 'rate')} under ${sloPhrase(slo)}${next}${beyond}${unknown}.`;
  } else if (failure !== null) {
    title = t`${name} ${plural ? 'do' : 'does'} not hold even its lowest level, ${value(failure.level, 'rate')}, under ${sloPhrase(slo)}: ${violationPhrase(failure)}.`;
  } else {
    title = t`${name}: at its lowest level, ${value(inconclusive, 'rate')}, ${notJudged(points.find((p) => p.level === inconclusive))}; the target's capacity is not measured.`;
  }
  // The verdict is the section's summary; only a sweep that holds nothing is also a finding (for `--fail-on capacity`).
  if (max === null) findings.push(finding('capacity', sweep.id, 'warn', t`${name}: no level holds the SLO`, title));
  const failed = points.filter((p) => !p.ok && p.limited === null);
  if (failed.length > 0) {
    findings.push(
      finding(
        'slo',
        sweep.id,
        'warn',
        t`${name}: ${failed.length} ${failed.length === 1 ? 'level' : 'levels'} broke the SLO`,
        join(failed.map((p) => t`${value(p.level, 'rate')} (${violationPhrase(p)})`), '; '),
      ),
    );
  }
  const limited = points.filter((p) => p.limited !== null);
  if (limited.length > 0) {
    findings.push(
      finding(
        'capacity-inconclusive',
        sweep.id,
        'warn',
        t`${name}: ${limited.length} ${limited.length === 1 ? 'level is' : 'levels are'} not judged`,
        t`${join(limited.map((p) => t`${value(p.level, 'rate')} (${LIMITED[p.limited ?? 'no-data']})`), ', ')}: these levels say nothing of the target's capacity; see the findings of their runs`,
      ),
    );
  }
  if (capacity.knee !== null) {
    const index = points.findIndex((p) => p.level === capacity.knee?.level);
    const before = points[index - 1];
    const at = points[index] as CapacityPoint;
    const after = points[index + 1];
    const context = [before, at, after].filter((p): p is CapacityPoint => p !== undefined).map((p) => t`${value(p.p95_ms, 'ms')} at ${value(p.level, 'rate')}`);
    findings.push(finding('knee', sweep.id, 'info', t`${name}: knee at ${value(at.level, 'rate')}`, t`latency turns upward at ${value(at.level, 'rate')} (Kneedle's difference curve on p95): p95 ${join(context, ', ')}`));
  }
  findings.push(...saturationFindings(sweep, capacity));
  return { title, findings };
}

/** What happens past the first failure: drops, errors, throughput that stops rising. */
function beyondPhrase(capacity: Capacity): Phrase {
  const failure = capacity.first_failure;
  if (failure === null) return t``;
  const after = capacity.points.filter((p) => p.level > failure.level && p.limited === null);
  if (after.length === 0) return t``;
  const notHeld = after.some((p) => p.violations.includes('achieved'));
  const drops = after.some((p) => p.violations.includes('dropped'));
  const errors = after.some((p) => p.violations.includes('error_rate'));
  const slow = after.some((p) => p.violations.includes('p95') || p.violations.includes('p99'));
  const what = [notHeld ? 'does not hold the offered rate' : drops ? 'drops iterations' : null, errors ? 'returns errors' : null, slow ? 'is too slow' : null].filter(
    (w): w is string => w !== null,
  );
  return what.length === 0 ? t`` : t`; beyond ${value(failure.level, 'rate')} it ${what.join(' and ')}`;
}

/** Warning signs before (or at) the limit: the rate not held, latency growing fast, errors appearing. */
function saturationFindings(sweep: Sweep, capacity: Capacity): Finding[] {
  const points = capacity.points.filter((p) => p.limited === null);
  const base = points.find((p) => p.p95_ms !== null);
  const out: Finding[] = [];
  const growth = points.filter((p) => base !== undefined && p !== base && p.p95_ms !== null && base.p95_ms !== null && base.p95_ms > 0 && p.p95_ms >= 3 * base.p95_ms);
  if (base !== undefined && growth.length > 0) {
    const first = growth[0] as CapacityPoint;
    out.push(
      finding(
        'saturation',
        `${sweep.id}:latency`,
        'warn',
        t`${sweep.label}: latency grows with load`,
        t`p95 is ${value(first.p95_ms, 'ms')} at ${value(first.level, 'rate')}, ${value((first.p95_ms as number) / (base.p95_ms as number), 'number')} times the ${value(base.p95_ms, 'ms')} at ${value(base.level, 'rate')}: the target is queueing`,
      ),
    );
  }
  const notHeld = points.filter((p) => p.violations.includes('achieved'));
  if (notHeld.length > 0) {
    out.push(
      finding(
        'saturation',
        `${sweep.id}:throughput`,
        'warn',
        t`${sweep.label}: the offered rate was not held`,
        t`${join(notHeld.map((p) => t`${value(p.rps, 'rate')} of ${value(p.level, 'rate')}`), ', ')}: throughput stopped rising with the offered load`,
      ),
    );
  }
  return out;
}

/** The mix must not hide an endpoint: one whose own p95 breaks the bound at a level that holds overall. */
function endpointFindings(context: AnalysisContext, capacity: Capacity): Finding[] {
  const bound = capacity.slo.p95_ms;
  if (bound === null) return [];
  const out: Finding[] = [];
  for (const point of capacity.points.filter((p) => p.ok)) {
    const endpoints = context.endpoints.params({ run: point.run }).filter((d: { run: string }, $: { run: string }) => d.run === $.run).objects() as { name: string; method: string | null; p95_ms: number | null; share: number }[];
    if (endpoints.length < 2) continue;
    for (const endpoint of endpoints.filter((e) => e.p95_ms !== null && e.p95_ms >= bound)) {
      out.push(
        finding(
          'endpoint-slo',
          `${point.run}:${endpoint.method ?? ''} ${endpoint.name}`,
          'warn',
          t`${point.label}: ${code(`${endpoint.method === null ? '' : `${endpoint.method} `}${endpoint.name}`)} breaks the p95 bound on its own`,
          t`its p95 is ${value(endpoint.p95_ms, 'ms')} at ${value(point.level, 'rate')}, while all requests together have ${value(point.p95_ms, 'ms')} (bound ${value(bound, 'ms')}): the other ${value(1 - endpoint.share, 'share')} of the mix hide it`,
          point.run,
        ),
      );
    }
  }
  return out;
}

/** One check per SLO bound per level, for CI (junit.xml); a level the load generator limited is skipped. */
function sloChecks(sweep: Sweep, capacity: Capacity): Check[] {
  const { slo } = capacity;
  const bounds: { key: Violation; name: (p: CapacityPoint) => Phrase; measured: (p: CapacityPoint) => Phrase }[] = [];
  if (slo.p95_ms !== null) bounds.push({ key: 'p95', name: (p) => t`${p.label}: p95 < ${value(slo.p95_ms, 'ms')}`, measured: (p) => t`p95 is ${value(p.p95_ms, 'ms')}` });
  if (slo.p99_ms !== null) bounds.push({ key: 'p99', name: (p) => t`${p.label}: p99 < ${value(slo.p99_ms, 'ms')}`, measured: (p) => t`p99 is ${value(p.p99_ms, 'ms')}` });
  if (slo.error_rate !== null) bounds.push({ key: 'error_rate', name: (p) => t`${p.label}: errors < ${value(slo.error_rate, 'percent')}`, measured: (p) => t`errors are ${value(p.error_rate, 'share')}` });
  bounds.push({
    key: 'achieved',
    name: (p) => t`${p.label}: achieved at least ${value(slo.min_achieved_share, 'percent')} of ${value(p.level, 'rate')}`,
    measured: (p) => t`achieved ${value(p.rps, 'rate')} (${value(p.achieved_share, 'share')})`,
  });
  bounds.push({ key: 'dropped', name: (p) => t`${p.label}: at most ${value(slo.max_dropped_share, 'percent')} of iterations dropped`, measured: (p) => t`${value(p.dropped, 'count')} dropped` });
  return capacity.points.flatMap((point) =>
    bounds.map((bound): Check => ({
      suite: sweep.label,
      kind: 'slo',
      name: bound.name(point),
      outcome: point.limited !== null ? 'skip' : point.violations.includes(bound.key) || point.violations.includes('no_data') ? 'fail' : 'pass',
      message: point.limited !== null ? t`not judged: ${LIMITED[point.limited]}` : bound.measured(point),
    })),
  );
}

// --- tables and charts ---------------------------------------------------------------------------

function pointsTable(sweep: Sweep, capacity: Capacity, titled: boolean): TableSpec {
  const reason: Record<Violation, string> = { p95: 'p95', p99: 'p99', error_rate: 'errors', achieved: 'rate not held', dropped: 'dropped', no_data: 'no data' };
  return {
    id: `capacity-${slug(sweep.id)}`,
    ...(titled ? { title: sweep.label } : {}),
    columns: [
      { key: 'level', label: 'Offered /s', unit: 'rate', align: 'right' },
      { key: 'rps', label: 'Achieved /s', unit: 'rate', align: 'right' },
      { key: 'achieved_share', label: 'Achieved', unit: 'share', align: 'right' },
      { key: 'p50_ms', label: 'p50 ms', unit: 'ms', align: 'right' },
      { key: 'p95_ms', label: 'p95 ms', unit: 'ms', align: 'right' },
      { key: 'p99_ms', label: 'p99 ms', unit: 'ms', align: 'right' },
      { key: 'error_rate', label: 'Errors', unit: 'share', align: 'right' },
      { key: 'dropped', label: 'Dropped', unit: 'count', align: 'right' },
      { key: 'verdict', label: 'SLO', align: 'left' },
    ],
    rows: capacity.points.map((p) => ({
      level: p.level,
      rps: p.rps,
      achieved_share: p.achieved_share,
      p50_ms: p.p50_ms,
      p95_ms: p.p95_ms,
      p99_ms: p.p99_ms,
      error_rate: p.error_rate,
      dropped: p.dropped,
      verdict:
        p.limited !== null
          ? `not judged: ${LIMITED[p.limited]}`
          : p.ok
            ? p.level === capacity.max_sustainable?.level
              ? 'holds (max sustainable)'
              : 'holds'
            : `breaks: ${p.violations.map((v) => reason[v]).join(', ')}`,
    })),
  };
}

export function slug(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'sweep';
}

const WIDTH = 560;
const HEIGHT = 260;

function capacityCharts(context: AnalysisContext, sweep: Sweep, capacity: Capacity): ChartSpec[] {
  const id = slug(sweep.id);
  const latency = capacity.points.flatMap((p) =>
    (['p50', 'p95', 'p99'] as const).flatMap((q) => {
      const ms = p[`${q}_ms`];
      return ms === null ? [] : [{ offered: p.level, percentile: q, ms }];
    }),
  );
  const spread = latency.length === 0 ? 1 : Math.max(...latency.map((d) => d.ms)) / Math.max(Math.min(...latency.map((d) => d.ms)), 1e-9);
  const layers: unknown[] = [
    {
      data: { values: latency },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'offered', type: 'quantitative', title: 'offered rate (req/s)' },
        y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: { type: spread > 30 ? 'log' : 'linear' } },
        color: { field: 'percentile', type: 'nominal', title: null, sort: ['p50', 'p95', 'p99'] },
      },
    },
  ];
  if (capacity.slo.p95_ms !== null) {
    layers.push({ data: { values: [{ bound: capacity.slo.p95_ms, label: 'SLO p95' }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#b22222' }, encoding: { y: { field: 'bound', type: 'quantitative' } } });
  }
  if (capacity.knee !== null) {
    const knee = capacity.points.find((p) => p.level === capacity.knee?.level);
    layers.push({
      data: { values: [{ offered: capacity.knee.level, ms: knee?.p95_ms ?? null, label: 'knee' }] },
      mark: { type: 'point', shape: 'diamond', size: 120, filled: true, color: '#444' },
      encoding: { x: { field: 'offered', type: 'quantitative' }, y: { field: 'ms', type: 'quantitative' }, tooltip: [{ field: 'label' }] },
    });
  }
  const latencySpec = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: WIDTH, height: HEIGHT, layer: layers } as unknown as TopLevelSpec;

  const throughput = capacity.points.map((p) => ({ offered: p.level, achieved: p.rps }));
  const throughputSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    layer: [
      { data: { values: throughput.map((d) => ({ offered: d.offered, achieved: d.offered })) }, mark: { type: 'line', strokeDash: [4, 4], color: '#999' }, encoding: { x: { field: 'offered', type: 'quantitative' }, y: { field: 'achieved', type: 'quantitative' } } },
      {
        data: { values: throughput },
        mark: { type: 'line', point: true },
        encoding: { x: { field: 'offered', type: 'quantitative', title: 'offered rate (req/s)' }, y: { field: 'achieved', type: 'quantitative', title: 'achieved rate (req/s)' } },
      },
    ],
  } as unknown as TopLevelSpec;

  const errors = capacity.points.map((p) => ({ offered: p.level, error_rate: p.error_rate }));
  const errorsSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    data: { values: errors },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'offered', type: 'quantitative', title: 'offered rate (req/s)' },
      y: { field: 'error_rate', type: 'quantitative', title: 'error rate', axis: PERCENT_AXIS },
    },
  } as unknown as TopLevelSpec;

  const labels = new Map(capacity.points.map((p) => [p.run, p.label]));
  const rows = (context.series.objects() as { run: string; t: number; p95_ms: number | null; bucket_s: number }[]).filter((row) => labels.has(row.run));
  const series = rows.filter((row) => row.p95_ms !== null).map((row) => ({ run: labels.get(row.run), t: row.t, p95_ms: row.p95_ms }));
  // Long levels have coarser buckets than 1 s (the Method section says which).
  const per = rows.every((row) => row.bucket_s === 1) ? 'per second' : 'per time bucket';
  const overTime = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: WIDTH,
    height: HEIGHT,
    data: { values: series },
    mark: { type: 'line' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'seconds into the level' },
      y: { field: 'p95_ms', type: 'quantitative', title: 'p95 (ms)', scale: { type: spread > 30 ? 'log' : 'linear' } },
      color: { field: 'run', type: 'nominal', title: null, sort: capacity.points.map((p) => p.label) },
    },
  } as unknown as TopLevelSpec;

  return [
    { id: `${id}-latency-vs-rate`, title: `Latency vs offered rate — ${sweep.label}`, spec: latencySpec },
    { id: `${id}-achieved-vs-offered`, title: `Achieved vs offered rate — ${sweep.label}`, spec: throughputSpec },
    { id: `${id}-errors-vs-rate`, title: `Error rate vs offered rate — ${sweep.label}`, spec: errorsSpec },
    { id: `${id}-latency-over-time`, title: `p95 ${per} over each level — ${sweep.label}`, spec: overTime },
  ];
}
