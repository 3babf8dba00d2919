/**
 * Findings: what a reader must not miss, each traced to the numbers behind it. A finding never
 * fills a gap: missing data is reported as missing, with the reason.
 */
import type { InputReport } from './ingest/problems.ts';
import { recordsOf } from './model/load.ts';
import { loadgenNumbers, runNumbers, type Run } from './model/run.ts';

export type Severity = 'info' | 'warn' | 'fail';

export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly detail: string;
  /** The run it is about, or `null` for inputs as a whole. */
  readonly run: string | null;
}

/**
 * k6 using this much CPU (0.8 of a core, averaged over the level) is taken to be near its limit: its
 * VUs share the Go runtime's threads, and on the machines it runs on (a laptop, a runner pod with
 * a CPU limit of 1 or 2) the target and k6 compete for what is left.
 */
export const LOADGEN_CPU_LIMIT_MILLICORES = 800;

/** Achieved rate below this share of the target means the rate was not held. */
export const RATE_HELD_SHARE = 0.95;

export function runFindings(run: Run): Finding[] {
  const findings: Finding[] = [];
  const numbers = runNumbers(run);
  const add = (kind: string, severity: Severity, title: string, detail: string): void => {
    findings.push({ id: `${kind}:${run.id}`, severity, title, detail, run: run.id });
  };

  if (run.status === 'error' || run.status === 'interrupted' || run.status === 'skipped') {
    add(
      'level-status',
      run.status === 'error' ? 'fail' : 'warn',
      `${run.label}: ${run.status}`,
      run.statusReason ?? `the sweep marked this level \`${run.status}\``,
    );
  }
  if (numbers.source === 'none') {
    add('no-data', 'warn', `${run.label}: no k6 data`, 'neither k6 output nor a summary was found for this run; its numbers are missing, not zero');
    return findings;
  }

  const failed = run.summary?.thresholds.filter((threshold) => !threshold.ok) ?? [];
  if (failed.length > 0) {
    add(
      'thresholds-failed',
      'fail',
      `${run.label}: ${failed.length} threshold${failed.length === 1 ? '' : 's'} failed`,
      failed.map((threshold) => `\`${threshold.metric}\` \`${threshold.expression}\``).join(', '),
    );
  } else if (run.status === 'thresholds-failed') {
    add('thresholds-failed', 'fail', `${run.label}: thresholds failed`, 'k6 exited with code 99 (ThresholdsHaveFailed)');
  }

  // A saturated load generator looks like a saturated target (the rate is not held, latency grows):
  // say which one it was, where the data tells.
  const loadgen = loadgenNumbers(run);
  const reasons: string[] = [];
  if (loadgen.cpu_mean_millicores !== null && loadgen.cpu_mean_millicores >= LOADGEN_CPU_LIMIT_MILLICORES) {
    reasons.push(
      `k6 used ${cores(loadgen.cpu_mean_millicores)} cores on average (max ${cores(loadgen.cpu_max_millicores ?? loadgen.cpu_mean_millicores)}) over ${loadgen.samples} captures, ` +
        `at or above ${cores(LOADGEN_CPU_LIMIT_MILLICORES)} of a core: the rate this level reached may be k6's limit, not the target's; ` +
        'give k6 more CPU or more runners (`npm run k8s -- testrun --parallelism N`)',
    );
  }
  if (loadgen.out_of_vus) {
    const needed =
      loadgen.iteration_mean_ms !== null && run.level !== null ? `; holding ${format(run.level)}/s at the ${loadgen.iteration_mean_ms.toFixed(1)} ms an iteration took needs about ${Math.ceil((run.level * loadgen.iteration_mean_ms) / 1000)} busy VUs (rate × iteration time)` : '';
    reasons.push(
      `k6 ran out of VUs: ${loadgen.vus_peak === null ? 'its pool' : `${loadgen.vus_peak} of ${loadgen.vus_max ?? '?'}`} were busy` +
        `${numbers.dropped_iterations > 0 ? ` and ${numbers.dropped_iterations} iterations were dropped` : ''}${needed}; ` +
        'the offered rate was not held, so latency here understates what the target would have done: raise `MAX_VUS` (or `EXPECTED_LATENCY_MS`), or, if latency grew because the target saturated, treat this level as beyond capacity',
    );
  }
  if (reasons.length > 0) add('loadgen-limited', 'warn', `${run.label}: load generator limited`, reasons.join('. '));

  if (run.level !== null && numbers.rps !== null && numbers.rps < RATE_HELD_SHARE * run.level) {
    add(
      'rate-below-target',
      'warn',
      `${run.label}: achieved ${format(numbers.rps)}/s of ${format(run.level)}/s`,
      `${((numbers.rps / run.level) * 100).toFixed(1)}% of the target rate, below ${RATE_HELD_SHARE * 100}%: the load generator or the target could not keep the rate`,
    );
  }

  const resources = run.snapshots.flatMap((snapshot) => snapshot.pods);
  if (resources.length === 0) {
    if (run.snapshots.length === 0) {
      add('missing-resource-data', 'info', `${run.label}: no resource data`, 'no cluster or process captures were given for this run, so CPU and memory are not reported');
    } else {
      const reasons = captureErrors(run);
      add(
        'missing-resource-data',
        'warn',
        `${run.label}: no resource data`,
        `${run.snapshots.length} capture${run.snapshots.length === 1 ? '' : 's'} but no pod CPU or memory in them${reasons.length > 0 ? `: ${reasons.slice(0, 3).join('; ')}` : ''}`,
      );
    }
  } else if (run.snapshots.some((s) => recordsOf(s) === 0 && s.problems.some((p) => p.severity === 'error'))) {
    const missing = run.snapshots.filter((s) => recordsOf(s) === 0 && s.problems.some((p) => p.severity === 'error'));
    add('partial-resource-data', 'info', `${run.label}: ${missing.length} of ${run.snapshots.length} captures had no data`, captureErrors(run).slice(0, 3).join('; '));
  }
  return findings;
}

/**
 * What went wrong in a run's captures, as kubectl said it (`error: Metrics API not available`), without
 * the file and line (they are in the inputs section); other errors only when kubectl said nothing.
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
        return { id: `input-skipped:${input.path}`, severity: 'info' as const, title: `${input.path}: skipped`, detail: input.skipped_reason, run: null };
      }
      return {
        id: `input-problems:${input.path}`,
        severity: 'warn' as const,
        title: `${input.path}: ${input.problems_total} problem${input.problems_total === 1 ? '' : 's'}${input.skipped > 0 ? `, ${input.skipped} line${input.skipped === 1 ? '' : 's'} skipped` : ''}`,
        detail: first === undefined ? '' : first.message,
        run: null,
      };
    });
}

function cores(millicores: number): string {
  return (millicores / 1000).toFixed(2);
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
