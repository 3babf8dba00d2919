/**
 * Rightsizing (analysis/analyses/rightsizing.ts) from known captures at the maximum sustainable
 * level (test/helpers/matrix-fixture.ts). Sweep `rs`: a process target of two replicas of
 * 500m / 512Mi, at 10 req/s (held) and 20 req/s (15 achieved: not held), so 10 req/s is where the
 * suggestion is measured. Its captures, at 1.5, 3.5, 5.5, 7.5 and 9.5 s into the level:
 *
 *   replica   CPU (m, proc-sampler)      working set (MiB, cgroup)   RSS (MiB)   CFS periods / throttled
 *   0         300 420 380 460 400        180 190 200 205 210         250         0 → 400 / 0 → 40
 *   1         200 250 240 260 230        150 160 170 175 180         240         0 → 400 / 0 → 20
 *
 * plus an idle capture (5 m, 100 MiB) half a second before the level's first sample and one 2 s after
 * its last: outside the run (usage counts captures from its first sample to 1 s after its last).
 *
 * - CPU p95 per replica, R-7 over its captures (h = 0.95 · (5 − 1) = 3.8): replica 0, sorted 300 380
 *   400 420 460 → 420 + 0.8 · 40 = 452; replica 1 → 250 + 0.8 · 10 = 258. The workload's is the
 *   highest, 452 m; request = ⌈452 · 1.15 / 10⌉ · 10 = ⌈51.98⌉ · 10 = 520 m, limit 2 × 520 = 1040 m.
 * - Memory peak: the working set (preferred over the RSS), 210 MiB; + 15% = 241.5 MiB, rounded up
 *   to 242 MiB (253755392 bytes) for both request and limit.
 * - 452 m ≥ 90% of the 500 m limit: CPU was at its limit. Throttled (40 + 20) / (400 + 400) = 7.50%.
 * - An hpa-json capture with a CPU Utilization target: the HPA-on-CPU warning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisContext, type AnalysisContext } from '../../../analysis/analyses/context.ts';
import { rightsizingAnalysis, type Rightsizing } from '../../../analysis/analyses/rightsizing.ts';
import { analyze } from '../../../analysis/analyze.ts';
import { renderMarkdown } from '../../../analysis/report/markdown.ts';
import type { Section } from '../../../analysis/report/section.ts';
import { plain } from '../../../analysis/report/text.ts';
import type { CaptureRecord } from '../../../scripts/lib/capture.ts';
import { cgroupCapture, hpaCapture, MIB, processCapture, writeMatrix } from '../../helpers/matrix-fixture.ts';

const CPU = [
  [300, 420, 380, 460, 400],
  [200, 250, 240, 260, 230],
] as const;
const WORKING_SET_MIB = [
  [180, 190, 200, 205, 210],
  [150, 160, 170, 175, 180],
] as const;
const THROTTLED_PER_CAPTURE = [10, 5] as const;
const name = (i: number): string => `sample-replica-${i}`;

/** The captures of a level at `t`: five during the load, one idle before and one idle after. */
function levelCaptures(t: number, options: { cpu?: readonly (readonly number[])[]; throttled?: readonly number[] } = {}): CaptureRecord[] {
  const { cpu = CPU, throttled = THROTTLED_PER_CAPTURE } = options;
  const idle = (at: number, phase: 'before' | 'after'): CaptureRecord[] => [
    processCapture(at, [0, 1].map((i) => ({ name: name(i), cpuMillicores: 5, memoryMiB: 100 })), phase),
  ];
  const during = [0, 1, 2, 3, 4].flatMap((k) => {
    const at = t + 1500 + 2000 * k;
    return [
      processCapture(at, [0, 1].map((i) => ({ name: name(i), cpuMillicores: cpu[i]?.[k] as number, memoryMiB: i === 0 ? 250 : 240 }))),
      cgroupCapture(
        at,
        [0, 1].map((i) => ({
          name: name(i),
          cpu_limit_cores: 0.5,
          // 100 periods of 100 ms between captures (a 10 s level), `throttled` of them throttled.
          cpu_periods: 100 * k,
          cpu_throttled_periods: (throttled[i] as number) * k,
          memory_limit_bytes: 512 * MIB,
          memory_working_set_bytes: (WORKING_SET_MIB[i]?.[k] as number) * MIB,
        })),
      ),
    ];
  });
  return [...idle(t - 500, 'before'), ...during, ...idle(t + 12_000, 'after')];
}

const HPA = { name: 'sample', namespace: 'local', min: 1, max: 4, targetPercent: 60, current: 2, desired: 2, utilization: 70 };

const root = mkdtempSync(path.join(os.tmpdir(), 'k6c-rightsizing-'));
const contexts = new Map<string, AnalysisContext>();
beforeAll(async () => {
  const target = { resources: { cores: 0.5, memory_bytes: 512 * MIB, replicas: 2, nodes: null } };
  writeMatrix(root, {
    id: 'rs',
    mode: 'sweep',
    target,
    cells: [
      { level: 10, captures: (t) => levelCaptures(t) },
      { level: 20, rate: 15, latencyMs: 800, status: 'thresholds-failed', captures: (t) => [hpaCapture(t + 2000, HPA), hpaCapture(t + 7000, HPA)] },
    ],
  });
  // `rt`: the same use under a 1-core limit, without an HPA, throttled in 30% of its periods
  // (replica 0: 40 of 400; replica 1: 200 of 400; 240 / 800): CPU p95 452 m is 45% of the limit,
  // yet the quota held the replicas back.
  writeMatrix(root, {
    id: 'rt',
    mode: 'sweep',
    target: { resources: { cores: 1, memory_bytes: 512 * MIB, replicas: 2, nodes: null } },
    cells: [
      { level: 10, captures: (t) => levelCaptures(t, { throttled: [10, 50] }) },
      { level: 20, rate: 15, latencyMs: 800, status: 'thresholds-failed' },
    ],
  });
  // `none`: the only level breaks the SLO: no maximum sustainable rate, nothing to suggest from.
  writeMatrix(root, { id: 'none', mode: 'sweep', target, cells: [{ level: 10, rate: 5, captures: (t) => levelCaptures(t) }] });
  for (const id of ['rs', 'rt', 'none']) contexts.set(id, analysisContext(await analyze([path.join(root, id)])));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const run = (id: string): Section | null => rightsizingAnalysis.run(contexts.get(id) as AnalysisContext);
const markdown = (section: Section): string => renderMarkdown({ title: 'r', cells: [{ kind: 'section', section }] });

describe('rightsizingAnalysis', () => {
  it('suggests requests and limits from the use at the maximum sustainable rate', () => {
    const section = run('rs') as Section;
    expect(section.data).toEqual([
      {
        workload: 'rs',
        run: 'rs-tps-10',
        level: 10,
        cpu_request_m: 520,
        cpu_limit_m: 1040,
        memory_request_bytes: 242 * MIB,
        memory_limit_bytes: 242 * MIB,
        // 5 captures each: the idle ones before and after the run are not counted.
        observed: { cpu_p95_m: 452, memory_peak_bytes: 210 * MIB, captures: 5 },
        basis: 'per replica at 10 req/s, the maximum sustainable rate: CPU p95 over the captures + 15% (limit 2x the request), memory peak + 15%',
      } satisfies Rightsizing,
    ]);
  });

  it('renders the summary, the findings and the table exactly', () => {
    expect(markdown(run('rs') as Section)).toBe(
      [
        '# r',
        '',
        '## Rightsizing',
        '',
        'rs: requests cpu 520 m, memory 242.0 MiB; limits cpu 1040 m, memory 242.0 MiB (from 452 m CPU p95 and 210.0 MiB peak at 10 req/s).',
        '',
        '* **warn** rs: CPU was at its limit where the suggestion is measured: CPU p95 452 m of a 500 m limit at 10 req/s, throttled in 7.50% of its periods: the replicas used what the limit allowed, so they may need more; measure with a larger size to see what this load needs',
        '* **warn** rs: an HPA scales on CPU utilisation: it measures usage against the CPU request: with a request of 520 m the same load reads as a different utilisation, so the HPA will scale at other points; change the request and its target together',
        '',
        '| Workload | At /s | CPU p95 (m) | Memory peak (MiB) | CPU request (m) | CPU limit (m) | Memory request = limit (MiB) |',
        '| :------- | ----: | ----------: | ----------------: | --------------: | ------------: | ---------------------------: |',
        '| rs       |    10 |         452 |             210.0 |             520 |          1040 |                        242.0 |',
        '',
        "* From the replicas' measured use at each sweep's maximum sustainable rate: CPU request = p95 of the per-replica CPU over the captures there + 15% (rounded up to 10 m), CPU limit = twice the request (or none); memory request = limit = peak + 15% (rounded up to 1 MiB).",
        "* How it differs: VPA's recommender targets the p90 of a CPU usage histogram that decays with a 24 h half-life over up to 8 days (+15%); krr's simple strategy takes the p99 of CPU usage and the memory maximum + 15%. Both look at what production traffic did over days; this looks only at the load this sweep measured, at the level that holds the SLO.",
        '',
      ].join('\n'),
    );
  });

  it('says the CPU was at its limit when the quota throttled it, even below 90% of the limit', () => {
    const section = run('rt') as Section;
    expect(section.findings.map((f) => [f.id, f.severity, plain(f.title), plain(f.detail)])).toEqual([
      [
        'rightsizing:rt:cpu-at-limit',
        'warn',
        'rt: CPU was at its limit where the suggestion is measured',
        'CPU p95 452 m of a 1000 m limit at 10 req/s, throttled in 30.00% of its periods: the replicas used what the limit allowed, so they may need more; measure with a larger size to see what this load needs',
      ],
    ]);
    // The same use, so the same suggestion; no HPA, so no HPA warning.
    expect(section.data).toMatchObject([{ cpu_request_m: 520, memory_limit_bytes: 242 * MIB }]);
  });

  it('is absent when no level holds the SLO', () => {
    expect(run('none')).toBeNull();
  });
});
