/**
 * Findings: what a reader must not miss, each traced to the numbers behind it. A finding never
 * fills a gap: missing data is reported as missing, with the reason.
 */
import { OTHER_NAME, type FoldedTagSets } from './ingest/aggregate.ts';
import type { InputReport } from './ingest/problems.ts';
import { recordsOf } from './model/load.ts';
import { LOADGEN_CPU_LIMIT_MILLICORES, loadgenNumbers, loadgenVerdict, runNumbers, type Run } from './model/run.ts';
import { code, join, t, value, type Phrase } from './report/text.ts';

export type Severity = 'info' | 'warn' | 'fail';

export interface Finding {
  /** `<kind>:<subject>`, unique in a report. */
  readonly id: string;
  /** What sort of finding (`thresholds-failed`, `slo`, `regression`…): what `--fail-on` names. */
  readonly kind: string;
  readonly severity: Severity;
  readonly title: Phrase;
  readonly detail: Phrase;
  /** The run it is about, or `null` for inputs as a whole. */
  readonly run: string | null;
}

/** Every kind of finding (and of check) a report can hold: what `--fail-on` accepts. */
export const FINDING_KINDS = {
  'level-status': 'a level of the sweep errored, was interrupted or skipped',
  'no-data': 'a run with neither k6 output nor a summary',
  'thresholds-failed': "a k6 threshold failed (k6's own verdict, exit 99)",
  'loadgen-limited': 'k6 used 0.8 of a core or more, or ran out of VUs while iterations were fast',
  'out-of-vus': 'k6 ran out of VUs because the target slowed down',
  'rate-below-target': 'a run achieved less than 95% of its target rate',
  'missing-resource-data': 'no pod or process CPU and memory for a run',
  'partial-resource-data': 'some captures of a run held no data',
  'input-skipped': 'a file beside a run that is not a k6 output, summary or capture',
  'input-problems': 'broken lines or other problems in an input',
  'tag-sets-folded': "a metric had more tag sets than the limit (URLs with ids): the rest went into its \"other\" group",
  capacity: "a sweep's capacity (a warning when no level holds the SLO)",
  slo: 'a level broke the SLO (p95, p99, error rate, rate held, dropped iterations)',
  'capacity-inconclusive': 'levels limited by the load generator, so capacity beyond them is not measured',
  knee: 'where latency turns upward (Kneedle)',
  saturation: 'latency growing fast with load, or throughput that stopped rising',
  'endpoint-slo': "an endpoint's own p95 breaks the bound while the whole mix meets it",
  regression: 'a comparison verdict `worse`',
  improvement: 'a comparison verdict `better`',
  'not-comparable': 'a comparison refused: executor, rate, duration or resources differ',
  'capacity-change': "the two sides' maximum sustainable rates differ",
  tier: 'the smallest tier that holds `--target-rate`',
  'memory-headroom': 'a replica used 90% of its memory limit or more',
  'cpu-throttled': 'replicas hit their CPU quota in 20% of the CFS periods or more',
  'scaling-regression': 'adding replicas made throughput worse',
  rightsizing: 'requests and limits suggested from measured use (a warning when an HPA scales on the same resource)',
  'hpa-saturated': 'an HPA at max replicas while a metric is over its target',
  'hpa-flapping': 'an HPA changed direction twice or more within its window',
  'hpa-condition': 'ScalingLimited True, AbleToScale or ScalingActive False, or an HPA warning event',
  'hpa-scale-up-latency': 'latency and errors while an HPA scaled up',
  'soak-drift': 'latency, errors or throughput degrade over a soak (a significant trend beyond the practical threshold)',
  'memory-leak': "a replica's memory rises over a soak (significant, by 5% or more, or reaching its limit within 7 days)",
  'oom-kill': 'a replica (pod) was OOM-killed during a run',
  restarts: 'a replica (pod) restarted during a run without a recorded OOM kill',
  'breaking-point': 'the first step of a stress run that breaks the SLO',
  'not-recovered': "after a stress or a disruption, latency or errors did not return to the baseline (the first step's, the seconds before)",
  disruption: 'a disruption (a killed replica, a deleted pod, a marker) degraded the service until it recovered',
  'replacement-not-ready': 'no replacement replica or pod was seen running after a disruption',
} as const satisfies Readonly<Record<string, string>>;

export function finding(kind: string, subject: string, severity: Severity, title: Phrase, detail: Phrase, run: string | null = null): Finding {
  return { id: `${kind}:${subject}`, kind, severity, title, detail, run };
}

/** Achieved rate below this share of the target means the rate was not held. */
export const RATE_HELD_SHARE = 0.95;

export function runFindings(run: Run): Finding[] {
  const findings: Finding[] = [];
  const numbers = runNumbers(run);
  const add = (kind: string, severity: Severity, title: Phrase, detail: Phrase): void => {
    findings.push(finding(kind, run.id, severity, title, detail, run.id));
  };

  if (run.status === 'error' || run.status === 'interrupted' || run.status === 'skipped') {
    add('level-status', run.status === 'error' ? 'fail' : 'warn', t`${run.label}: ${run.status}`, run.statusReason === null ? t`the sweep marked this level ${code(run.status)}` : t`${run.statusReason}`);
  }
  if (numbers.source === 'none') {
    add('no-data', 'warn', t`${run.label}: no k6 data`, ['neither k6 output nor a summary was found for this run; its numbers are missing, not zero']);
    return findings;
  }

  const failed = run.summary?.thresholds.filter((threshold) => !threshold.ok) ?? [];
  if (failed.length > 0) {
    add(
      'thresholds-failed',
      'fail',
      t`${run.label}: ${failed.length} ${failed.length === 1 ? 'threshold' : 'thresholds'} failed`,
      join(failed.map((threshold) => t`${code(threshold.metric)} ${code(threshold.expression)}`), ', '),
    );
  } else if (run.status === 'thresholds-failed') {
    add('thresholds-failed', 'fail', t`${run.label}: thresholds failed`, ['k6 exited with code 99 (ThresholdsHaveFailed)']);
  }

  // A saturated load generator looks like a saturated target (the rate is not held, latency grows):
  // say which one it was, where the data tells.
  const loadgen = loadgenNumbers(run);
  const verdict = loadgenVerdict(run);
  const limited: Phrase[] = [];
  if (verdict.cpu) {
    limited.push(
      t`k6 used ${value(loadgen.cpu_mean_millicores, 'cores')} on average (max ${value(loadgen.cpu_max_millicores, 'cores')}) over ${loadgen.samples} captures, at or above ${value(LOADGEN_CPU_LIMIT_MILLICORES, 'cores')}: the rate this level reached may be k6's limit, not the target's; give k6 more CPU or more runners (\`npm run k8s -- testrun --parallelism N\`)`,
    );
  }
  if (verdict.vus !== null) {
    const busy = loadgen.vus_peak === null ? t`all its VUs were busy` : t`${loadgen.vus_peak} of ${loadgen.vus_max ?? loadgen.vus_peak} VUs were busy`;
    const dropped = numbers.dropped_iterations > 0 ? t` and ${value(numbers.dropped_iterations, 'count')} iterations were dropped` : t``;
    const iteration = loadgen.iteration_mean_ms;
    const needed =
      iteration !== null && run.level !== null
        ? t`; at the ${value(iteration, 'ms')} an iteration took, holding ${value(run.level, 'rate')} needs about ${value(Math.ceil((run.level * iteration) / 1000), 'count')} VUs (rate × iteration time)`
        : t``;
    const bound = verdict.bound_ms;
    if (verdict.vus === 'target') {
      // The pool was sized for fast responses; it ran out because the target slowed down.
      add(
        'out-of-vus',
        'warn',
        t`${run.label}: out of VUs, the target slowed down`,
        t`k6 ran out of VUs: ${busy}${dropped}${needed}. Iterations took longer than the ${value(bound, 'ms')} the run allows, so the target, not k6, was the limit: this level is beyond its capacity, and its latency understates how slow the target was`,
      );
    } else {
      limited.push(
        t`k6 ran out of VUs: ${busy}${dropped}${needed}; the offered rate was not held, so latency here understates what the target would have done: raise \`MAX_VUS\` (or \`EXPECTED_LATENCY_MS\`)`,
      );
    }
  }
  if (limited.length > 0) add('loadgen-limited', 'warn', t`${run.label}: load generator limited`, join(limited, '. '));

  if (run.level !== null && numbers.rps !== null && numbers.rps < RATE_HELD_SHARE * run.level) {
    add(
      'rate-below-target',
      'warn',
      t`${run.label}: achieved ${value(numbers.rps, 'rate')} of ${value(run.level, 'rate')}`,
      t`${value(numbers.rps / run.level, 'share')} of the target rate, below ${value(RATE_HELD_SHARE, 'percent')}: the load generator or the target could not keep the rate`,
    );
  }

  const folded = run.aggregator?.folded() ?? [];
  if (folded.length > 0) {
    const limit = run.aggregator?.maxTagSets ?? 0;
    // Metrics of one request share their tag sets: one line for those folded alike.
    const alike = new Map<string, FoldedTagSets[]>();
    for (const f of folded) alike.set(`${f.tagSets}|${f.atLeast}|${f.samples}`, [...(alike.get(`${f.tagSets}|${f.atLeast}|${f.samples}`) ?? []), f]);
    const metrics = join(
      [...alike.values()].map((same) => {
        const f = same[0] as FoldedTagSets;
        const each = same.length > 1 ? ' each' : '';
        return t`${join(same.map((m) => [code(m.metric)]), ', ')}: ${f.atLeast ? 'at least ' : ''}${value(f.tagSets, 'count')} ${f.tagSets === 1 ? 'tag set' : 'tag sets'} (${value(f.samples, 'count')} samples${each})`;
      }),
      '; ',
    );
    add(
      'tag-sets-folded',
      'warn',
      t`${run.label}: too many tag sets, ${folded.length === 1 ? 'one metric' : `${folded.length} metrics`} folded into "${OTHER_NAME}"`,
      t`past ${value(limit, 'count')} tag sets per metric (\`--max-tag-sets N\`), further ones were folded into one group per metric with \`name\` ${code(OTHER_NAME)}: ${metrics}. Their samples still count in the run's totals and percentiles, but not per endpoint. URLs with ids make one tag set per id: use k6's \`name\` tag (URL grouping: \`http.url\` template literals, or \`tags: { name: '/users/{id}' }\` on the request)`,
    );
  }

  const resources = run.snapshots.flatMap((snapshot) => snapshot.pods);
  if (resources.length === 0) {
    if (run.snapshots.length === 0) {
      add('missing-resource-data', 'info', t`${run.label}: no resource data`, ['no cluster or process captures were given for this run, so CPU and memory are not reported']);
    } else {
      const reasons = captureErrors(run);
      add(
        'missing-resource-data',
        'warn',
        t`${run.label}: no resource data`,
        t`${run.snapshots.length} ${run.snapshots.length === 1 ? 'capture' : 'captures'} but no pod CPU or memory in them${reasons.length > 0 ? [': ', ...join(reasons.slice(0, 3).map((r) => [r]), '; ')] : ''}`,
      );
    }
  } else if (run.snapshots.some((s) => recordsOf(s) === 0 && s.problems.some((p) => p.severity === 'error'))) {
    const missing = run.snapshots.filter((s) => recordsOf(s) === 0 && s.problems.some((p) => p.severity === 'error'));
    add('partial-resource-data', 'info', t`${run.label}: ${missing.length} of ${run.snapshots.length} captures had no data`, join(captureErrors(run).slice(0, 3).map((r) => [r]), '; '));
  }
  return findings;
}

/**
 * What went wrong in a run's captures, as kubectl said it (`error: Metrics API not available`), without
 * the file and line (they are in the inputs section); other errors only when kubectl said nothing.
 * Our own messages, so their backticks are markup.
 */
function captureErrors(run: Run): string[] {
  const messages = run.snapshots.flatMap((s) => s.problems.filter((p) => p.severity === 'error').map((p) => p.message));
  const kubectl = messages.filter((message) => message.startsWith('kubectl:'));
  const chosen = kubectl.length > 0 ? kubectl : messages;
  return [...new Set(chosen.map((message) => message.replace(/,? (on stderr )?at (\S+:\d+|line \d+)$/, '')))];
}

export function inputFindings(inputs: readonly InputReport[]): Finding[] {
  return inputs
    .filter((input) => input.problems_total > 0 && !input.format.startsWith('kubectl:') && !input.format.startsWith('capture-log:'))
    .map((input) => {
      const first = input.problems[0];
      if (input.skipped_reason !== undefined) {
        // A stranger in a run's folder, or an output that duplicates another: left out on purpose.
        return finding('input-skipped', input.path, 'info', t`${input.path}: skipped`, [input.skipped_reason]);
      }
      const lines = input.skipped > 0 ? t`, ${input.skipped} ${input.skipped === 1 ? 'line' : 'lines'} skipped` : t``;
      return finding('input-problems', input.path, 'warn', t`${input.path}: ${input.problems_total} ${input.problems_total === 1 ? 'problem' : 'problems'}${lines}`, first === undefined ? [] : [first.message]);
    });
}
