/**
 * HPA timelines: how a HorizontalPodAutoscaler answered a load test. Pure functions over HPA points
 * (`-o json` captures, tables, watch rows), the HPA's events (`SuccessfulRescale` "New size: N") and,
 * when given, the run's load series. These are the fields of analysis.json's `hpa` block.
 *
 * Definitions (each duration is `null`, with its reason, when the data cannot give it):
 * - The load increase is the first load point whose rate is more than `loadChangeShare` (10%) above
 *   the first point's (any rate above 0 when it starts at 0), and the point after it too; the offered
 *   rate when the series has one (the arrival rate k6 was asked for: iterations + dropped
 *   iterations), else the achieved rps. The load decrease is the first later point, again with the
 *   next, more than 10% below the highest rate before it.
 * - Replicas are the HPA's current replicas, held from one point to the next (a step function). A
 *   change is seen at the first point that shows it and happened after the point before it, so each
 *   duration carries a range; when the range is wider than the value measured (the capture interval
 *   is longer than what is measured), the value is `null`.
 * - `first_scale_up_s`: from the load increase to the first point whose current replicas exceed those
 *   at the last point before the increase. `first_rescale_up_s`: the same to the first upward
 *   `SuccessfulRescale` event (the HPA's decision; pods follow).
 * - `steady_s`: from the load increase to the first replica change after which the replicas stay
 *   unchanged for `steadyWindowMs` (3 min) or until the load decrease, when the points reach it. A
 *   load series that never falls ends with k6 stopping: its end is the load decrease.
 * - `scale_down_s`: from the load decrease to the first point with fewer replicas than before it.
 * - `at_max_s`, `at_min_s`: time with current replicas at (or beyond) max, at (or below) min.
 * - `flaps`: direction reversals of the desired replicas (objects; else the rescale events; else the
 *   current replicas) that come within `flapWindowMs` (5 min, the controller's default scale-down
 *   stabilization window: with default behaviour a reversal that fast should not happen) of the
 *   change before.
 * - Saturation: points at max replicas while a metric's current value exceeds its target.
 */
import type { EventRecord, HpaCondition, HpaMetric, HpaSample, SnapshotResult } from '../snapshots/types.ts';
import type { HpaWatchSample } from '../snapshots/hpa-watch.ts';
import { kubectlAgeMs, kubectlAgeRange } from '../snapshots/lines.ts';
import { median } from '../stats/median.ts';

export const DEFAULT_FLAP_WINDOW_MS = 5 * 60_000;
export const DEFAULT_STEADY_WINDOW_MS = 3 * 60_000;
export const DEFAULT_LOAD_CHANGE_SHARE = 0.1;

/** One observation of one HPA. */
export interface HpaPoint {
  readonly namespace: string | null;
  readonly name: string;
  readonly reference: string | null;
  /** When it was observed, Unix ms: a capture's time, or a watch row's estimate. */
  readonly timeMs: number;
  /** The true time is within `timeMs ±` this; 0 when the capture has its own time. */
  readonly timeUncertaintyMs: number;
  readonly minReplicas: number | null;
  readonly maxReplicas: number | null;
  readonly currentReplicas: number | null;
  readonly desiredReplicas: number | null;
  readonly metrics: readonly HpaMetric[];
  readonly conditions: readonly HpaCondition[];
  /**
   * `object` (`-o json` / `-o yaml`) and `describe` show desired replicas and conditions; `table` and
   * `watch` (a `kubectl get hpa -w` row) show neither.
   */
  readonly source: 'object' | 'describe' | 'table' | 'watch';
}

/** The fields of an event the timelines read (an `EventRecord` has them). */
export type HpaEvent = Pick<EventRecord, 'namespace' | 'object' | 'type' | 'reason' | 'message' | 'lastSeen' | 'timeMs' | 'count' | 'newSize' | 'rescaleReason'>;

/** One time bucket of a k6 run. */
export interface LoadPoint {
  readonly timeMs: number;
  /** The arrival rate asked for (iterations + dropped iterations per second), when known. */
  readonly offeredRate?: number | null;
  /** Achieved requests per second. */
  readonly rps?: number | null;
  readonly p95Ms?: number | null;
  readonly errorRate?: number | null;
  /** Requests in the bucket: weights the error rate over a window. */
  readonly requests?: number | null;
}

export interface HpaTimelineOptions {
  readonly load?: readonly LoadPoint[];
  readonly flapWindowMs?: number;
  readonly steadyWindowMs?: number;
  readonly loadChangeShare?: number;
}

export interface HpaTimelinePoint {
  /** Unix ms. */
  readonly t: number;
  readonly t_uncertainty_ms: number;
  readonly current: number | null;
  readonly desired: number | null;
  readonly min: number | null;
  readonly max: number | null;
  readonly metrics: readonly { readonly name: string | null; readonly current: number | null; readonly target: number | null; readonly unit: 'percent' | 'quantity' }[];
  readonly source: HpaPoint['source'];
}

/** A duration as measured: `value_s` within `range_s`, or `null` with the reason. */
export interface Measure {
  readonly value_s: number | null;
  readonly range_s: readonly [number, number] | null;
  /** What was measured between (Unix ms), when it was. */
  readonly from_ms: number | null;
  readonly to_ms: number | null;
  readonly reason: string | null;
}

export interface Rescale {
  /** Unix ms: the middle of the range LAST SEEN leaves. */
  readonly t: number;
  readonly t_uncertainty_ms: number;
  readonly new_size: number;
  readonly reason: string | null;
  readonly direction: 'up' | 'down' | null;
  /** The event's COUNT (or `xN`) when more than one occurrence was folded into it. */
  readonly count: number | null;
}

export interface SaturationEpisode {
  readonly from_ms: number;
  /** The first point after the episode, or the last point when the episode runs to the end. */
  readonly to_ms: number;
  readonly duration_s: number;
  /** The episode lasts to the last point: it may go on. */
  readonly open: boolean;
  readonly replicas: number;
  readonly max: number;
  /** Each metric over its target, at its highest. */
  readonly metrics: readonly { readonly name: string | null; readonly current: number; readonly target: number; readonly unit: 'percent' | 'quantity' }[];
}

export interface ConditionSeen {
  readonly type: string;
  readonly status: boolean | null;
  readonly reason: string | null;
  /** The message of the last point that showed it. */
  readonly message: string | null;
  readonly first_ms: number;
  readonly last_ms: number;
  readonly points: number;
}

export interface HpaWarning {
  readonly reason: string;
  readonly message: string;
  /** Occurrences, at least: the highest COUNT seen (1 for an event without one). */
  readonly count: number;
  readonly first_ms: number | null;
  readonly last_ms: number | null;
}

export interface LoadChanges {
  readonly basis: 'offered' | 'rps';
  /** The first rate, what the increase is measured against. */
  readonly start_rate: number;
  readonly increase_ms: number | null;
  /** The first fall after the increase; else the end of the series (k6 stopped: the load fell to 0). */
  readonly decrease_ms: number | null;
  readonly decrease_basis: 'fall' | 'end' | null;
  /** The last load point. */
  readonly end_ms: number;
  /** Why there is no increase or decrease, when there is none. */
  readonly reason: string | null;
}

export interface ScaleUpLoad {
  readonly from_ms: number;
  readonly to_ms: number;
  readonly points: number;
  readonly p95_ms_max: number | null;
  readonly p95_ms_median: number | null;
  readonly error_rate: number | null;
  /** `requests`: weighted by each bucket's requests; `points`: the mean of the buckets' rates. */
  readonly error_rate_basis: 'requests' | 'points' | null;
  /** The same before the load increase, to compare with. */
  readonly before: { readonly points: number; readonly p95_ms_median: number | null; readonly error_rate: number | null };
}

export interface HpaTimeline {
  readonly namespace: string | null;
  readonly name: string;
  readonly reference: string | null;
  /** As the last point that shows them says. */
  readonly min: number | null;
  readonly max: number | null;
  readonly timeline: readonly HpaTimelinePoint[];
  readonly rescales: readonly Rescale[];
  /** The median time between points; `null` with fewer than two. */
  readonly capture_interval_s: number | null;
  /** From the first point to the last. */
  readonly observed_s: number | null;
  readonly load: LoadChanges | null;
  readonly first_scale_up_s: number | null;
  readonly first_rescale_up_s: number | null;
  readonly steady_s: number | null;
  readonly scale_down_s: number | null;
  readonly at_max_s: number | null;
  readonly at_min_s: number | null;
  readonly flaps: number | null;
  readonly measures: {
    readonly first_scale_up: Measure;
    readonly first_rescale_up: Measure;
    readonly steady: Measure;
    readonly scale_down: Measure;
    readonly at_max: Measure;
    readonly at_min: Measure;
  };
  readonly flap: { readonly count: number | null; readonly basis: 'desired' | 'rescale-events' | 'current' | null; readonly window_s: number; readonly reason: string | null };
  readonly saturation: readonly SaturationEpisode[];
  /** Latency and errors between the load increase and steady; `null` with `during_scale_up_reason`. */
  readonly during_scale_up: ScaleUpLoad | null;
  readonly during_scale_up_reason: string | null;
  /** ScalingLimited True, AbleToScale False, ScalingActive False; `null` when no point shows conditions (tables, watch logs). */
  readonly conditions: readonly ConditionSeen[] | null;
  /** The HPA's Warning events (`FailedGetResourceMetric`, …). */
  readonly warnings: readonly HpaWarning[];
  /** Caveats on values that are given (lost events, estimated times). */
  readonly notes: readonly string[];
}

/** Builds one timeline per HPA (by namespace and name), sorted by namespace and name. */
export function hpaTimelines(points: readonly HpaPoint[], events: readonly HpaEvent[] = [], options: HpaTimelineOptions = {}): HpaTimeline[] {
  const { load, flapWindowMs = DEFAULT_FLAP_WINDOW_MS, steadyWindowMs = DEFAULT_STEADY_WINDOW_MS, loadChangeShare = DEFAULT_LOAD_CHANGE_SHARE } = options;
  const changes = load === undefined ? null : loadChanges(load, loadChangeShare);
  const groups = groupByHpa(points, events);
  return [...groups.values()]
    .sort((a, b) => (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name))
    .map((group) => timelineOf(group, changes, load ?? [], { flapWindowMs, steadyWindowMs }));
}

/** The load increase and decrease of a series, by the rule in the module comment. */
export function loadChanges(load: readonly LoadPoint[], share: number = DEFAULT_LOAD_CHANGE_SHARE): LoadChanges | null {
  const offered = load.some((p) => typeof p.offeredRate === 'number');
  const basis = offered ? ('offered' as const) : ('rps' as const);
  const series = [...load]
    .map((p) => ({ t: p.timeMs, v: offered ? p.offeredRate : p.rps }))
    .filter((p): p is { t: number; v: number } => typeof p.v === 'number' && Number.isFinite(p.v))
    .sort((a, b) => a.t - b.t);
  const start = series[0];
  if (start === undefined) return null;
  const end = (series[series.length - 1] as { t: number }).t;
  const rises = (v: number): boolean => (start.v === 0 ? v > 0 : v > start.v * (1 + share));
  // Held for two points in a row: one bucket's jitter (±1 iteration is 20% at 5/s) or k6's partial
  // last bucket is not a change of load.
  const up = series.findIndex((p, i) => rises(p.v) && rises(series[i + 1]?.v ?? Number.NaN));
  if (up === -1) {
    const reason = `the ${basis === 'offered' ? 'offered rate' : 'rps'} never rose more than ${share * 100}% above its start (${start.v})`;
    return { basis, start_rate: start.v, increase_ms: null, decrease_ms: null, decrease_basis: null, end_ms: end, reason };
  }
  let peak = Number.NEGATIVE_INFINITY;
  let down: number | null = null;
  for (let i = up; i < series.length; i += 1) {
    const point = series[i] as { t: number; v: number };
    const next = series[i + 1];
    if (point.v < peak * (1 - share) && next !== undefined && next.v < peak * (1 - share)) {
      down = point.t;
      break;
    }
    // The peak is held for two points as well: one bucket's burst (k6 starting late iterations at
    // once, or counting dropped ones together) is not the level the load fell from.
    peak = Math.max(peak, Math.min(point.v, next?.v ?? point.v));
  }
  const increase = (series[up] as { t: number }).t;
  // A run that ends at full load still drops it, to nothing, when k6 stops.
  const ends = down === null && end > increase;
  return {
    basis,
    start_rate: start.v,
    increase_ms: increase,
    decrease_ms: down ?? (ends ? end : null),
    decrease_basis: down !== null ? 'fall' : ends ? 'end' : null,
    end_ms: end,
    reason: down === null && !ends ? 'the load series ends at its increase: no decrease' : null,
  };
}

/**
 * HPA points from parsed captures: objects, descriptions and tables at their capture time, watch
 * rows at their estimated time (rows without one are left out: their parser said why). Watch rows
 * are read from `hpaWatch`, or from `hpas` when they carry their own time there.
 */
export function hpaPointsFromSnapshots(snapshots: readonly SnapshotResult[]): HpaPoint[] {
  const points: HpaPoint[] = [];
  const watchRow = (row: HpaWatchSample): void => {
    if (row.timeMs !== null) points.push(toPoint(row, row.timeMs, row.timeUncertaintyMs ?? 0, 'watch'));
  };
  for (const snapshot of snapshots) {
    const source = SOURCE_OF_KIND[snapshot.kind] ?? 'table';
    for (const hpa of snapshot.hpas) {
      if (isWatchSample(hpa)) watchRow(hpa);
      else points.push(toPoint(hpa, hpa.capturedAtMs, 0, source));
    }
    for (const row of snapshot.hpaWatch ?? []) watchRow(row);
  }
  return points;
}

/** The events about HPAs in parsed captures. */
export function hpaEventsFromSnapshots(snapshots: readonly SnapshotResult[]): HpaEvent[] {
  return snapshots.flatMap((snapshot) => snapshot.events.filter((event) => HPA_OBJECT.test(event.object)));
}

// --- internals -----------------------------------------------------------------------------------

const HPA_OBJECT = /^horizontalpodautoscaler(?:s)?(?:\.autoscaling)?\//i;

/** What each capture kind shows; a kind not listed is read as a table (no desired, no conditions). */
const SOURCE_OF_KIND: Readonly<Record<string, HpaPoint['source']>> = { 'hpa-json': 'object', 'hpa-yaml': 'object', 'hpa-describe': 'describe', hpa: 'table', 'hpa-watch': 'watch' };

function isWatchSample(sample: HpaSample): sample is HpaWatchSample {
  return 'timeMs' in sample && 'timeUncertaintyMs' in sample && 'age' in sample;
}

interface Group {
  readonly namespace: string | null;
  readonly name: string;
  readonly points: HpaPoint[];
  readonly events: HpaEvent[];
}

/** An instant known to lie in [lo, hi], best estimate `t`. */
interface Instant {
  readonly t: number;
  readonly lo: number;
  readonly hi: number;
}

function toPoint(sample: HpaSample, timeMs: number, timeUncertaintyMs: number, source: HpaPoint['source']): HpaPoint {
  return {
    namespace: sample.namespace,
    name: sample.name,
    reference: sample.reference,
    timeMs,
    timeUncertaintyMs,
    minReplicas: sample.minReplicas,
    maxReplicas: sample.maxReplicas,
    currentReplicas: sample.currentReplicas,
    desiredReplicas: sample.desiredReplicas,
    metrics: sample.metrics,
    conditions: sample.conditions,
    source,
  };
}

/**
 * Groups by namespace and name. A table without `-A` shows no namespace: its rows join the one
 * namespaced HPA of that name when there is exactly one, and stay apart otherwise.
 */
function groupByHpa(points: readonly HpaPoint[], events: readonly HpaEvent[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  const namespaced = new Map<string, Set<string>>();
  const noteName = (namespace: string | null, name: string): void => {
    if (namespace === null) return;
    namespaced.set(name, (namespaced.get(name) ?? new Set()).add(namespace));
  };
  for (const point of points) noteName(point.namespace, point.name);
  const hpaEvents = events.filter((event) => HPA_OBJECT.test(event.object));
  for (const event of hpaEvents) noteName(event.namespace, event.object.replace(HPA_OBJECT, ''));
  const at = (namespace: string | null, name: string): Group => {
    const only = namespace === null ? namespaced.get(name) : undefined;
    const resolved = only !== undefined && only.size === 1 ? ([...only][0] ?? null) : namespace;
    const key = `${resolved ?? ''}/${name}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { namespace: resolved, name, points: [], events: [] };
      groups.set(key, group);
    }
    return group;
  };
  for (const point of points) at(point.namespace, point.name).points.push(point);
  for (const event of hpaEvents) at(event.namespace, event.object.replace(HPA_OBJECT, '')).events.push(event);
  return groups;
}

function timelineOf(group: Group, load: LoadChanges | null, series: readonly LoadPoint[], windows: { flapWindowMs: number; steadyWindowMs: number }): HpaTimeline {
  const points = group.points.map((p, i) => ({ p, i })).sort((a, b) => a.p.timeMs - b.p.timeMs || a.i - b.i).map(({ p }) => p);
  const notes: string[] = [];
  if (points.some((p) => p.source === 'watch')) notes.push('some points are `kubectl get hpa -w` rows, whose times are estimated from the AGE column (see `t_uncertainty_ms`)');
  const last = <T>(pick: (p: HpaPoint) => T | null): T | null => {
    for (let i = points.length - 1; i >= 0; i -= 1) {
      const value = pick(points[i] as HpaPoint);
      if (value !== null) return value;
    }
    return null;
  };
  const timeline: HpaTimelinePoint[] = points.map((p) => ({
    t: p.timeMs,
    t_uncertainty_ms: p.timeUncertaintyMs,
    current: p.currentReplicas,
    desired: p.desiredReplicas,
    min: p.minReplicas,
    max: p.maxReplicas,
    metrics: p.metrics.map((m) => ({ name: m.name, current: m.currentValue, target: m.targetValue, unit: m.unit })),
    source: p.source,
  }));
  const gaps = points.slice(1).map((p, i) => p.timeMs - (points[i] as HpaPoint).timeMs);
  const rescales = rescalesOf(group.events, points);
  if (rescales.some((r) => r.count !== null && r.count > 1)) notes.push('some rescale events fold several occurrences into one (COUNT > 1): only the last of each is timed');

  const times = series.map((p) => p.timeMs).sort((a, b) => a - b);
  const up = load?.increase_ms === null || load === null ? null : afterPrevious(times, load.increase_ms);
  let down: Instant | null = null;
  if (load !== null && load.decrease_ms !== null) {
    if (load.decrease_basis === 'end') {
      // k6 stopped within the last bucket: up to one bucket after its start.
      const previous = times[times.length - 2] ?? load.end_ms;
      down = { t: load.end_ms, lo: load.end_ms, hi: load.end_ms + (load.end_ms - previous) };
      notes.push('the load series never falls: its end (k6 stopping) is taken as the load decrease');
    } else down = afterPrevious(times, load.decrease_ms);
  }
  const noLoad = load === null ? 'no load series: the load increase is not known' : (load.reason ?? 'the load did not change');

  const firstScaleUp = up === null ? missing(noLoad) : replicaChange(points, up, 'up', 'the load increase');
  const firstRescaleUp = up === null ? missing(noLoad) : rescaleAfter(rescales, up);
  const steady = up === null || load === null ? missing(noLoad) : steadyAfter(points, up, down, windows.steadyWindowMs);
  const scaleDown = down === null ? missing(noLoad) : replicaChange(points, down, 'down', 'the load decrease');
  const atMax = timeAt(points, 'max');
  const atMin = timeAt(points, 'min');
  const flap = flapsOf(points, rescales, windows.flapWindowMs);
  const during = steady.value_s === null || steady.to_ms === null || up === null ? null : duringScaleUp(series, up.t, steady.to_ms);

  return {
    namespace: group.namespace,
    name: group.name,
    reference: last((p) => p.reference),
    min: last((p) => p.minReplicas),
    max: last((p) => p.maxReplicas),
    timeline,
    rescales,
    capture_interval_s: gaps.length === 0 ? null : median(gaps) / 1000,
    observed_s: points.length < 2 ? null : ((points[points.length - 1] as HpaPoint).timeMs - (points[0] as HpaPoint).timeMs) / 1000,
    load,
    first_scale_up_s: firstScaleUp.value_s,
    first_rescale_up_s: firstRescaleUp.value_s,
    steady_s: steady.value_s,
    scale_down_s: scaleDown.value_s,
    at_max_s: atMax.value_s,
    at_min_s: atMin.value_s,
    flaps: flap.count,
    measures: { first_scale_up: firstScaleUp, first_rescale_up: firstRescaleUp, steady, scale_down: scaleDown, at_max: atMax, at_min: atMin },
    flap: { ...flap, window_s: windows.flapWindowMs / 1000 },
    saturation: saturationOf(points),
    during_scale_up: during,
    during_scale_up_reason: during !== null ? null : up === null ? noLoad : steady.value_s === null ? `no steady state: ${steady.reason ?? ''}` : 'no load points between the load increase and steady',
    conditions: points.some((p) => p.source === 'object' || p.source === 'describe') ? conditionsOf(points) : null,
    warnings: warningsOf(group.events),
    notes,
  };
}

function missing(reason: string): Measure {
  return { value_s: null, range_s: null, from_ms: null, to_ms: null, reason };
}

/** `to − from` with its range, or `null` when the range is wider than the value. */
function between(from: Instant, to: Instant, what: string): Measure {
  const value = to.t - from.t;
  const range: [number, number] = [(to.lo - from.hi) / 1000, (to.hi - from.lo) / 1000];
  const width = to.hi - to.lo + (from.hi - from.lo);
  if (width > value) {
    return {
      ...missing(`the ${what} happened between ${iso(to.lo)} and ${iso(to.hi)}: the capture interval leaves ${seconds(width)} s of uncertainty, more than the ${seconds(value)} s measured`),
      from_ms: from.t,
      to_ms: to.t,
    };
  }
  return { value_s: value / 1000, range_s: range, from_ms: from.t, to_ms: to.t, reason: null };
}

/** The first point after `at` whose current replicas are above (`up`) or below those at the last point before it. */
function replicaChange(points: readonly HpaPoint[], at: Instant, direction: 'up' | 'down', what: string): Measure {
  const withReplicas = points.filter((p) => p.currentReplicas !== null);
  const beforeIndex = lastIndex(withReplicas, (p) => p.timeMs <= at.t);
  if (beforeIndex === -1) return missing(`no HPA point at or before ${what} (${iso(at.t)}): the replicas then are not known`);
  const base = (withReplicas[beforeIndex] as HpaPoint).currentReplicas as number;
  for (let i = beforeIndex + 1; i < withReplicas.length; i += 1) {
    const point = withReplicas[i] as HpaPoint;
    const replicas = point.currentReplicas as number;
    if (direction === 'up' ? replicas > base : replicas < base) {
      const previous = withReplicas[i - 1] as HpaPoint;
      return between(at, changeInstant(previous, point), `first scale-${direction}`);
    }
  }
  return missing(`current replicas never went ${direction === 'up' ? 'above' : 'below'} ${base} after ${what} (${iso(at.t)})`);
}

/** A change first seen at `point`, after `previous`. */
function changeInstant(previous: HpaPoint, point: HpaPoint): Instant {
  return { t: point.timeMs, lo: previous.timeMs - previous.timeUncertaintyMs, hi: point.timeMs + point.timeUncertaintyMs };
}

/** A load change first seen at the point at `t`: it happened after the point before it. */
function afterPrevious(sortedTimes: readonly number[], t: number): Instant {
  const before = lastIndex(sortedTimes, (time) => time < t);
  return { t, lo: before === -1 ? t : (sortedTimes[before] as number), hi: t };
}

function rescaleAfter(rescales: readonly Rescale[], at: Instant): Measure {
  const first = rescales.find((r) => r.direction === 'up' && r.t > at.t);
  if (first === undefined) return missing(rescales.length === 0 ? 'no SuccessfulRescale events for this HPA' : `no upward SuccessfulRescale event after the load increase (${iso(at.t)})`);
  return between(at, { t: first.t, lo: first.t - first.t_uncertainty_ms, hi: first.t + first.t_uncertainty_ms }, 'first upward rescale');
}

function steadyAfter(points: readonly HpaPoint[], up: Instant, down: Instant | null, windowMs: number): Measure {
  const withReplicas = points.filter((p) => p.currentReplicas !== null);
  // Changes after the load is gone (the scale-down) are not part of reaching steady.
  const end = down?.t ?? Number.POSITIVE_INFINITY;
  const changes: { index: number; point: HpaPoint }[] = [];
  for (let i = 1; i < withReplicas.length; i += 1) {
    const point = withReplicas[i] as HpaPoint;
    if (point.timeMs > up.t && point.timeMs <= end && point.currentReplicas !== (withReplicas[i - 1] as HpaPoint).currentReplicas) changes.push({ index: i, point });
  }
  const until = down === null ? 'the last point' : 'the load decrease';
  if (changes.length === 0) return missing(`current replicas did not change between the load increase (${iso(up.t)}) and ${until}`);
  const lastPoint = withReplicas[withReplicas.length - 1] as HpaPoint;
  const reachesEnd = down === null || lastPoint.timeMs >= down.t;
  for (let k = 0; k < changes.length; k += 1) {
    const change = changes[k] as { index: number; point: HpaPoint };
    const next = changes[k + 1];
    const quiet = (next?.point.timeMs ?? Math.min(lastPoint.timeMs, end)) - change.point.timeMs;
    if (quiet >= windowMs || (next === undefined && reachesEnd)) {
      return between(up, changeInstant(withReplicas[change.index - 1] as HpaPoint, change.point), 'last change before steady');
    }
  }
  const final = changes[changes.length - 1] as { point: HpaPoint };
  return missing(
    `the replicas last changed at ${iso(final.point.timeMs)} and the points end ${seconds(lastPoint.timeMs - final.point.timeMs)} s later, before ${seconds(windowMs)} s without a change or ${until}`,
  );
}

/** Time at max (or min) replicas, as a step function over the points. */
function timeAt(points: readonly HpaPoint[], bound: 'max' | 'min'): Measure {
  const usable = points.filter((p) => p.currentReplicas !== null && (bound === 'max' ? p.maxReplicas : p.minReplicas) !== null);
  if (usable.length < 2) return missing(usable.length === 0 ? `no point shows current and ${bound} replicas` : `one point shows current and ${bound} replicas: a time needs two`);
  const at = (p: HpaPoint): boolean => (bound === 'max' ? (p.currentReplicas as number) >= (p.maxReplicas as number) : (p.currentReplicas as number) <= (p.minReplicas as number));
  let value = 0;
  let lower = 0;
  let upper = 0;
  let widest = 0;
  for (let i = 0; i + 1 < usable.length; i += 1) {
    const a = usable[i] as HpaPoint;
    const b = usable[i + 1] as HpaPoint;
    const gap = b.timeMs - a.timeMs;
    if (at(a)) value += gap;
    if (at(a) && at(b)) lower += gap;
    if (at(a) || at(b)) upper += gap;
    if (at(a) !== at(b)) widest = Math.max(widest, gap);
  }
  const from = (usable[0] as HpaPoint).timeMs;
  const to = (usable[usable.length - 1] as HpaPoint).timeMs;
  if (value > 0 && upper - lower > value) {
    return { ...missing(`the points around it are up to ${seconds(widest)} s apart: longer than the ${seconds(value)} s at ${bound} replicas measured`), from_ms: from, to_ms: to };
  }
  return { value_s: value / 1000, range_s: [lower / 1000, upper / 1000], from_ms: from, to_ms: to, reason: null };
}

/**
 * Rescale events, one per occurrence seen: the same event read from several captures (same
 * message, times within their LAST SEEN step) is kept once, with the finest time.
 */
function rescalesOf(events: readonly HpaEvent[], points: readonly HpaPoint[]): Rescale[] {
  const timed = events
    .filter((e) => e.reason === 'SuccessfulRescale' && e.newSize !== null && e.timeMs !== null)
    .map((e) => {
      const range = kubectlAgeRange(e.lastSeen);
      const age = kubectlAgeMs(e.lastSeen) ?? 0;
      // The event happened between capture − high and capture − low (LAST SEEN is truncated, and `0s`
      // also covers a clock a little behind the API server's): the middle, ± half the range.
      const captured = (e.timeMs as number) + age;
      if (range === undefined) return { e, t: e.timeMs as number, u: 0 };
      return { e, t: captured - (range.lowMs + range.highMs) / 2, u: (range.highMs - range.lowMs) / 2 };
    })
    .sort((a, b) => a.u - b.u);
  const kept: typeof timed = [];
  for (const candidate of timed) {
    if (!kept.some((k) => k.e.message === candidate.e.message && Math.abs(k.t - candidate.t) <= k.u + candidate.u)) kept.push(candidate);
  }
  kept.sort((a, b) => a.t - b.t);
  let previous: number | null = null;
  return kept.map(({ e, t, u }) => {
    const size = e.newSize as number;
    const before = previous ?? lastBefore(points, t);
    previous = size;
    let direction: Rescale['direction'] = before === null ? null : size > before ? 'up' : size < before ? 'down' : null;
    // Without a size before it, the controller's reason says which way: `… above target`, `All metrics below target`.
    if (before === null) direction = /above target/.test(e.rescaleReason ?? '') ? 'up' : /below target/.test(e.rescaleReason ?? '') ? 'down' : null;
    return { t, t_uncertainty_ms: u, new_size: size, reason: e.rescaleReason, direction, count: e.count };
  });
}

function lastBefore(points: readonly HpaPoint[], t: number): number | null {
  let value: number | null = null;
  for (const p of points) if (p.timeMs < t && p.currentReplicas !== null) value = p.currentReplicas;
  return value;
}

function flapsOf(points: readonly HpaPoint[], rescales: readonly Rescale[], windowMs: number): { count: number | null; basis: 'desired' | 'rescale-events' | 'current' | null; reason: string | null } {
  const desired = points.filter((p) => p.desiredReplicas !== null).map((p) => ({ t: p.timeMs, v: p.desiredReplicas as number }));
  const current = points.filter((p) => p.currentReplicas !== null).map((p) => ({ t: p.timeMs, v: p.currentReplicas as number }));
  // Each change with its direction, from the most direct record of the HPA's decisions there is.
  let basis: 'desired' | 'rescale-events' | 'current';
  let moves: { t: number; sign: number }[];
  if (desired.length >= 2 || (desired.length > 0 && rescales.length === 0)) {
    basis = 'desired';
    moves = steps(desired);
  } else if (rescales.length > 0) {
    basis = 'rescale-events';
    // Each event is a change; the first one's direction comes from the replicas before it or its reason.
    moves = rescales.map((r, i) => ({ t: r.t, sign: i === 0 ? (r.direction === 'up' ? 1 : r.direction === 'down' ? -1 : 0) : Math.sign(r.new_size - (rescales[i - 1] as Rescale).new_size) }));
  } else {
    basis = 'current';
    moves = steps(current);
  }
  if (basis !== 'rescale-events') {
    const series = basis === 'desired' ? desired : current;
    if (series.length < 2) return { count: null, basis: null, reason: `${series.length} point${series.length === 1 ? '' : 's'} with replicas and no rescale events: flaps need a series` };
    const interval = median(series.slice(1).map((p, i) => p.t - (series[i] as { t: number }).t));
    if (interval > windowMs) return { count: null, basis, reason: `the capture interval (${seconds(interval)} s) is longer than the flap window (${seconds(windowMs)} s): reversals within it cannot be seen` };
  }
  let count = 0;
  let previous: { t: number; sign: number } | null = null;
  for (const move of moves) {
    if (move.sign === 0) continue;
    if (previous !== null && move.sign !== previous.sign && move.t - previous.t <= windowMs) count += 1;
    previous = move;
  }
  return { count, basis, reason: null };
}

/** The changes of a series: when each new value was first seen, and which way it went. */
function steps(series: readonly { t: number; v: number }[]): { t: number; sign: number }[] {
  return series.slice(1).map((p, i) => ({ t: p.t, sign: Math.sign(p.v - (series[i] as { v: number }).v) }));
}

function saturationOf(points: readonly HpaPoint[]): SaturationEpisode[] {
  const usable = points.filter((p) => p.currentReplicas !== null);
  const over = (p: HpaPoint): HpaMetric[] =>
    p.maxReplicas !== null && (p.currentReplicas as number) >= p.maxReplicas
      ? p.metrics.filter((m) => m.currentValue !== null && m.targetValue !== null && m.currentValue > m.targetValue)
      : [];
  const episodes: SaturationEpisode[] = [];
  let i = 0;
  while (i < usable.length) {
    if (over(usable[i] as HpaPoint).length === 0) {
      i += 1;
      continue;
    }
    const start = i;
    const peaks = new Map<string, { name: string | null; current: number; target: number; unit: 'percent' | 'quantity' }>();
    while (i < usable.length && over(usable[i] as HpaPoint).length > 0) {
      for (const m of over(usable[i] as HpaPoint)) {
        const key = `${m.name ?? ''}|${m.unit}|${(usable[i] as HpaPoint).metrics.indexOf(m)}`;
        const seen = peaks.get(key);
        if (seen === undefined || (m.currentValue as number) > seen.current) peaks.set(key, { name: m.name, current: m.currentValue as number, target: m.targetValue as number, unit: m.unit });
      }
      i += 1;
    }
    const first = usable[start] as HpaPoint;
    const after = usable[i];
    const end = after ?? (usable[i - 1] as HpaPoint);
    episodes.push({
      from_ms: first.timeMs,
      to_ms: end.timeMs,
      duration_s: (end.timeMs - first.timeMs) / 1000,
      open: after === undefined,
      replicas: first.currentReplicas as number,
      max: first.maxReplicas as number,
      metrics: [...peaks.values()],
    });
  }
  return episodes;
}

function duringScaleUp(series: readonly LoadPoint[], from: number, to: number): ScaleUpLoad | null {
  const inside = series.filter((p) => p.timeMs >= from && p.timeMs <= to);
  if (inside.length === 0) return null;
  const before = series.filter((p) => p.timeMs < from);
  const p95 = inside.map((p) => p.p95Ms).filter((v): v is number => typeof v === 'number');
  const errors = errorRate(inside);
  return {
    from_ms: from,
    to_ms: to,
    points: inside.length,
    p95_ms_max: p95.length === 0 ? null : Math.max(...p95),
    p95_ms_median: p95.length === 0 ? null : median(p95),
    error_rate: errors.rate,
    error_rate_basis: errors.basis,
    before: {
      points: before.length,
      p95_ms_median: before.some((p) => typeof p.p95Ms === 'number') ? median(before.map((p) => p.p95Ms).filter((v): v is number => typeof v === 'number')) : null,
      error_rate: errorRate(before).rate,
    },
  };
}

function errorRate(points: readonly LoadPoint[]): { rate: number | null; basis: 'requests' | 'points' | null } {
  const rated = points.filter((p) => typeof p.errorRate === 'number');
  if (rated.length === 0) return { rate: null, basis: null };
  if (rated.every((p) => typeof p.requests === 'number')) {
    const requests = rated.reduce((s, p) => s + (p.requests as number), 0);
    if (requests > 0) return { rate: rated.reduce((s, p) => s + (p.errorRate as number) * (p.requests as number), 0) / requests, basis: 'requests' };
  }
  return { rate: rated.reduce((s, p) => s + (p.errorRate as number), 0) / rated.length, basis: 'points' };
}

/** The conditions that say the HPA could not do what it wanted. */
function conditionsOf(points: readonly HpaPoint[]): ConditionSeen[] {
  const seen = new Map<string, { type: string; status: boolean | null; reason: string | null; message: string | null; first_ms: number; last_ms: number; points: number }>();
  for (const point of points) {
    for (const c of point.conditions) {
      const notable = (c.type === 'ScalingLimited' && c.status === true) || (c.type === 'AbleToScale' && c.status === false) || (c.type === 'ScalingActive' && c.status === false);
      if (!notable) continue;
      const key = `${c.type}|${String(c.status)}|${c.reason ?? ''}`;
      const entry = seen.get(key);
      if (entry === undefined) seen.set(key, { type: c.type, status: c.status, reason: c.reason, message: c.message, first_ms: point.timeMs, last_ms: point.timeMs, points: 1 });
      else {
        entry.last_ms = point.timeMs;
        entry.message = c.message;
        entry.points += 1;
      }
    }
  }
  return [...seen.values()];
}

/**
 * Warning events by reason and message. The same event shows up in every capture of `get events`
 * with a growing COUNT, so the highest COUNT seen is its number of occurrences (at least).
 */
function warningsOf(events: readonly HpaEvent[]): HpaWarning[] {
  const byMessage = new Map<string, { reason: string; message: string; count: number; first_ms: number | null; last_ms: number | null }>();
  for (const e of events.filter((x) => x.type === 'Warning')) {
    const key = `${e.reason}|${e.message}`;
    const entry = byMessage.get(key);
    const count = e.count ?? 1;
    if (entry === undefined) {
      byMessage.set(key, { reason: e.reason, message: e.message, count, first_ms: e.timeMs, last_ms: e.timeMs });
      continue;
    }
    entry.count = Math.max(entry.count, count);
    if (e.timeMs !== null) {
      entry.first_ms = entry.first_ms === null ? e.timeMs : Math.min(entry.first_ms, e.timeMs);
      entry.last_ms = entry.last_ms === null ? e.timeMs : Math.max(entry.last_ms, e.timeMs);
    }
  }
  return [...byMessage.values()];
}

function lastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i -= 1) if (test(items[i] as T)) return i;
  return -1;
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
