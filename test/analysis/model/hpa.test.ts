import { describe, expect, it } from 'vitest';
import { hpaPointsFromSnapshots, hpaTimelines, loadChanges, type HpaPoint, type LoadPoint } from '../../../analysis/model/hpa.ts';
import { parseEvents } from '../../../analysis/snapshots/events.ts';
import { parseHpaWatch } from '../../../analysis/snapshots/hpa-watch.ts';
import type { HpaCondition, HpaMetric, SnapshotResult } from '../../../analysis/snapshots/types.ts';

// Constructed timelines: every number below is derived in the comment next to it. The conditions
// and metric shapes are those of formats.md 2.4 (EKS `ScalingLimited True TooManyReplicas`).
const T0 = Date.UTC(2026, 10, 24, 1, 0, 0);
const s = (seconds: number): number => T0 + seconds * 1000;
const pct = (name: string, value: number, target: number): HpaMetric => ({ name, current: `${value}%`, target: `${target}%`, currentValue: value, targetValue: target, unit: 'percent' });
const LIMITED: HpaCondition = { type: 'ScalingLimited', status: true, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
const ABLE: HpaCondition = { type: 'AbleToScale', status: true, reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const point = (t: number, fields: Partial<HpaPoint>): HpaPoint => ({
  namespace: 'shop',
  name: 'web',
  reference: 'Deployment/web',
  timeMs: s(t),
  timeUncertaintyMs: 0,
  minReplicas: 2,
  maxReplicas: 10,
  currentReplicas: null,
  desiredReplicas: null,
  metrics: [],
  conditions: [],
  source: 'object',
  ...fields,
});
const events = (capturedAt: number, ...lines: string[]) => parseEvents(`${lines.join('\n')}\n`, { capturedAtMs: s(capturedAt) }).records;
const rescale = (age: string, size: number, reason: string): string => `${age.padEnd(8)}Normal    SuccessfulRescale   horizontalpodautoscaler/web   New size: ${size}; reason: ${reason}`;
const CPU_UP = 'cpu resource utilization (percentage of request) above target';
const MEMORY_UP = 'memory resource utilization (percentage of request) above target';
const BELOW = 'All metrics below target';

// --- a whole load test ---------------------------------------------------------------------------
// `-o json` every 15 s from 0 to 900 s. Current replicas: 2 to 90 s, 4 at 105–120, 8 at 135–150, 10
// (max) at 165–735, 5 at 750–765, 2 (min) from 780. Desired leads current by one capture (the
// controller decides, the pods follow). At max, memory is 110% of its 80% target and
// ScalingLimited is True (TooManyReplicas).
const current = (t: number): number => (t <= 90 ? 2 : t <= 120 ? 4 : t <= 150 ? 8 : t <= 735 ? 10 : t <= 765 ? 5 : 2);
const RUN: HpaPoint[] = [];
for (let t = 0; t <= 900; t += 15) {
  const at = current(t) === 10;
  RUN.push(point(t, { currentReplicas: current(t), desiredReplicas: current(t + 15), metrics: [pct('cpu', 65, 70), pct('memory', at ? 110 : 60, 80)], conditions: at ? [ABLE, LIMITED] : [ABLE] }));
}
// k6 in 10 s buckets from 0 to 600 s: offered 10/s until 60 s, 100/s until 420 s, then 10/s; p95 20 ms
// before the increase, 100…400…50 ms while scaling, 30 ms after; 5% and 6% errors at 70 and 80 s.
const P95 = [100, 200, 300, 400, 350, 300, 250, 200, 150, 100, 50];
const LOAD: LoadPoint[] = [];
for (let k = 0; k <= 60; k += 1) {
  const t = k * 10;
  const rate = t < 60 ? 10 : t < 420 ? 100 : 10;
  LOAD.push({ timeMs: s(t), offeredRate: rate, rps: rate, requests: rate * 10, p95Ms: t < 60 ? 20 : t <= 160 ? (P95[k - 6] as number) : 30, errorRate: t === 70 ? 0.05 : t === 80 ? 0.06 : 0 });
}
// The rescales, from `kubectl get events` at 420 s (ages to the second) and again at 900 s (the
// same events, ages past 10 minutes to the minute) plus the two scale-downs.
const RESCALES = [
  ...events(420, rescale('5m30s', 4, CPU_UP), rescale('5m', 8, CPU_UP), rescale('4m30s', 10, MEMORY_UP)),
  ...events(900, rescale('13m', 4, CPU_UP), rescale('13m', 8, CPU_UP), rescale('12m', 10, MEMORY_UP), rescale('2m45s', 5, BELOW), rescale('2m15s', 2, BELOW)),
];

describe('hpaTimelines', () => {
  it('measures a scale-up to max, its saturation, steady and the scale-down', () => {
    const [web, ...others] = hpaTimelines(Object.freeze(RUN), RESCALES, { load: LOAD });
    expect(others).toEqual([]);
    // Load (offered): start 10; the first point above 11 is 60 s (after the 50 s point); the first
    // point below 90% of the peak 100 is 420 s.
    expect(web?.load).toEqual({ basis: 'offered', start_rate: 10, increase_ms: s(60), decrease_ms: s(420), decrease_basis: 'fall', end_ms: s(600), reason: null });
    expect(web?.measures).toEqual({
      // Replicas at the last point at or before 60 s: 2. First above: 4 at 105 s, after the 90 s
      // point: 105 − 60 = 45 s, in [90 − 60, 105 − 50] = [30, 55].
      first_scale_up: { value_s: 45, range_s: [30, 55], from_ms: s(60), to_ms: s(105), reason: null },
      // `New size: 4` read at 420 s as `5m30s` ago: 90 s, LAST SEEN truncated to the second, so
      // 89.5 ± 0.5 (the 900 s capture's `13m`, 60–120 s, is the same event); 89.5 − 60 = 29.5, in
      // [89 − 60, 90 − 50] = [29, 40].
      first_rescale_up: { value_s: 29.5, range_s: [29, 40], from_ms: s(60), to_ms: s(89.5), reason: null },
      // Changes after 60 s: 105 (→4), 135 (→8), 165 (→10); 30 s apart, then none until the load
      // decrease at 420 s: 255 s ≥ 180 s. Steady at 165 s: 105 s, in [150 − 60, 165 − 50] = [90, 115].
      steady: { value_s: 105, range_s: [90, 115], from_ms: s(60), to_ms: s(165), reason: null },
      // 10 replicas at 420 s; first fewer: 5 at 750 s, after 735: 330 s, in [315, 340].
      scale_down: { value_s: 330, range_s: [315, 340], from_ms: s(420), to_ms: s(750), reason: null },
      // At max: the 39 points 165…735 s hold 10 for 15 s each: 585 s; between two max points
      // 38 × 15 = 570; touching one, 40 × 15 = 600.
      at_max: { value_s: 585, range_s: [570, 600], from_ms: s(0), to_ms: s(900), reason: null },
      // At min: 0…90 s (7 points × 15 = 105) and 780…885 s (8 × 15 = 120): 225; [6 + 8, 7 + 9] × 15.
      at_min: { value_s: 225, range_s: [210, 240], from_ms: s(0), to_ms: s(900), reason: null },
    });
    expect([web?.first_scale_up_s, web?.first_rescale_up_s, web?.steady_s, web?.scale_down_s, web?.at_max_s, web?.at_min_s, web?.flaps]).toEqual([45, 29.5, 105, 330, 585, 225, 0]);
    // Desired moves up at 90, 120, 150 s and down at 735, 765 s: the one reversal is 585 s after
    // the move before it, beyond 5 minutes.
    expect(web?.flap).toEqual({ count: 0, basis: 'desired', window_s: 300, reason: null });
    // At 10/10 with memory 110% / 80% from 165 s to the 750 s point that shows 5.
    expect(web?.saturation).toEqual([{ from_ms: s(165), to_ms: s(750), duration_s: 585, open: false, replicas: 10, max: 10, metrics: [{ name: 'memory', current: 110, target: 80, unit: 'percent' }] }]);
    // 60…165 s: the 11 buckets 60…160 s; p95 max 400, median of the 11 is 200; errors
    // (0.05 + 0.06) × 1000 / 11 000 = 0.01. Before: 6 buckets at 20 ms, no errors.
    expect(web?.during_scale_up).toEqual({
      from_ms: s(60),
      to_ms: s(165),
      points: 11,
      p95_ms_max: 400,
      p95_ms_median: 200,
      error_rate: 0.01,
      error_rate_basis: 'requests',
      before: { points: 6, p95_ms_median: 20, error_rate: 0 },
    });
    expect(web?.conditions).toEqual([{ type: 'ScalingLimited', status: true, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count', first_ms: s(165), last_ms: s(735), points: 39 }]);
    expect(web?.rescales.map((r) => [(r.t - T0) / 1000, r.t_uncertainty_ms, r.new_size, r.direction])).toEqual([
      [89.5, 500, 4, 'up'],
      [119.5, 500, 8, 'up'],
      [149.5, 500, 10, 'up'],
      [734.5, 500, 5, 'down'],
      [764.5, 500, 2, 'down'],
    ]);
    expect([web?.name, web?.namespace, web?.min, web?.max, web?.capture_interval_s, web?.observed_s, web?.timeline.length, web?.warnings, web?.notes]).toEqual(['web', 'shop', 2, 10, 15, 900, 61, [], []]);
    expect(web?.timeline[11]).toEqual({
      t: s(165),
      t_uncertainty_ms: 0,
      current: 10,
      desired: 10,
      min: 2,
      max: 10,
      metrics: [
        { name: 'cpu', current: 65, target: 70, unit: 'percent' },
        { name: 'memory', current: 110, target: 80, unit: 'percent' },
      ],
      source: 'object',
    });
  });

  it('says which durations a 60 s capture interval cannot give', () => {
    // Every 4th point: 0, 60, …, 900 s. Scale-up first seen at 120 s (4), after 60 s (2): 60 s
    // measured, but 60 s between the points plus the 10 s load bucket is 70 s of uncertainty.
    // Steady: changes at 120 and 180 s, then quiet: 180 − 60 = 120 s in [120 − 60, 180 − 50].
    // Scale-down: 780 − 420 = 360 s in [720 − 420, 780 − 410]. At max: 180…720 s, 10 × 60 = 600 s
    // in [9 × 60, 11 × 60].
    const sparse = RUN.filter((_, i) => i % 4 === 0);
    const [web] = hpaTimelines(sparse, [], { load: LOAD });
    expect(web?.measures.first_scale_up).toEqual({
      value_s: null,
      range_s: null,
      from_ms: s(60),
      to_ms: s(120),
      reason: 'the first scale-up happened between 2026-11-24T01:01:00.000Z and 2026-11-24T01:02:00.000Z: the capture interval leaves 70 s of uncertainty, more than the 60 s measured',
    });
    expect([web?.steady_s, web?.measures.steady.range_s, web?.scale_down_s, web?.measures.scale_down.range_s, web?.at_max_s, web?.measures.at_max.range_s]).toEqual([120, [60, 130], 360, [300, 370], 600, [540, 660]]);
    expect(web?.measures.first_rescale_up.reason).toBe('no SuccessfulRescale events for this HPA');
  });

  // --- flapping
  // Desired every 30 s: 2 2 4 4 2 2 4 4 2 … 2 4 (0 … 600 s): up at 60, down at 120, up at 180, down at
  // 240 (each 60 s after the move before it), up again at 600 (360 s after).
  const FLAPPY = Array.from({ length: 21 }, (_, i) => point(i * 30, { currentReplicas: 2, desiredReplicas: [2, 2, 4, 4, 2, 2, 4, 4][i] ?? (i === 20 ? 4 : 2) }));
  it.each([
    ['the default 5 minutes: the reversals at 120, 180, 240 s', undefined, { count: 3, basis: 'desired', window_s: 300, reason: null }],
    ['60 s: reversals 60 s apart still count', 60_000, { count: 3, basis: 'desired', window_s: 60, reason: null }],
    ['59 s: none is that close', 59_000, { count: 0, basis: 'desired', window_s: 59, reason: null }],
    ['10 minutes: the one at 600 s too', 600_000, { count: 4, basis: 'desired', window_s: 600, reason: null }],
    ['20 s: shorter than the capture interval', 20_000, { count: null, basis: 'desired', window_s: 20, reason: 'the capture interval (30 s) is longer than the flap window (20 s): reversals within it cannot be seen' }],
  ])('counts flaps within %s', (_, flapWindowMs, flap) => {
    const [web] = hpaTimelines(FLAPPY, [], flapWindowMs === undefined ? {} : { flapWindowMs });
    expect(web?.flap).toEqual(flap);
    expect(web?.flaps).toBe(flap.count);
  });

  it('counts flaps from rescale events when no point shows desired replicas (tables)', () => {
    // `kubectl get hpa` every 60 s shows 2 replicas throughout, but the events (captured at 600 s)
    // say 4 at 300 s (up: above 2, and its reason), 3 at 360, 4 at 420, 3 at 480: three reversals,
    // each 60 s after the move before it.
    const tables = Array.from({ length: 11 }, (_, i) => point(i * 60, { currentReplicas: 2, source: 'table', namespace: null }));
    const rescales = events(600, rescale('5m', 4, CPU_UP), rescale('4m', 3, BELOW), rescale('3m', 4, CPU_UP), rescale('2m', 3, BELOW));
    const [web] = hpaTimelines(tables, rescales);
    expect(web?.flap).toEqual({ count: 3, basis: 'rescale-events', window_s: 300, reason: null });
    // Tables show no conditions: not "none", unknown.
    expect(web?.conditions).toBeNull();
  });

  // --- a watch log: sits at max replicas at 110% memory
  it('reads a `kubectl get hpa -w` log that sits at 10/10 with memory at 110% of 80%', () => {
    // formats.md 2.1's named-metrics row shape with the figures of the case; AGE 6m … 8m every 30 s,
    // the last row at the capture time A: C ∈ [A−481, A−480] s, so `6m` is A − 120 ± 1, …, `8m` is A.
    const A = s(600);
    const log = [
      '$ kubectl get hpa -w',
      'NAME   REFERENCE        TARGETS                          MINPODS   MAXPODS   REPLICAS   AGE',
      'web    Deployment/web   cpu: 45%/70%, memory: 110%/80%   2         10        10         6m',
      'web    Deployment/web   cpu: 52%/70%, memory: 110%/80%   2         10        10         6m30s',
      'web    Deployment/web   cpu: 49%/70%, memory: 111%/80%   2         10        10         7m',
      'web    Deployment/web   cpu: 47%/70%, memory: 110%/80%   2         10        10         7m30s',
      'web    Deployment/web   cpu: 50%/70%, memory: 110%/80%   2         10        10         8m',
      '',
    ].join('\n');
    const watch = parseHpaWatch(log, { capturedAtMs: A });
    const snapshot: SnapshotResult & { hpaWatch: typeof watch.records } = {
      file: 'hpa.log',
      entry: null,
      kind: 'hpa',
      capturedAtMs: A,
      command: null,
      pods: [],
      containers: [],
      nodes: [],
      hpas: [],
      events: [],
      placements: [],
      problems: [],
      hpaWatch: watch.records.map((record) => ({ ...record, capturedAtMs: A })),
    };
    const points = hpaPointsFromSnapshots([snapshot]);
    expect(points.map((p) => [(p.timeMs - A) / 1000, p.timeUncertaintyMs, p.source])).toEqual([
      [-120, 1000, 'watch'],
      [-90, 1000, 'watch'],
      [-60, 1000, 'watch'],
      [-30, 1000, 'watch'],
      [0, 0, 'watch'],
    ]);
    // The load was already up when the log starts: constant 200/s from A − 300 s.
    const load = Array.from({ length: 31 }, (_, k) => ({ timeMs: A - 300_000 + k * 10_000, offeredRate: 200 }));
    const [web] = hpaTimelines(points, [], { load });
    // One episode, from the first row to the last (open: it may go on), memory at its highest 111%.
    expect(web?.saturation).toEqual([{ from_ms: A - 120_000, to_ms: A, duration_s: 120, open: true, replicas: 10, max: 10, metrics: [{ name: 'memory', current: 111, target: 80, unit: 'percent' }] }]);
    // 4 gaps of 30 s, all at max.
    expect(web?.measures.at_max).toEqual({ value_s: 120, range_s: [120, 120], from_ms: A - 120_000, to_ms: A, reason: null });
    expect(web?.at_min_s).toBe(0);
    expect(web?.measures.first_scale_up.reason).toBe('the offered rate never rose more than 10% above its start (200)');
    expect(web?.steady_s).toBeNull();
    expect(web?.during_scale_up_reason).toBe('the offered rate never rose more than 10% above its start (200)');
    expect(web?.flap).toEqual({ count: 0, basis: 'current', window_s: 300, reason: null });
    expect(web?.conditions).toBeNull();
    expect(web?.notes).toEqual(['some points are `kubectl get hpa -w` rows, whose times are estimated from the AGE column (see `t_uncertainty_ms`)']);
  });

  it('takes watch rows from `hpas` too, when a capture puts them there with their own time', () => {
    const watch = parseHpaWatch('NAME   REFERENCE        TARGETS   MINPODS   MAXPODS   REPLICAS   AGE\nweb    Deployment/web   45%/80%   1         10        3          95s\nweb    Deployment/web   85%/80%   1         10        4          110s\n', { capturedAtMs: s(0) });
    const snapshot = (kind: SnapshotResult['kind'], hpas: SnapshotResult['hpas']): SnapshotResult => ({
      file: 'x',
      entry: null,
      kind,
      capturedAtMs: s(0),
      command: null,
      pods: [],
      containers: [],
      nodes: [],
      hpas,
      events: [],
      placements: [],
      problems: [],
    });
    const points = hpaPointsFromSnapshots([snapshot('hpa', watch.records.map((r) => ({ ...r, capturedAtMs: s(0) })))]);
    // `110s` is the last row, at the capture time; `95s` 15 ± 1 s before.
    expect(points.map((p) => [(p.timeMs - T0) / 1000, p.timeUncertaintyMs, p.source, p.currentReplicas])).toEqual([
      [-15, 1000, 'watch', 3],
      [0, 0, 'watch', 4],
    ]);
  });

  // --- without load, and what cannot be measured
  it('gives every load-relative duration as null with its reason when there is no load series', () => {
    const [web] = hpaTimelines(RUN);
    const reasons = Object.fromEntries(Object.entries(web?.measures ?? {}).map(([name, measure]) => [name, measure.reason]));
    expect(reasons).toEqual({
      first_scale_up: 'no load series: the load increase is not known',
      first_rescale_up: 'no load series: the load increase is not known',
      steady: 'no load series: the load increase is not known',
      scale_down: 'no load series: the load increase is not known',
      at_max: null,
      at_min: null,
    });
    expect([web?.load, web?.during_scale_up, web?.during_scale_up_reason]).toEqual([null, null, 'no load series: the load increase is not known']);
  });

  it.each([
    ['no point before the load increase', RUN.filter((p) => p.timeMs > s(60)), 'first_scale_up', 'no HPA point at or before the load increase (2026-11-24T01:01:00.000Z): the replicas then are not known'],
    ['replicas that never rise', RUN.map((p) => ({ ...p, currentReplicas: 2 })), 'first_scale_up', 'current replicas never went above 2 after the load increase (2026-11-24T01:01:00.000Z)'],
    ['replicas that never change', RUN.map((p) => ({ ...p, currentReplicas: 2 })), 'steady', 'current replicas did not change between the load increase (2026-11-24T01:01:00.000Z) and the load decrease'],
    [
      'points that end before the replicas settle',
      RUN.filter((p) => p.timeMs <= s(240)),
      'steady',
      'the replicas last changed at 2026-11-24T01:02:45.000Z and the points end 75 s later, before 180 s without a change or the load decrease',
    ],
    ['one point', RUN.slice(0, 1), 'at_max', 'one point shows current and max replicas: a time needs two'],
  ])('%s', (_, points, measure, reason) => {
    const [web] = hpaTimelines(points, [], { load: LOAD });
    expect(web?.measures[measure as keyof NonNullable<typeof web>['measures']]).toMatchObject({ value_s: null, reason });
  });

  it('takes the end of a load series that never falls as the load decrease', () => {
    // The load stays at 100/s to its last bucket at 300 s; k6 stopping drops it (within that bucket).
    const load = LOAD.filter((p) => p.timeMs <= s(300));
    const [web] = hpaTimelines(RUN, [], { load });
    expect(web?.load).toEqual({ basis: 'offered', start_rate: 10, increase_ms: s(60), decrease_ms: s(300), decrease_basis: 'end', end_ms: s(300), reason: null });
    // 10 replicas at 300 s; 5 at 750 after 735: 450 s, in [735 − 310, 750 − 300].
    expect([web?.scale_down_s, web?.measures.scale_down.range_s]).toEqual([450, [425, 450]]);
    expect(web?.notes).toEqual(['the load series never falls: its end (k6 stopping) is taken as the load decrease']);
  });

  it('joins a table without namespace to its HPA and keeps the Warning events by message (formats.md 4.1)', () => {
    // `get events -A -o wide` read at 99 s and again at 159 s with a higher COUNT: one
    // warning seen 5 times; the two FailedGetResourceMetric messages stay apart.
    const wide = (age: string, count: number, message: string): string =>
      `backend-dev   ${age.padEnd(6)}Warning   FailedGetResourceMetric   horizontalpodautoscaler/backend-backend   horizontal-pod-autoscaler   ${message}   5m   ${count}   backend-backend.18d5e3851972a1db`;
    const memory = 'failed to get memory utilization: unable to get metrics for resource memory: no metrics returned from resource metrics API';
    const cpu = 'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API';
    const warnings = [...events(99, wide('99s', 3, memory), wide('99s', 1, cpu)), ...events(159, wide('2m', 5, memory))];
    const tables = [point(0, { namespace: null, name: 'backend-backend', currentReplicas: 2, source: 'table' }), point(60, { namespace: null, name: 'backend-backend', currentReplicas: 2, source: 'table' })];
    const json = [point(30, { namespace: 'backend-dev', name: 'backend-backend', currentReplicas: 2, desiredReplicas: 2 })];
    const timelines = hpaTimelines([...tables, ...json], warnings);
    expect(timelines.map((t) => [t.namespace, t.name, t.timeline.map((p) => p.source)])).toEqual([['backend-dev', 'backend-backend', ['table', 'object', 'table']]]);
    // 99 s: 99 s ago at 99 s (T0); 159 s: `2m` = 120 s ago, 39 s after T0.
    expect(timelines[0]?.warnings).toEqual([
      { reason: 'FailedGetResourceMetric', message: memory, count: 5, first_ms: s(0), last_ms: s(39) },
      { reason: 'FailedGetResourceMetric', message: cpu, count: 1, first_ms: s(0), last_ms: s(0) },
    ]);
  });
});

describe('loadChanges', () => {
  it.each([
    // achieved rps only, noisy: 9.5 is not 10% above 10; 12 alone (then 10.9) is a blip; 12 then 50
    // is a rise; the peak held for two points is 48 (50 then 48), and 40 (below 90% of it, 43.2)
    // then 30 is the fall
    ['rps with noise', [10, 9.5, 12, 10.9, 12, 50, 48, 40, 30], { basis: 'rps', start_rate: 10, increase_ms: s(4), decrease_ms: s(7), decrease_basis: 'fall', end_ms: s(8), reason: null }],
    // a one-second burst (80, k6 starting late iterations at once) is no peak: the level stays 50,
    // and the fall is at 30 (below 45), not right after the burst
    ['a burst at the plateau', [10, 10, 50, 50, 80, 50, 50, 30, 30], { basis: 'rps', start_rate: 10, increase_ms: s(2), decrease_ms: s(7), decrease_basis: 'fall', end_ms: s(8), reason: null }],
    // from zero, any load is a rise; a last bucket that drops alone is k6's partial one: the end
    ['a ramp from 0', [0, 0, 5, 10, 3], { basis: 'rps', start_rate: 0, increase_ms: s(2), decrease_ms: s(4), decrease_basis: 'end', end_ms: s(4), reason: null }],
    ['no rise', [10, 10.5, 11], { basis: 'rps', start_rate: 10, increase_ms: null, decrease_ms: null, decrease_basis: null, end_ms: s(2), reason: 'the rps never rose more than 10% above its start (10)' }],
  ])('%s', (_, rates, expected) => {
    expect(loadChanges(rates.map((rps, i) => ({ timeMs: s(i), rps })))).toEqual(expected);
  });

  it('prefers the offered rate and is null without points', () => {
    expect(loadChanges([{ timeMs: s(0), offeredRate: 10, rps: 50 }, { timeMs: s(1), offeredRate: 10, rps: 80 }])?.increase_ms).toBeNull();
    expect(loadChanges([])).toBeNull();
  });
});
