/**
 * The HPA report (analysis/analyses/hpa.ts, measured by analysis/model/hpa.ts) from hpa-json captures
 * and events beside a k6 run (test/helpers/matrix-fixture.ts).
 *
 * `auto`: a cluster target `web`, one 30 s level. k6 sends 10/s in seconds 0–2 and 30/s from second 3
 * on, every request of a second taking the same time: 20 ms (0–2), 150 ms (3–9), 300 ms (10–14),
 * 100 ms (15–20), 50 ms (21–29). `kubectl get hpa -o json` every 5 s, 0.5 s past the second
 * (target 50% CPU, 1–3 replicas):
 *
 *   t (s)     0.5   5.5   10.5   15.5   20.5   25.5   30.5
 *   current   1     1     1      2      3      3      3
 *   desired   1     1     2      3      3      3      3
 *   cpu %     40    54    120    90     70     60     45
 *   ScalingLimited True (TooManyReplicas) at 20.5 and 25.5
 *
 * and `kubectl get events` after the level, at 32 s: SuccessfulRescale to 2 seen 24s ago, to 3 seen
 * 19s ago. LAST SEEN truncates, so `24s` is 24 to 25 s: the events were at 7.5 ± 0.5 s and 12.5 ± 0.5 s.
 *
 * - The load rises at 3 s (10 → 30/s, held two seconds), known within [2, 3] s (the bucket before).
 * - First rescale event: 7.5 − 3 = 4.5 s. First scale-up seen in current replicas: at 15.5 s (after
 *   10.5), 12.5 s after the rise; the range (5 s between captures + 1 s of the rise) is 6 s ≤ 12.5.
 * - Steady: the last change, to 3 at 20.5 s, lasts to the end of the load (k6 stopping at 30 s, its
 *   last bucket); 20.5 − 3 = 17.5 s.
 * - At max: 20.5 → 30.5 (three points at 3 replicas, 10 s); at min: 0.5 → 15.5 counted to the change,
 *   15 s. No scale-down seen (3 replicas to the end). Desired only rises: 0 direction changes.
 * - Saturated from 20.5 to 30.5 (the first point back under target): 10 s, CPU at most 70% / 50%.
 * - Per-second p95 from the rise (3 s) to steady (20.5 s): seconds 3–20, 7 × 150, 5 × 300, 6 × 100 ms:
 *   median 150 ms, max 300 ms; before the rise, 20 ms. No errors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisContext, type AnalysisContext, type ReportOptions } from '../../../analysis/analyses/context.ts';
import { hpaAnalysis } from '../../../analysis/analyses/hpa.ts';
import { analyze } from '../../../analysis/analyze.ts';
import { renderMarkdown } from '../../../analysis/report/markdown.ts';
import type { Section } from '../../../analysis/report/section.ts';
import { plain } from '../../../analysis/report/text.ts';
import { RESCALE_REASONS, rescaleMessage } from '../../../scripts/lib/hpa-algorithm.ts';
import { eventsCapture, hpaCapture, M0, MIB, rescaleEventCapture, writeMatrix, type HpaState } from '../../helpers/matrix-fixture.ts';

const WEB = { name: 'web', namespace: 'demo', min: 1, max: 3, targetPercent: 50 } as const;
const AUTO: readonly Omit<HpaState, keyof typeof WEB>[] = [
  { current: 1, desired: 1, utilization: 40 },
  { current: 1, desired: 1, utilization: 54 },
  { current: 1, desired: 2, utilization: 120, lastScaleMs: M0 + 7500 },
  { current: 2, desired: 3, utilization: 90, lastScaleMs: M0 + 12_500 },
  { current: 3, desired: 3, utilization: 70, limited: true, lastScaleMs: M0 + 12_500 },
  { current: 3, desired: 3, utilization: 60, limited: true, lastScaleMs: M0 + 12_500 },
  { current: 3, desired: 3, utilization: 45, lastScaleMs: M0 + 12_500 },
];

/** `flap`: k6-capacity's own HPA of a process target, desired 1 → 2 → 2 → 1 → 2 → 2 → 2, with the events it writes at each rescale. */
const SAMPLE = { name: 'sample', namespace: 'local', min: 1, max: 4, targetPercent: 50 } as const;
const FLAP: readonly Omit<HpaState, keyof typeof SAMPLE>[] = [
  { current: 1, desired: 1, utilization: 45 },
  { current: 1, desired: 2, utilization: 70 },
  { current: 2, desired: 2, utilization: 50 },
  { current: 2, desired: 1, utilization: 20 },
  { current: 1, desired: 2, utilization: 80 },
  { current: 2, desired: 2, utilization: 52 },
  { current: 2, desired: 2, utilization: 48 },
];

const root = mkdtempSync(path.join(os.tmpdir(), 'k6c-hpa-'));
const contextWith = async (id: string, options: ReportOptions = {}): Promise<AnalysisContext> => analysisContext(await analyze([path.join(root, id)]), options);
let auto: AnalysisContext;
let flap: AnalysisContext;
beforeAll(async () => {
  writeMatrix(root, {
    id: 'auto',
    mode: 'sweep',
    target: { name: 'web', kind: 'kubernetes', base_url: 'http://web.demo.svc:8080', resources: { cores: 0.5, memory_bytes: 512 * MIB, replicas: null, nodes: null } },
    cells: [
      {
        level: 30,
        seconds: 30,
        rate: (s) => (s < 3 ? 10 : 30),
        latencyMs: (s) => (s < 3 ? 20 : s < 10 ? 150 : s < 15 ? 300 : s < 21 ? 100 : 50),
        captures: (t) => [
          eventsCapture(t - 1000, [{ lastSeen: '5m', reason: 'ScalingReplicaSet', object: 'deployment/web', message: 'Scaled up replica set web-5d9c7 to 1' }], 'before'),
          ...AUTO.map((state, k) => hpaCapture(t + 500 + 5000 * k, { ...WEB, ...state }, { source: 'kubectl', phase: k === 6 ? 'after' : 'during' })),
          eventsCapture(t + 32_000, [
            { lastSeen: '5m', reason: 'ScalingReplicaSet', object: 'deployment/web', message: 'Scaled up replica set web-5d9c7 to 1' },
            { lastSeen: '24s', reason: 'SuccessfulRescale', object: 'horizontalpodautoscaler/web', message: rescaleMessage(2, RESCALE_REASONS.above) },
            { lastSeen: '19s', reason: 'SuccessfulRescale', object: 'horizontalpodautoscaler/web', message: rescaleMessage(3, RESCALE_REASONS.above) },
          ]),
        ],
      },
    ],
  });
  writeMatrix(root, {
    id: 'flap',
    mode: 'sweep',
    target: {
      name: 'sample',
      kind: 'process',
      resources: { cores: 0.5, memory_bytes: 256 * MIB, replicas: null, nodes: null },
      autoscale: { min_replicas: 1, max_replicas: 4, target_cpu_utilization_percent: 50, sync_period_s: 15, scale_down_stabilization_s: 300 },
    },
    cells: [
      {
        level: 10,
        seconds: 30,
        captures: (t) => [
          ...FLAP.map((state, k) => hpaCapture(t + 500 + 5000 * k, { ...SAMPLE, ...state })),
          // Autoscaler.sync writes the event (LAST SEEN 0s) a moment before the object.
          rescaleEventCapture(t + 5500, 'sample', rescaleMessage(2, RESCALE_REASONS.above)),
          rescaleEventCapture(t + 15_500, 'sample', rescaleMessage(1, RESCALE_REASONS.below)),
          rescaleEventCapture(t + 20_500, 'sample', rescaleMessage(2, RESCALE_REASONS.above)),
        ],
      },
    ],
  });
  auto = await contextWith('auto');
  flap = await contextWith('flap');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const markdown = (section: Section): string => renderMarkdown({ title: 'r', cells: [{ kind: 'section', section }] });
const findingsOf = (section: Section) => section.findings.map((f) => [f.id, f.kind, f.severity, plain(f.title), plain(f.detail)]);

describe('hpaAnalysis', () => {
  it('renders the summary, the findings and the table exactly', () => {
    const section = hpaAnalysis.run(auto) as Section;
    expect(section.id).toBe('hpa');
    expect(markdown(section)).toBe(
      [
        '# r',
        '',
        '## Autoscaling (HPA)',
        '',
        'demo/web: 1 to 3 replicas (min 1, max 3); first scale-up 4.5 s after the load rose (its SuccessfulRescale event), seen in current replicas after 12.5 s; steady after 17.5 s; 10 s at max replicas; 0 direction changes within 300 s.',
        '',
        '* **warn** demo/web at max replicas with cpu 70% / 50%: 3/3 replicas for 10 s while over target: it cannot scale further, raise maxReplicas or the per-pod capacity',
        '* **warn** demo/web: ScalingLimited True (TooManyReplicas): the desired replica count is more than the maximum replica count — seen in 2 captures',
        '* **info** demo/web: latency while it scaled up: per-second p95 median 150 ms, max 300 ms from the load increase to steady replicas against 20.0 ms before the load rose; errors 0.00% against 0.00%',
        '',
        '| HPA      | Replicas (min–max) | First rescale event (s) | First scale-up (s) | Steady after (s) | Scale-down after (s) | At max (s) | At min (s) | Flaps | Capture interval (s) |',
        '| :------- | :----------------- | ----------------------: | -----------------: | ---------------: | -------------------: | ---------: | ---------: | ----: | -------------------: |',
        '| demo/web | 1–3                |                     4.5 |               12.5 |             17.5 |                    — |         10 |         15 |     0 |                    5 |',
        '',
        'Chart: [Replicas and load over time — web](charts/hpa-0-replicas.svg) (Vega-Lite: charts/hpa-0-replicas.vl.json)',
        '',
        "* Times come from the captures (a `-w` log's rows from their AGE, within the range stated in analysis.json). The first scale-up is measured from the first second the offered rate rose more than 10% above its start (held for two seconds), to the first upward SuccessfulRescale event and to the first capture showing more current replicas; steady is when the replica count stops changing; a flap is a change of direction of the desired (else current) replica count within the window.",
        '* web: the load series never falls: its end (k6 stopping) is taken as the load decrease',
        '',
      ].join('\n'),
    );
  });

  it('gives analysis.json its hpa fields', () => {
    const [data] = (hpaAnalysis.run(auto) as Section).data as [Record<string, unknown>];
    expect(data).toMatchObject({
      name: 'web',
      namespace: 'demo',
      min: 1,
      max: 3,
      first_scale_up_s: 12.5,
      first_rescale_up_s: 4.5,
      steady_s: 17.5,
      scale_down_s: null,
      at_max_s: 10,
      at_min_s: 15,
      flaps: 0,
      measures: {
        // The change was seen at 15.5 s after 10.5 s; the rise was at 3 s after 2 s.
        first_scale_up: { value_s: 12.5, range_s: [7.5, 13.5] },
        first_rescale_up: { value_s: 4.5, range_s: [4, 6] },
        scale_down: { value_s: null, reason: 'current replicas never went below 3 after the load decrease (2026-11-24T12:00:30.000Z)' },
        at_max: { value_s: 10, range_s: [10, 15] },
      },
      saturation: [{ from_ms: M0 + 20_500, to_ms: M0 + 30_500, duration_s: 10, open: false, replicas: 3, max: 3, metrics: [{ name: 'cpu', current: 70, target: 50, unit: 'percent' }] }],
      conditions: [{ type: 'ScalingLimited', status: true, reason: 'TooManyReplicas', first_ms: M0 + 20_500, last_ms: M0 + 25_500, points: 2 }],
      rescales: [
        { t: M0 + 7500, t_uncertainty_ms: 500, new_size: 2, direction: 'up' },
        { t: M0 + 12_500, t_uncertainty_ms: 500, new_size: 3, direction: 'up' },
      ],
      during_scale_up: { from_ms: M0 + 3000, to_ms: M0 + 20_500, points: 18, p95_ms_max: 300, p95_ms_median: 150, error_rate: 0, error_rate_basis: 'requests', before: { points: 3, p95_ms_median: 20, error_rate: 0 } },
    });
    expect((data.timeline as unknown[])[2]).toEqual({ t: '2026-11-24T12:00:10.500Z', current: 1, desired: 2, metrics: [{ name: 'cpu', current: 120, target: 50, unit: 'percent' }] });
  });

  it.each([
    // 300 ms in some second while it scaled: over a 250 ms bound, within a 400 ms one.
    [250, 'warn', "demo/web: p95 reached 300 ms while it scaled up, over the SLO's 250 ms", ': scale up earlier (a lower target utilisation, more minReplicas) or make new pods ready faster'],
    [400, 'info', 'demo/web: latency while it scaled up', ''],
  ])('judges the latency while it scaled up against the SLO p95 (%i ms)', async (p95Ms, severity, title, advice) => {
    const section = hpaAnalysis.run(await contextWith('auto', { slo: { p95Ms } })) as Section;
    const latency = section.findings.find((f) => f.kind === 'hpa-scale-up-latency');
    expect([latency?.id, latency?.severity, plain(latency?.title ?? []), plain(latency?.detail ?? [])]).toEqual([
      'hpa-scale-up-latency:demo/web',
      severity,
      title,
      `per-second p95 median 150 ms, max 300 ms from the load increase to steady replicas against 20.0 ms before the load rose; errors 0.00% against 0.00%${advice}`,
    ]);
  });

  it('finds flapping in the desired replicas of the tool\'s own HPA', () => {
    const section = hpaAnalysis.run(flap) as Section;
    // Desired 1 → 2 (5.5 s) → 1 (15.5 s) → 2 (20.5 s): two reversals, 10 s and 5 s after the change before, within 300 s.
    expect(findingsOf(section)).toEqual([['hpa-flapping:local/sample', 'hpa-flapping', 'warn', 'local/sample flaps', '2 direction changes within 300 s: widen the scale-down stabilisation window or the tolerance']]);
    // The offered rate is 10/s throughout: no load increase to measure the scale-up from.
    expect(plain(section.summary[0] ?? [])).toBe('local/sample: 1 to 2 replicas (min 1, max 4); first scale-up: the offered rate never rose more than 10% above its start (10); 2 direction changes within 300 s.');
    expect(section.notes.map(plain)).toContain(
      "sample is a process target with k6-capacity's own HPA, not a cluster's: the Kubernetes algorithm (scripts/lib/hpa-algorithm.ts) every 15 s on each replica's CPU from /proc over the period ÷ its request (1–4 replicas, target 50%, scale-down stabilisation 300 s); its objects and events are in the capture log as `hpa-controller` records.",
    );
    expect(section.data).toMatchObject([{ flaps: 2, measures: { first_scale_up: { value_s: null } }, rescales: [{ new_size: 2, direction: 'up' }, { new_size: 1, direction: 'down' }, { new_size: 2, direction: 'up' }] }]);
  });

  // An event written with `0s` at 5.5 s (the tool's own Autoscaler writes every rescale so, at the
  // moment it happens) lies in (4.5 s, 7.5 s]: `0s` is an age in [−2 s, 1 s) (HumanDuration's
  // tolerance of a clock behind the API server's), so its time is the centre, 6.0 s ± 1.5 s.
  it('places an event seen `0s` ago within the range LAST SEEN leaves', () => {
    const [data] = (hpaAnalysis.run(flap) as Section).data as [{ rescales: { t: number; t_uncertainty_ms: number }[] }];
    expect(data.rescales[0]).toMatchObject({ t: M0 + 6000, t_uncertainty_ms: 1500 });
  });

  it('is absent without HPA captures', async () => {
    const plainRoot = mkdtempSync(path.join(os.tmpdir(), 'k6c-hpa-none-'));
    try {
      writeMatrix(plainRoot, { id: 'none', mode: 'sweep', cells: [{ level: 10 }] });
      expect(hpaAnalysis.run(analysisContext(await analyze([path.join(plainRoot, 'none')])))).toBeNull();
    } finally {
      rmSync(plainRoot, { recursive: true, force: true });
    }
  });
});
