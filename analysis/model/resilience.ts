/**
 * Resilience: what a disruption did to the service and how long it took to come back. A disruption is
 * one of:
 * - what the sweep did (`--disrupt kill-replica@30s`, `delete-pod@30s`), recorded with its time in the
 *   manifest level;
 * - a marker the k6 script recorded: a sample of the metric `disruption` (a Counter; its `kind` tag,
 *   if any, names it), at the sample's time;
 * - a moment the user recorded with `npm run mark` during the run (a `marker` record of a capture log);
 * - a pod killed as `kubectl get events` shows it (`Killing` of a pod, `OOMKilling`), at the event's
 *   time (up to its LAST SEEN unit late), unless the sweep's own record of it is within 10 s;
 * - a pod change seen in consecutive `kubectl get pods` captures, A then B: a pod of A (not yet
 *   terminating) that B no longer shows or shows `Terminating` while B has as many pods not
 *   terminating as A (a replacement was made: deleted, evicted, its node lost; fewer pods is a scale
 *   down, not a disruption); or a pod whose RESTARTS count rose (its container was killed and
 *   restarted). It happened between A and B: it is placed at A, the last capture that saw the pod
 *   whole, so the baseline before it is clean and the recovery may be up to one capture interval
 *   shorter than measured (said in its detail). Skipped when any of the sources above records a
 *   disruption of the same pod (a marker that names no pod: of any) between A − 10 s and B + 10 s.
 *
 * Per disruption at T, from the run's seconds (model/per-second.ts):
 * - the **baseline** is the `BASELINE_S` whole seconds before T (at least `MIN_BASELINE_S` of them with
 *   requests): its p95, its worst second's p95 (the bound), its error rate;
 * - a second is **bad** when its p95 is over the bound or its errors over the baseline's + 0.1
 *   percentage points; the **error window** runs from the first second from T with errors over that
 *   bound to the last one before the recovery (0 when there is none), with the failed requests in it;
 * - **recovered** by the rule of model/recovery.ts (a good second from which the next 5 s, pooled, are
 *   within the baseline): recovery time = that second − T (0: no measurable disruption); "not
 *   recovered" to the end of the run;
 * - the **latency impact**: the worst second's p95 from T to the recovery, against the baseline's p95;
 * - the **replacement**: a killed replica seen again with a new PID, or a pod not seen before T seen
 *   Running and ready, in the captures after T (its time is the capture's, up to one interval late).
 */
import { LogHistogram } from '../stats/log-histogram.ts';
import type { Disruption, Manifest } from './manifest.ts';
import { perSecondOf, type Second } from './per-second.ts';
import { MIN_REQUESTS_PER_SECOND, RECOVERY_WINDOW_S, recoveredAt as recoveredFrom, recoveryBound, recoveryRuleText } from './recovery.ts';
import { runNumbers, type Run } from './run.ts';
import type { PodPlacement } from '../snapshots/types.ts';

export const BASELINE_S = 30;
export const MIN_BASELINE_S = 5;
export { RECOVERY_WINDOW_S };
/** An event this close to the sweep's own record of a disruption of the same pod is that disruption. */
const SAME_DISRUPTION_MS = 10_000;

export interface DisruptionSource {
  readonly t: string;
  readonly time_ms: number;
  readonly kind: string;
  readonly pod: string | null;
  readonly source: 'sweep' | 'k6-marker' | 'mark' | 'events' | 'pods';
  /** The sweep's record said it failed (`ok: false`): nothing was disrupted. */
  readonly failed: boolean;
  readonly detail: string;
  readonly pid: number | null;
}

export interface Resilience {
  readonly run: string;
  readonly label: string;
  readonly disruption: { readonly t: string; readonly kind: string; readonly pod: string | null; readonly source: DisruptionSource['source']; readonly detail: string };
  /** Seconds into the run of the disruption. */
  readonly at_s: number;
  readonly baseline_s: number;
  readonly baseline_p95_ms: number | null;
  readonly bound_p95_ms: number | null;
  readonly baseline_error_rate: number | null;
  readonly error_window_s: number | null;
  readonly failed_requests: number | null;
  readonly worst_p95_ms: number | null;
  readonly recovery_s: number | null;
  readonly recovered: boolean | null;
  readonly replacement: { readonly seen: boolean | null; readonly name: string | null; readonly after_s: number | null; readonly how: string };
  readonly reason: string;
  /** [seconds from the disruption, req/s, p95 ms | null, error rate | null] from the baseline to the end. */
  readonly seconds: readonly (readonly [number, number, number | null, number | null])[];
}

/** The disruptions of `run`: the sweep's records, k6 markers, pod kills in events. */
export function disruptionsOf(run: Run, manifests: readonly { readonly manifest: Manifest }[]): DisruptionSource[] {
  const out: DisruptionSource[] = [];
  for (const { manifest } of manifests) {
    for (const level of manifest.levels) {
      if (level.run_id !== run.id) continue;
      for (const d of level.disruptions ?? []) out.push(fromSweep(d));
    }
  }
  for (const group of run.aggregator?.groups() ?? []) {
    if (group.metric !== 'disruption') continue;
    for (const stats of group.buckets.values()) {
      if (stats.count === 0) continue;
      out.push({ t: new Date(stats.lastTimeMs).toISOString(), time_ms: stats.lastTimeMs, kind: group.tags.kind ?? 'marker', pod: group.tags.pod ?? null, source: 'k6-marker', failed: false, detail: 'a `disruption` sample of the k6 script', pid: null });
    }
  }
  const span = runSpan(run);
  for (const snapshot of run.snapshots) {
    for (const marker of snapshot.markers ?? []) {
      // Captures given beside the run are placed with a margin; a marker belongs to the run it falls in.
      if (span === null || marker.capturedAtMs < span.from || marker.capturedAtMs > span.to) continue;
      out.push({ t: new Date(marker.capturedAtMs).toISOString(), time_ms: marker.capturedAtMs, kind: marker.kind, pod: marker.pod, source: 'mark', failed: false, detail: marker.note === null ? 'recorded with npm run mark' : `recorded with npm run mark: ${marker.note}`, pid: null });
    }
  }
  const seen = new Set<string>();
  for (const snapshot of run.snapshots) {
    for (const event of snapshot.events) {
      if (event.timeMs === null || !event.object.startsWith('pod/') || !['Killing', 'OOMKilling'].includes(event.reason)) continue;
      const pod = event.object.slice('pod/'.length);
      const key = `${pod}\n${event.reason}\n${event.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (out.some((d) => d.source === 'sweep' && d.pod === pod && Math.abs(d.time_ms - (event.timeMs as number)) <= SAME_DISRUPTION_MS)) continue;
      out.push({ t: new Date(event.timeMs).toISOString(), time_ms: event.timeMs, kind: event.reason === 'OOMKilling' ? 'oom-kill' : 'pod-killed', pod, source: 'events', failed: false, detail: `${event.reason}: ${event.message}`, pid: null });
    }
  }
  out.push(...podChangesOf(run, out));
  return out.sort((a, b) => a.time_ms - b.time_ms);
}

function runSpan(run: Run): { from: number; to: number } | null {
  const { start, end } = runNumbers(run);
  return start === null || end === null ? null : { from: Date.parse(start), to: Date.parse(end) };
}

/** Disruptions after which the container restarts in the same pod. */
const IN_PLACE = new Set(['container-restart', 'oom-kill']);

function isReady(p: PodPlacement): boolean {
  return p.status === 'Running' && p.readyContainers !== null && p.readyContainers === p.totalContainers;
}

const GONE = new Set(['Terminating', 'Completed', 'Succeeded', 'Failed', 'Evicted', 'Error']);

/** Pods deleted and replaced, or restarted, between consecutive `get pods` captures (see the module's comment). */
function podChangesOf(run: Run, known: readonly DisruptionSource[]): DisruptionSource[] {
  const captures = run.snapshots
    .filter((s) => s.kind === 'pods-wide' && s.capturedAtMs !== null && s.problems.every((p) => p.severity !== 'error'))
    .sort((a, b) => (a.capturedAtMs as number) - (b.capturedAtMs as number));
  const out: DisruptionSource[] = [];
  const recorded = (pod: string, from: number, to: number): boolean =>
    [...known, ...out].some((d) => (d.pod === null || d.pod === pod) && d.time_ms >= from - SAME_DISRUPTION_MS && d.time_ms <= to + SAME_DISRUPTION_MS);
  for (let i = 1; i < captures.length; i++) {
    const a = captures[i - 1] as (typeof captures)[number];
    const b = captures[i] as (typeof captures)[number];
    const aMs = a.capturedAtMs as number;
    const bMs = b.capturedAtMs as number;
    const whole = (pods: typeof a.placements) => pods.filter((p) => !GONE.has(p.status));
    const inB = new Map(b.placements.map((p) => [p.pod, p]));
    const replaced = whole(b.placements).length >= whole(a.placements).length;
    const between = `between the \`get pods\` captures ${(bMs - aMs) / 1000} s apart (placed at the earlier: the recovery may be up to ${(bMs - aMs) / 1000} s shorter)`;
    for (const before of whole(a.placements)) {
      const after = inB.get(before.pod);
      if ((after === undefined || GONE.has(after.status)) && replaced) {
        if (recorded(before.pod, aMs, bMs)) continue;
        const how = after === undefined ? 'no longer listed' : `${after.status}`;
        out.push({ t: new Date(aMs).toISOString(), time_ms: aMs, kind: 'pod-replaced', pod: before.pod, source: 'pods', failed: false, detail: `${before.pod} ${how}, a replacement made, ${between}`, pid: null });
      } else if (after !== undefined && before.restarts !== null && after.restarts !== null && after.restarts > before.restarts) {
        if (recorded(before.pod, aMs, bMs)) continue;
        out.push({ t: new Date(aMs).toISOString(), time_ms: aMs, kind: 'container-restart', pod: before.pod, source: 'pods', failed: false, detail: `${before.pod} restarts ${before.restarts} → ${after.restarts}, ${between}`, pid: null });
      }
    }
  }
  return out;
}

function fromSweep(d: Disruption): DisruptionSource {
  return { t: d.time, time_ms: Date.parse(d.time), kind: d.kind, pod: d.target, source: 'sweep', failed: !d.ok, detail: d.detail, pid: d.pid };
}

export function resilienceOf(run: Run, disruption: DisruptionSource, runStartMs: number): Resilience {
  const perSecond = perSecondOf(run, disruption.time_ms);
  const at_s = (disruption.time_ms - runStartMs) / 1000;
  const base = {
    run: run.id,
    label: run.label,
    disruption: { t: disruption.t, kind: disruption.kind, pod: disruption.pod, source: disruption.source, detail: disruption.detail },
    at_s,
  };
  const seconds = [...perSecond.keys()].filter((s) => s >= -BASELINE_S).sort((a, b) => a - b).map((s) => {
    const e = perSecond.get(s) as Second;
    return [s, e.requests, e.hist.count >= MIN_REQUESTS_PER_SECOND ? e.hist.quantile(0.95) : null, e.requests > 0 ? e.failed / e.requests : null] as const;
  });
  const missing = (reason: string, extra: Partial<Resilience> = {}): Resilience => ({
    ...base,
    baseline_s: 0,
    baseline_p95_ms: null,
    bound_p95_ms: null,
    baseline_error_rate: null,
    error_window_s: null,
    failed_requests: null,
    worst_p95_ms: null,
    recovery_s: null,
    recovered: null,
    replacement: replacementOf(run, disruption),
    reason,
    seconds,
    ...extra,
  });
  if (disruption.failed) return missing(`the sweep's disruption failed: ${disruption.detail}`);
  if (run.aggregator === null) return missing('the run has no raw k6 output (only a summary): nothing to measure per second');
  if (run.aggregator.bucketMs > 1000) return missing(`the run's time buckets are ${run.aggregator.bucketMs / 1000} s: resilience needs 1 s`);
  // The baseline: the seconds before the disruption. Second -1 is the bucket the disruption falls in
  // (it started before it and ends after it): left out.
  const before = [...perSecond].filter(([s, e]) => s <= -2 && s >= -BASELINE_S - 1 && e.requests > 0);
  const latencySeconds = before.filter(([, e]) => e.hist.count >= MIN_REQUESTS_PER_SECOND);
  if (latencySeconds.length < MIN_BASELINE_S) return missing(`too few seconds with requests before the disruption for a baseline (${latencySeconds.length}; at least ${MIN_BASELINE_S})`);
  const merged = new LogHistogram();
  for (const [, e] of latencySeconds) merged.merge(e.hist);
  const requests = before.reduce((sum, [, e]) => sum + e.requests, 0);
  const failed = before.reduce((sum, [, e]) => sum + e.failed, 0);
  const baselineErrors = requests > 0 ? failed / requests : 0;
  const bound = recoveryBound(latencySeconds.map(([, e]) => e), baselineErrors);
  if (bound === null) return missing('no second before the disruption with enough requests for a baseline');
  const lastSecond = Math.max(...perSecond.keys());
  const erroring = (s: number): boolean => {
    const e = perSecond.get(s);
    return e !== undefined && e.requests > 0 && e.failed / e.requests > bound.error_rate;
  };
  // The run's last second is partial (k6 stops mid-second): not judged.
  const recoveredAt = recoveredFrom(perSecond, 0, lastSecond - 1, bound);
  const until = recoveredAt ?? lastSecond;
  let firstError: number | null = null;
  let lastError: number | null = null;
  let failedInWindow = 0;
  let worst: number | null = null;
  for (let s = 0; s < Math.max(until, 1); s++) {
    const e = perSecond.get(s);
    if (e === undefined) continue;
    if (erroring(s)) {
      firstError ??= s;
      lastError = s;
    }
    if (e.hist.count >= MIN_REQUESTS_PER_SECOND) worst = Math.max(worst ?? 0, e.hist.quantile(0.95));
  }
  if (firstError !== null && lastError !== null) for (let s = firstError; s <= lastError; s++) failedInWindow += perSecond.get(s)?.failed ?? 0;
  return {
    ...base,
    baseline_s: before.length,
    baseline_p95_ms: merged.count > 0 ? merged.quantile(0.95) : null,
    bound_p95_ms: bound.p95_ms,
    baseline_error_rate: baselineErrors,
    error_window_s: firstError === null || lastError === null ? 0 : lastError - firstError + 1,
    failed_requests: failedInWindow,
    worst_p95_ms: worst,
    recovery_s: recoveredAt,
    recovered: recoveredAt !== null,
    replacement: replacementOf(run, disruption),
    reason:
      recoveredAt === null
        ? `not recovered by the end of the run (${lastSecond} s after the disruption)`
        : recoveredAt === 0
          ? 'no measurable disruption: every second from it was within the baseline'
          : `${recoveryRuleText(bound)} ${recoveredAt} s after it`,
    seconds,
  };
}

/** Whether a replacement was seen in the captures after the disruption, and when. */
function replacementOf(run: Run, disruption: DisruptionSource): Resilience['replacement'] {
  const after = run.snapshots.filter((s) => s.capturedAtMs !== null && s.capturedAtMs > disruption.time_ms).sort((a, b) => (a.capturedAtMs as number) - (b.capturedAtMs as number));
  const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round((ms - disruption.time_ms) / 100) / 10);
  if (disruption.pod !== null && disruption.pid !== null) {
    // A local replica: the same name with another PID (its cgroup record), after the kill.
    const withLimits = after.filter((s) => (s.limits ?? []).length > 0);
    if (withLimits.length === 0) return { seen: null, name: disruption.pod, after_s: null, how: 'no cgroup captures after the disruption to see the replica in (the target ran without limits)' };
    const back = withLimits.find((s) => (s.limits ?? []).some((l) => l.name === disruption.pod && l.pid !== null && l.pid !== disruption.pid));
    return back === undefined
      ? { seen: false, name: disruption.pod, after_s: null, how: `no capture after the kill shows ${disruption.pod} with a new PID` }
      : { seen: true, name: disruption.pod, after_s: seconds(back.capturedAtMs), how: `${disruption.pod} seen with a new PID in the capture ${seconds(back.capturedAtMs)} s after the kill` };
  }
  const placements = run.snapshots.filter((s) => s.placements.length > 0 && s.capturedAtMs !== null);
  if (placements.length === 0) return { seen: null, name: null, after_s: null, how: 'no `kubectl get pods` captures to see a replacement in' };
  const earlier = placements.filter((s) => (s.capturedAtMs as number) <= disruption.time_ms);
  const later = placements.filter((s) => (s.capturedAtMs as number) > disruption.time_ms);
  if (disruption.pod === null && (disruption.source === 'k6-marker' || disruption.source === 'mark')) {
    return { seen: null, name: null, after_s: null, how: 'the marker names no pod: no replacement to look for' };
  }
  if (disruption.pod !== null && IN_PLACE.has(disruption.kind)) {
    // The container restarts in its pod: the same pod back Running and ready, with more restarts.
    const restartsBefore = Math.max(0, ...earlier.flatMap((s) => s.placements.filter((p) => p.pod === disruption.pod).map((p) => p.restarts ?? 0)));
    for (const snapshot of later) {
      const back = snapshot.placements.find((p) => p.pod === disruption.pod && (p.restarts ?? 0) > restartsBefore && isReady(p));
      if (back !== undefined) return { seen: true, name: back.pod, after_s: seconds(snapshot.capturedAtMs), how: `${back.pod} restarted (restart count ${back.restarts}), Running and ready in the capture ${seconds(snapshot.capturedAtMs)} s after` };
    }
    return { seen: false, name: disruption.pod, after_s: null, how: `no capture after it shows ${disruption.pod} restarted, Running and ready` };
  }
  const known = new Set(earlier.flatMap((s) => s.placements.map((p) => p.pod)));
  for (const snapshot of later) {
    const fresh = snapshot.placements.find((p) => !known.has(p.pod) && isReady(p));
    if (fresh !== undefined) return { seen: true, name: fresh.pod, after_s: seconds(snapshot.capturedAtMs), how: `${fresh.pod} Running and ready in the capture ${seconds(snapshot.capturedAtMs)} s after` };
  }
  return { seen: false, name: null, after_s: null, how: 'no new pod Running and ready in the captures after it' };
}
