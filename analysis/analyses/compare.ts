/**
 * Deployment comparison: a baseline against a candidate (Compose vs Kubernetes, cluster A vs B,
 * before vs after a change), level by level, with a significance test and a confidence interval, and
 * "no significant change" when that is the truth.
 *
 * - Runs are matched by replica count and level (a single run on each side is matched as it is).
 * - Samples: each run's steady window (model/steady.ts) cut into consecutive windows of W seconds;
 *   per window p50, p95, p99, the achieved rate and the error rate. W is the shortest of 1, 2, 5, 10,
 *   15, 30, 60 s in which the level sends at least 200 requests, but short enough for 8 windows
 *   (`--window D` sets it): windowFor.
 * - Test: two-sided Mann–Whitney U over the window samples (exact without ties and under 50 windows
 *   a side, else normal with tie and continuity correction; stats/mann-whitney-u.ts), the test
 *   benchstat uses. The interval is the Hodges–Lehmann shift's distribution-free confidence interval
 *   (Moses/Bauer; stats/hodges-lehmann.ts), relative to the baseline windows' median.
 * - The change is the steady-state value's: candidate ÷ baseline − 1.
 * - Verdict: `better`/`worse` only when p < α (`--alpha`, 0.05) after Holm's adjustment over every
 *   test of the comparison (so identical deployments come out `worse` or `better` at most α of the
 *   time, however many levels and metrics), and the change is at least the
 *   practical threshold (`--min-effect`, 10%; for the error rate, 0.1 percentage points); else
 *   `no-change`. `not-comparable`, with the reason, when the executor, duration (by more than 10%) or
 *   the target's per-replica resources differ.
 * - Caveat, stated in the report: windows of one run are not independent draws of the deployment
 *   (background load, caches), so the test says whether these two runs differ; repeat runs before
 *   claiming more.
 */
import type { TopLevelSpec } from 'vega-lite';
import { finding, type Finding } from '../findings.ts';
import { wholeBucketsMs, windowSamples, type WindowSample } from '../model/steady.ts';
import type { Sweep } from '../model/sweeps.ts';
import type { OtherTool, Run } from '../model/run.ts';
import { section, type Check, type Section, type TableSpec } from '../report/section.ts';
import { code, join, t, value, type Phrase } from '../report/text.ts';
import { hodgesLehmann } from '../stats/hodges-lehmann.ts';
import { holm } from '../stats/holm.ts';
import { mannWhitneyU } from '../stats/mann-whitney-u.ts';
import { capacityOf, sloPhrase, slug, type Capacity } from './capacity.ts';
import { runRows, type AnalysisContext, type RunRow } from './context.ts';
import { median } from '../stats/median.ts';

export const METRICS = ['p50_ms', 'p95_ms', 'p99_ms', 'rps', 'error_rate'] as const;
export type Metric = (typeof METRICS)[number];

export interface CompareOptions {
  /** Significance level; default 0.05. */
  readonly alpha?: number;
  /** Smallest relative change that counts, for every metric but the error rate; default per metric (`DEFAULT_MIN_EFFECT`). */
  readonly minEffect?: number;
  /** Smallest absolute change of the error rate that counts; default 0.001 (0.1 percentage points). */
  readonly minErrorRateChange?: number;
  /** Window length; default: the rule above. */
  readonly windowMs?: number | undefined;
  readonly confidence?: number;
}

export const DEFAULT_ALPHA = 0.05;
/**
 * The smallest relative change that counts, per metric: above what two runs of identical settings
 * differ by on a shared machine. Measured on this project's 2 cores (2026-12-01, six pairs of 20 s
 * runs at 100 req/s, one after the other on an otherwise idle machine): p50 differed by up to 5%, p95
 * by up to 19%, p99 by up to 23%; a `/predict` 30% costlier came out 9–31% slower in p50, and between
 * 2% faster and 129% slower in p95. `--min-effect X`
 * sets one threshold for all of them, e.g. 0.05 on quieter hardware.
 */
export const DEFAULT_MIN_EFFECT: Readonly<Record<Exclude<Metric, 'error_rate'>, number>> = { p50_ms: 0.1, p95_ms: 0.25, p99_ms: 0.35, rps: 0.1 };
export const DEFAULT_MIN_ERROR_RATE_CHANGE = 0.001;
const WINDOW_CHOICES_S = [1, 2, 5, 10, 15, 30, 60];
const MIN_REQUESTS_PER_WINDOW = 200;
const MIN_WINDOWS = 8;
/** Durations this far apart (relative) make two runs incomparable. */
const DURATION_TOLERANCE = 0.1;

export type Verdict = 'better' | 'worse' | 'no-change' | 'not-comparable';

export interface Comparison {
  readonly baseline: string;
  readonly candidate: string;
  readonly baseline_run: string;
  readonly candidate_run: string;
  readonly level: number | null;
  readonly replicas: number | null;
  readonly metric: Metric;
  readonly baseline_value: number | null;
  readonly candidate_value: number | null;
  /** (candidate − baseline) ÷ baseline × 100; `null` when the baseline is 0 or a value is missing. */
  readonly delta_pct: number | null;
  /** The Hodges–Lehmann shift's confidence interval ÷ the baseline windows' median × 100. */
  readonly ci_pct: readonly [number, number] | null;
  readonly ci_confidence: number | null;
  readonly test: 'mann-whitney-u-exact' | 'mann-whitney-u-normal' | null;
  readonly window_s: number | null;
  readonly baseline_samples: readonly number[];
  readonly candidate_samples: readonly number[];
  /** The Mann–Whitney U p-value of this test alone. */
  readonly p_value: number | null;
  /** Holm's adjustment over every test of the comparison: what the verdict uses. */
  readonly p_adjusted: number | null;
  readonly verdict: Verdict;
  readonly reason: string;
}

export interface Side {
  /** As the report names it (the path the user gave, or the sweep). */
  readonly label: string;
  readonly context: AnalysisContext;
}

/** Higher is worse for latency and errors, lower is worse for the achieved rate. */
const WORSE_WHEN_HIGHER: Readonly<Record<Metric, boolean>> = { p50_ms: true, p95_ms: true, p99_ms: true, rps: false, error_rate: true };

/**
 * The window length for a level: the shortest of the choices in which the level sends at least 200
 * requests (a window's p95 then rests on its 10 slowest), unless that leaves fewer than 8 windows in
 * the steady state: then the longest that leaves 8. Only choices that are whole multiples of the
 * runs' time bucket (`bucketS`: 1 s, coarser for long runs) are taken; with none, the bucket itself.
 */
export function windowFor(level: number | null, steadySeconds: number | null, bucketS = 1): number {
  const choices = WINDOW_CHOICES_S.filter((s) => s % bucketS === 0);
  if (choices.length === 0) return bucketS * 1000;
  const rate = level ?? 0;
  const enough = choices.find((s) => rate * s >= MIN_REQUESTS_PER_WINDOW) ?? (choices[choices.length - 1] as number);
  if (steadySeconds === null) return enough * 1000;
  const fits = choices.filter((s) => steadySeconds / s >= MIN_WINDOWS);
  const longest = fits.length === 0 ? (choices[0] as number) : (fits[fits.length - 1] as number);
  return Math.min(enough, longest) * 1000;
}

interface Pair {
  readonly baseline: RunRow;
  readonly candidate: RunRow;
}

/** Runs matched by replica count and level; one run on each side is a match as it is. */
export function matchRuns(baseline: readonly RunRow[], candidate: readonly RunRow[]): { pairs: Pair[]; unmatched: { side: 'baseline' | 'candidate'; run: RunRow }[] } {
  if (baseline.length === 1 && candidate.length === 1) return { pairs: [{ baseline: baseline[0] as RunRow, candidate: candidate[0] as RunRow }], unmatched: [] };
  const key = (row: RunRow): string => `${row.replicas ?? ''}|${row.level ?? ''}`;
  const byKey = new Map(candidate.map((row) => [key(row), row]));
  const pairs: Pair[] = [];
  const used = new Set<string>();
  const unmatched: { side: 'baseline' | 'candidate'; run: RunRow }[] = [];
  for (const row of baseline) {
    const other = row.level === null ? undefined : byKey.get(key(row));
    if (other === undefined || used.has(other.run)) unmatched.push({ side: 'baseline', run: row });
    else {
      pairs.push({ baseline: row, candidate: other });
      used.add(other.run);
    }
  }
  for (const row of candidate) if (!used.has(row.run)) unmatched.push({ side: 'candidate', run: row });
  return { pairs, unmatched };
}

/** Why two runs cannot be compared, or `null`. */
function incomparable(baseline: Side, candidate: Side, pair: Pair): string | null {
  const b = pair.baseline;
  const c = pair.candidate;
  if (b.scenario !== null && c.scenario !== null && b.scenario !== c.scenario) return `different executors: scenario \`${b.scenario}\` against \`${c.scenario}\``;
  const tb = toolOf(baseline, b.run);
  const tc = toolOf(candidate, c.run);
  if ((tb === undefined) !== (tc === undefined)) return `different load models: ${loadModel(b, tb)} against ${loadModel(c, tc)}`;
  if (tb !== undefined && tc !== undefined && tb.users !== tc.users) return `different user counts: ${loadModel(b, tb)} against ${loadModel(c, tc)}`;
  if (b.level !== c.level) return `different target rates: ${b.level ?? 'none'}/s against ${c.level ?? 'none'}/s`;
  if (b.duration_s !== null && c.duration_s !== null && Math.abs(b.duration_s - c.duration_s) > DURATION_TOLERANCE * Math.max(b.duration_s, c.duration_s)) {
    return `different durations: ${round(b.duration_s)} s against ${round(c.duration_s)} s`;
  }
  const resources = (side: Side, row: RunRow) => side.context.sweeps.find((sweep) => sweep.runs.includes(row.run))?.resources ?? null;
  const rb = resources(baseline, b);
  const rc = resources(candidate, c);
  if (rb !== null && rc !== null && (rb.cores !== rc.cores || rb.memory_bytes !== rc.memory_bytes)) {
    return `different target resources per replica: ${rb.cores ?? '?'} cores / ${rb.memory_bytes ?? '?'} bytes against ${rc.cores ?? '?'} cores / ${rc.memory_bytes ?? '?'} bytes`;
  }
  if (b.source !== 'raw' || c.source !== 'raw') return 'a run known only from its summary has no per-window samples to test';
  return null;
}

/** The other load tool (Locust, JMeter) that made a side's run, `undefined` for k6's. */
function toolOf(side: Side, run: string): OtherTool | undefined {
  return side.context.analysis.runs.find((r) => r.id === run)?.tool;
}

/** A latency metric's value as the tool reported it (Locust's `_stats.csv`), when the run has no per-request durations. */
function toolLatency(tool: OtherTool | undefined, row: RunRow, metric: Metric): number | null {
  if (tool?.latencyMs == null || row[STEADY[metric]] !== null) return null;
  return metric === 'p50_ms' ? tool.latencyMs.p50 : metric === 'p95_ms' ? tool.latencyMs.p95 : metric === 'p99_ms' ? tool.latencyMs.p99 : null;
}

const TOOL_NAME: Readonly<Record<OtherTool['name'], string>> = { locust: 'Locust', jmeter: 'JMeter' };

function loadModel(row: RunRow, tool: OtherTool | undefined): string {
  if (tool !== undefined) return `${TOOL_NAME[tool.name]}'s ${tool.users ?? 'unknown number of'} ${tool.name === 'jmeter' ? 'threads' : 'users'} (a closed model)`;
  return row.level === null ? `k6${row.scenario === null ? '' : ` scenario \`${row.scenario}\``}` : `k6 at ${row.level}/s (an arrival rate)`;
}

/**
 * What the tools behind `runs` measure differently from k6, when any of them holds Locust's or
 * JMeter's results: one sentence per tool, and one on the load models (the comparison's notes and
 * the Method section state them).
 */
export function toolNotes(runs: readonly Run[]): Phrase[] {
  const names = new Set(runs.map((run) => run.tool?.name ?? 'k6'));
  if (names.size === 1 && names.has('k6')) return [];
  const notes: Phrase[] = [];
  if (names.has('locust')) {
    notes.push(
      t`Locust: requests and failures per second are exact (the differences of the running totals in \`_stats_history.csv\`, at each row's second), but Locust records no per-request durations. Its p50, p90, p95 and p99 are Locust's own, over the whole run from \`_stats.csv\`, computed from response times it rounds to 2 significant digits above 100 ms (the history's per-row percentiles are over a rolling 10 s window and are not used): they are shown as Locust reported them, not recomputed, and not tested against percentiles computed from every request.`,
    );
  }
  if (names.has('jmeter')) {
    notes.push(
      t`JMeter: one JTL row per request, so counts and percentiles come from the same histograms as k6's. JMeter's \`elapsed\` includes the connection set-up (\`Connect\`), k6's \`http_req_duration\` does not; JMeter's success is its own verdict (assertions included), k6's \`http_req_failed\` the response status.`,
    );
  }
  notes.push(
    names.has('k6')
      ? t`Load models differ: Locust's users and JMeter's threads are a closed model (each waits for its answer before sending the next request, so a slower target gets fewer requests, and latency under overload looks better than it is), k6's arrival-rate executors an open one (the rate is offered whatever the latency). A user count is not a request rate: such runs are shown beside each other and not tested.`
      : t`Load model: Locust's users and JMeter's threads are a closed model (each waits for its answer before sending the next request, so a slower target gets fewer requests, and latency under overload looks better than it is), not an arrival rate as k6's arrival-rate executors offer: a user count is not a request rate.`,
  );
  return notes;
}

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}


const STEADY: Readonly<Record<Metric, keyof RunRow>> = { p50_ms: 'steady_p50_ms', p95_ms: 'steady_p95_ms', p99_ms: 'steady_p99_ms', rps: 'steady_rps', error_rate: 'steady_error_rate' };

function samplesOf(windows: readonly WindowSample[], metric: Metric): number[] {
  return windows.map((w) => w[metric]).filter((v): v is number => v !== null && Number.isFinite(v));
}

/** Every metric of every matched pair (pure apart from reading the runs' aggregates). */
export function compareSides(baseline: Side, candidate: Side, options: CompareOptions = {}): { comparisons: Comparison[]; unmatched: { side: 'baseline' | 'candidate'; run: RunRow }[] } {
  const { alpha = DEFAULT_ALPHA, minErrorRateChange = DEFAULT_MIN_ERROR_RATE_CHANGE, confidence = 0.95 } = options;
  const minEffect = (metric: Exclude<Metric, 'error_rate'>): number => options.minEffect ?? DEFAULT_MIN_EFFECT[metric];
  const { pairs, unmatched } = matchRuns(runRows(baseline.context), runRows(candidate.context));
  const comparisons: Comparison[] = [];
  const tested: { at: number; practical: boolean; direction: number; valueDirection: number }[] = [];
  for (const pair of pairs) {
    const refusal = incomparable(baseline, candidate, pair);
    const runOf = (side: Side, id: string) => side.context.analysis.runs.find((run) => run.id === id);
    const bRun = runOf(baseline, pair.baseline.run);
    const cRun = runOf(candidate, pair.candidate.run);
    // Windows are whole buckets of both runs (a long run has coarser ones than 1 s).
    const bucketMs = Math.max(bRun?.aggregator?.bucketMs ?? 1000, cRun?.aggregator?.bucketMs ?? 1000);
    const windowMs = wholeBucketsMs(options.windowMs ?? windowFor(pair.baseline.level ?? pair.candidate.level, minOf(pair.baseline.steady_s, pair.candidate.steady_s), bucketMs / 1000), bucketMs);
    const bWindows = bRun === undefined ? [] : windowSamples(bRun, { warmupMs: baseline.context.options.warmupMs, windowMs });
    const cWindows = cRun === undefined ? [] : windowSamples(cRun, { warmupMs: candidate.context.options.warmupMs, windowMs });
    for (const metric of METRICS) {
      // Locust's latency is only its own whole-run figure: shown beside the other side, never as a change.
      const bOwn = toolLatency(bRun?.tool, pair.baseline, metric);
      const cOwn = toolLatency(cRun?.tool, pair.candidate, metric);
      const bValue = bOwn ?? (pair.baseline[STEADY[metric]] as number | null);
      const cValue = cOwn ?? (pair.candidate[STEADY[metric]] as number | null);
      const delta = bValue === null || cValue === null || bValue === 0 || bOwn !== null || cOwn !== null ? null : ((cValue - bValue) / bValue) * 100;
      const base = {
        baseline: baseline.label,
        candidate: candidate.label,
        baseline_run: pair.baseline.run,
        candidate_run: pair.candidate.run,
        level: pair.baseline.level,
        replicas: pair.baseline.replicas,
        metric,
        baseline_value: bValue,
        candidate_value: cValue,
        delta_pct: delta,
        window_s: windowMs / 1000,
      };
      const bSamples = samplesOf(bWindows, metric);
      const cSamples = samplesOf(cWindows, metric);
      if (refusal !== null) {
        comparisons.push({ ...base, ci_pct: null, ci_confidence: null, test: null, baseline_samples: bSamples, candidate_samples: cSamples, p_value: null, p_adjusted: null, verdict: 'not-comparable', reason: refusal });
        continue;
      }
      if (bSamples.length < 2 || cSamples.length < 2) {
        comparisons.push({
          ...base,
          ci_pct: null,
          ci_confidence: null,
          test: null,
          baseline_samples: bSamples,
          candidate_samples: cSamples,
          p_value: null,
          p_adjusted: null,
          verdict: 'not-comparable',
          reason:
            metric.endsWith('_ms') && (bRun?.tool?.name === 'locust' || cRun?.tool?.name === 'locust')
              ? `Locust records no per-request durations: its own whole-run percentiles have no windows to test`
              : `too few windows of ${windowMs / 1000} s to test (${bSamples.length} and ${cSamples.length}; at least 2 each): run longer levels`,
        });
        continue;
      }
      const test = mannWhitneyU(cSamples, bSamples);
      const shift = hodgesLehmann(bSamples, cSamples, { confidence });
      const scale = median(bSamples);
      const ci: [number, number] | null = scale === 0 ? null : [(shift.lower / scale) * 100, (shift.upper / scale) * 100];
      tested.push({
        at: comparisons.length,
        practical:
          metric === 'error_rate' ? bValue !== null && cValue !== null && Math.abs(cValue - bValue) >= minErrorRateChange : delta !== null && Math.abs(delta) >= minEffect(metric) * 100,
        direction: shift.estimate === 0 ? 0 : Math.sign(shift.estimate),
        valueDirection: bValue === null || cValue === null ? 0 : Math.sign(cValue - bValue),
      });
      comparisons.push({
        ...base,
        ci_pct: ci,
        ci_confidence: shift.achieved,
        test: test.method === 'exact' ? 'mann-whitney-u-exact' : 'mann-whitney-u-normal',
        baseline_samples: bSamples,
        candidate_samples: cSamples,
        p_value: test.p,
        p_adjusted: null,
        verdict: 'no-change',
        reason: '',
      });
    }
  }
  // One family: every test of this baseline against this candidate. Holm keeps the chance of any
  // false verdict in it at α, however many levels and metrics are tested.
  const adjusted = holm(tested.map(({ at }) => comparisons[at]?.p_value as number));
  tested.forEach(({ at, practical, direction, valueDirection }, i) => {
    const c = comparisons[at] as Comparison;
    const pAdj = adjusted[i] as number;
    let verdict: Verdict = 'no-change';
    let reason: string;
    if (!(pAdj < alpha)) reason = `not significant (p = ${pAdj.toPrecision(2)} after Holm's adjustment over ${tested.length} tests, α = ${alpha})`;
    else if (!practical) reason = c.metric === 'error_rate' ? `significant but below ${minErrorRateChange * 100} percentage points` : `significant but below the practical threshold of ${Math.round(minEffect(c.metric) * 100)}%`;
    else if (direction !== valueDirection || direction === 0) reason = 'the windows and the steady-state values disagree on the direction';
    else {
      verdict = (direction > 0) === WORSE_WHEN_HIGHER[c.metric] ? 'worse' : 'better';
      reason = `significant (p = ${pAdj.toPrecision(2)} after Holm's adjustment, < ${alpha}) and beyond the practical threshold`;
    }
    comparisons[at] = { ...c, p_adjusted: pAdj, verdict, reason };
  });
  return { comparisons, unmatched };
}

// --- the section ---------------------------------------------------------------------------------

const METRIC_LABEL: Readonly<Record<Metric, string>> = { p50_ms: 'p50', p95_ms: 'p95', p99_ms: 'p99', rps: 'achieved rate', error_rate: 'error rate' };
const METRIC_UNIT = { p50_ms: 'ms', p95_ms: 'ms', p99_ms: 'ms', rps: 'rate', error_rate: 'share' } as const;

interface CapacityPair {
  readonly replicas: number | null;
  readonly baseline: Capacity | null;
  readonly candidate: Capacity | null;
}

/** The sides' capacities, paired by replica count. */
function capacityPairs(baseline: Side, candidate: Side): CapacityPair[] {
  const of = (side: Side): { sweep: Sweep; capacity: Capacity }[] =>
    side.context.sweeps.map((sweep) => ({ sweep, capacity: capacityOf(sweep, runRows(side.context), side.context.options.slo) })).filter((c) => c.capacity.points.length > 0);
  const b = of(baseline);
  const c = of(candidate);
  const replicas = [...new Set([...b, ...c].map((x) => x.sweep.replicas))];
  return replicas.map((r) => ({ replicas: r, baseline: b.find((x) => x.sweep.replicas === r)?.capacity ?? null, candidate: c.find((x) => x.sweep.replicas === r)?.capacity ?? null }));
}

export function comparisonSection(baseline: Side, candidate: Side, options: CompareOptions = {}): Section {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const thresholds: Phrase =
    options.minEffect !== undefined
      ? t`${value(options.minEffect, 'percent')}`
      : t`${value(DEFAULT_MIN_EFFECT.p50_ms, 'percent')} for p50 and the rate, ${value(DEFAULT_MIN_EFFECT.p95_ms, 'percent')} for p95, ${value(DEFAULT_MIN_EFFECT.p99_ms, 'percent')} for p99`;
  const { comparisons, unmatched } = compareSides(baseline, candidate, options);
  const capacities = capacityPairs(baseline, candidate);
  const findings: Finding[] = [];
  const summary: Phrase[] = [];
  const subject = `${baseline.label} → ${candidate.label}`;

  for (const pair of capacities) {
    const b = pair.baseline?.max_sustainable ?? null;
    const c = pair.candidate?.max_sustainable ?? null;
    const at = pair.replicas === null ? t`` : t` at ${pair.replicas} ${pair.replicas === 1 ? 'replica' : 'replicas'}`;
    const slo = pair.baseline?.slo ?? pair.candidate?.slo;
    const under = slo === undefined ? t`` : t` under ${sloPhrase(slo)}`;
    const side = (max: typeof b, cap: Capacity | null): Phrase =>
      cap === null ? ['no sweep'] : max === null ? ['holds no level'] : cap.first_failure === null && cap.inconclusive_from === null ? t`holds every level up to ${value(max.level, 'rate')}` : t`holds ${value(max.level, 'rate')}`;
    const sentence = t`Capacity${at}${under}: ${baseline.label} ${side(b, pair.baseline)}, ${candidate.label} ${side(c, pair.candidate)}${
      b !== null && c !== null && b.level !== c.level ? t` (${value((c.level - b.level) / b.level, 'delta')})` : t``
    }. One sweep a side: this difference is not tested.`;
    summary.push(sentence);
    if (b !== null && c !== null && b.level !== c.level) {
      findings.push(finding('capacity-change', `${subject}:r${pair.replicas ?? ''}`, c.level < b.level ? 'warn' : 'info', t`capacity${at}: ${value(b.level, 'rate')} → ${value(c.level, 'rate')}`, sentence));
    }
  }

  const worse = comparisons.filter((c) => c.verdict === 'worse');
  const better = comparisons.filter((c) => c.verdict === 'better');
  const refused = comparisons.filter((c) => c.verdict === 'not-comparable');
  const levelPhrase = (c: Comparison): Phrase => (c.level === null ? t`` : t` at ${value(c.level, 'rate')}${c.replicas === null ? '' : `, ${c.replicas} ${c.replicas === 1 ? 'replica' : 'replicas'}`}`);
  const changePhrase = (c: Comparison): Phrase =>
    t`${METRIC_LABEL[c.metric]}${levelPhrase(c)}: ${value(c.baseline_value, METRIC_UNIT[c.metric])} → ${value(c.candidate_value, METRIC_UNIT[c.metric])}${
      c.delta_pct === null ? t`` : t` (${value(c.delta_pct / 100, 'delta')}${c.ci_pct === null ? t`` : t`, ${c.ci_confidence === null ? '' : `${Math.floor(c.ci_confidence * 100)}% `}CI ${value(c.ci_pct[0] / 100, 'delta')} to ${value(c.ci_pct[1] / 100, 'delta')}`}, ${value(c.p_adjusted ?? c.p_value, 'p')})`
    }`;
  for (const c of worse) findings.push(finding('regression', `${subject}:${c.replicas ?? ''}:${c.level ?? ''}:${c.metric}`, 'fail', t`${candidate.label} is worse than ${baseline.label}`, changePhrase(c)));
  for (const c of better) findings.push(finding('improvement', `${subject}:${c.replicas ?? ''}:${c.level ?? ''}:${c.metric}`, 'info', t`${candidate.label} is better than ${baseline.label}`, changePhrase(c)));
  const refusals = [...new Set(refused.map((c) => `${c.level ?? ''}|${c.reason}`))].map((key) => refused.find((c) => `${c.level ?? ''}|${c.reason}` === key) as Comparison);
  for (const c of refusals) findings.push(finding('not-comparable', `${subject}:${c.replicas ?? ''}:${c.level ?? ''}`, 'warn', t`not comparable${levelPhrase(c)}`, [c.reason]));
  for (const u of unmatched) {
    findings.push(finding('not-comparable', `${subject}:unmatched:${u.run.run}`, 'info', t`${u.run.label} of the ${u.side} has no match`, t`no run of the other side at the same level${u.run.replicas === null ? '' : ' and replica count'}`));
  }

  const tested = comparisons.filter((c) => c.verdict !== 'not-comparable');
  if (comparisons.length === 0) summary.push(t`No runs could be matched: the two sides share no level.`);
  else if (worse.length === 0 && better.length === 0 && tested.length > 0) {
    summary.push(t`No significant change: none of the ${tested.length} tested ${tested.length === 1 ? 'metric' : 'metrics'} changed by at least its practical threshold (${thresholds}) with p < ${value(alpha, 'number')}.`);
  } else if (tested.length > 0) {
    summary.push(
      t`${worse.length} worse, ${better.length} better, ${tested.length - worse.length - better.length} without significant change${refused.length > 0 ? `, ${refused.length} not comparable` : ''}${
        worse.length > 0 ? t`; worst: ${changePhrase(worse.reduce((a, b) => (Math.abs(b.delta_pct ?? 0) > Math.abs(a.delta_pct ?? 0) ? b : a)))}` : t``
      }.`,
    );
  }

  return section({
    id: 'comparisons',
    title: `Comparison: ${candidate.label} against ${baseline.label}`,
    summary,
    findings,
    tables: [comparisonTable(comparisons)],
    charts: comparisonCharts(comparisons, subject, candidate.label),
    notes: [
      ...toolNotes([...baseline.context.analysis.runs, ...candidate.context.analysis.runs]),
      t`Each matched level's steady state (warm-up and the last second left out) is cut into windows (${join([...new Set(comparisons.map((c) => c.window_s))].map((s) => [value(s, 'seconds')]), ', ')}: the shortest of 1, 2, 5, 10, 15, 30 or 60 s holding at least 200 requests, short enough for 8 windows; \`--window D\` sets it). Per window: p50, p95, p99, achieved rate, error rate.`,
      t`Test: two-sided Mann–Whitney U over the windows (exact without ties and under 50 windows a side, else the normal approximation with tie and continuity correction; Mann & Whitney 1947), as benchstat does. Interval: the Hodges–Lehmann shift's distribution-free confidence interval (Moses; Bauer 1972), relative to the baseline windows' median. Change: the steady-state values, candidate ÷ baseline − 1.`,
      t`Verdict \`better\` or \`worse\` only when p < ${value(alpha, 'number')} (\`--alpha\`) after Holm's adjustment over the ${comparisons.filter((c) => c.p_adjusted !== null).length} tests of the comparison (Holm 1979: for independent windows, the chance of any false verdict among them stays at ${value(alpha, 'percent')}) and the change is at least the practical threshold: ${thresholds} (\`--min-effect\` sets one for all; for the error rate ${value(options.minErrorRateChange ?? DEFAULT_MIN_ERROR_RATE_CHANGE, 'percent')} absolute); otherwise \`no-change\`. \`not-comparable\` when the executor, the duration (by more than 10%) or the per-replica resources differ.`,
      t`Windows of one run are not independent draws of a deployment (background load, caches, the machine): the test says whether these two runs differ. Before calling a change real, repeat the runs.`,
    ],
    data: comparisons,
    checks: comparisons.map(
      (c): Check => ({
        suite: `comparison ${subject}`,
        kind: 'regression',
        name: t`${METRIC_LABEL[c.metric]}${levelPhrase(c)} not worse`,
        outcome: c.verdict === 'worse' ? 'fail' : c.verdict === 'not-comparable' ? 'skip' : 'pass',
        message: c.verdict === 'not-comparable' ? [c.reason] : t`${c.verdict}: ${changePhrase(c)}`,
      }),
    ),
  });
}

function comparisonTable(comparisons: readonly Comparison[]): TableSpec {
  const withReplicas = comparisons.some((c) => c.replicas !== null);
  return {
    id: 'comparisons',
    columns: [
      ...(withReplicas ? [{ key: 'replicas', label: 'Replicas', unit: 'count' as const, align: 'right' as const }] : []),
      { key: 'level', label: 'Level /s', unit: 'rate', align: 'right' },
      { key: 'metric', label: 'Metric' },
      { key: 'baseline', label: 'Baseline', align: 'right' },
      { key: 'candidate', label: 'Candidate', align: 'right' },
      { key: 'delta', label: 'Change', align: 'right' },
      { key: 'ci', label: '95% CI', align: 'right' },
      { key: 'p', label: 'p (Holm)', unit: 'p', align: 'right' },
      { key: 'verdict', label: 'Verdict' },
    ],
    rows: comparisons.map((c) => ({
      replicas: c.replicas,
      level: c.level,
      metric: METRIC_LABEL[c.metric],
      baseline: [value(c.baseline_value, METRIC_UNIT[c.metric])],
      candidate: [value(c.candidate_value, METRIC_UNIT[c.metric])],
      delta: c.delta_pct === null ? null : [value(c.delta_pct / 100, 'delta')],
      ci: c.ci_pct === null ? null : t`${value(c.ci_pct[0] / 100, 'delta')} to ${value(c.ci_pct[1] / 100, 'delta')}`,
      p: c.p_adjusted,
      verdict: c.verdict === 'no-change' ? 'no significant change' : c.verdict === 'not-comparable' ? t`not comparable: ${c.reason}` : [code(c.verdict)],
    })),
  };
}

function comparisonCharts(comparisons: readonly Comparison[], subject: string, candidate: string) {
  const rows = comparisons
    .filter((c) => c.delta_pct !== null && c.metric !== 'error_rate')
    .map((c) => ({
      level: `${c.replicas === null ? '' : `r${c.replicas} `}${c.level ?? 'run'}/s`,
      metric: METRIC_LABEL[c.metric],
      delta_pct: c.delta_pct,
      lo: c.ci_pct?.[0] ?? null,
      hi: c.ci_pct?.[1] ?? null,
      verdict: c.verdict,
    }));
  if (rows.length === 0) return [];
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 560,
    height: 260,
    data: { values: rows },
    encoding: {
      x: { field: 'level', type: 'nominal', title: 'level', sort: null },
      xOffset: { field: 'metric', type: 'nominal', sort: ['p50', 'p95', 'p99', 'achieved rate'] },
      color: { field: 'metric', type: 'nominal', title: null, sort: ['p50', 'p95', 'p99', 'achieved rate'] },
    },
    layer: [
      { mark: { type: 'rule' }, encoding: { y: { field: 'lo', type: 'quantitative', title: 'change (%)' }, y2: { field: 'hi' } } },
      { mark: { type: 'point', filled: true, size: 60 }, encoding: { y: { field: 'delta_pct', type: 'quantitative' }, shape: { field: 'verdict', type: 'nominal', title: 'verdict' } } },
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', color: '#999', strokeDash: [4, 4] }, encoding: { y: { field: 'zero', type: 'quantitative' }, x: null, xOffset: null, color: null } },
    ],
  } as unknown as TopLevelSpec;
  // One chart per candidate: a comparison of three or more sides has several.
  return [{ id: `comparison-${slug(candidate)}-deltas`, title: `Change per level with its 95% interval — ${subject}`, spec }];
}
