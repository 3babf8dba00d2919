/**
 * Vertical scaling (analysis/analyses/vertical.ts) on a matrix of three tiers of one replica —
 * 250m/256Mi, 500m/512Mi, 1/1Gi — at 10, 20, 30 and 40 req/s (test/helpers/matrix-fixture.ts).
 * Every cell runs 10 s, so its steady window is seconds 2–8 and a constant rate r is a steady rate
 * of exactly r; every request of a cell takes the same time, so its p95 is exact.
 *
 *   tier        10/s          20/s          30/s          40/s          max sustainable
 *   250m/256Mi  10, 20 ms     16, 600 ms    16, 900 ms    16, 900 ms    10 (20/s: 80% held, p95 ≥ 500 ms)
 *   500m/512Mi  10, 12 ms     20, 14 ms     30, 16 ms     32, 700 ms    30 (40/s: 80% held)
 *   1/1Gi       10, 10 ms     20, 10 ms     30, 11 ms     40, 12 ms     ≥ 40 (held every level)
 *
 * The SLO is the default (p95 < 500 ms, errors < 1%, 95% of the rate held).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisContext, type AnalysisContext, type ReportOptions } from '../../../analysis/analyses/context.ts';
import { tierFamilies, verticalAnalysis, verticalScaling } from '../../../analysis/analyses/vertical.ts';
import { analyze } from '../../../analysis/analyze.ts';
import { renderMarkdown } from '../../../analysis/report/markdown.ts';
import type { Section } from '../../../analysis/report/section.ts';
import { plain } from '../../../analysis/report/text.ts';
import { cgroupCapture, MIB, processCapture, writeMatrix, type CellSpec } from '../../helpers/matrix-fixture.ts';

const GIB = 2 ** 30;
const A = { cores: 0.25, memoryBytes: 256 * MIB, replicas: 1 };
const B = { cores: 0.5, memoryBytes: 512 * MIB, replicas: 1 };
const C = { cores: 1, memoryBytes: GIB, replicas: 1 };
const replica = 'sample-replica-0';

const CELLS: CellSpec[] = [
  // 250m/256Mi. Its cgroup counters (cumulative: the group outlives a restart of the replica) go
  // 1000 → 1500 periods at 10/s and 1500 → 2000 at 20/s, with 100 → 200 and 200 → 400 of them
  // throttled: 300 of 1000 = 30%. Working set at most 240Mi, below the 250 MiB RSS proc-sampler reads
  // (the cgroup's number is preferred). One OOM kill between the first and last capture of 20/s.
  {
    ...A,
    level: 10,
    latencyMs: 20,
    captures: (t) => [
      processCapture(t + 1000, [{ name: replica, cpuMillicores: 240, memoryMiB: 250 }]),
      cgroupCapture(t + 1000, [{ name: replica, cpu_limit_cores: 0.25, cpu_periods: 1000, cpu_throttled_periods: 100, memory_limit_bytes: 256 * MIB, memory_working_set_bytes: 200 * MIB }]),
      processCapture(t + 9000, [{ name: replica, cpuMillicores: 245, memoryMiB: 250 }]),
      cgroupCapture(t + 9000, [{ name: replica, cpu_limit_cores: 0.25, cpu_periods: 1500, cpu_throttled_periods: 200, memory_limit_bytes: 256 * MIB, memory_working_set_bytes: 230 * MIB }]),
    ],
  },
  {
    ...A,
    level: 20,
    rate: 16,
    latencyMs: 600,
    status: 'thresholds-failed',
    captures: (t) => [
      processCapture(t + 1000, [{ name: replica, cpuMillicores: 250, memoryMiB: 250 }]),
      cgroupCapture(t + 1000, [{ name: replica, cpu_limit_cores: 0.25, cpu_periods: 1500, cpu_throttled_periods: 200, memory_limit_bytes: 256 * MIB, memory_working_set_bytes: 235 * MIB }]),
      processCapture(t + 9000, [{ name: replica, cpuMillicores: 250, memoryMiB: 250 }]),
      cgroupCapture(t + 9000, [{ name: replica, cpu_limit_cores: 0.25, cpu_periods: 2000, cpu_throttled_periods: 400, memory_limit_bytes: 256 * MIB, memory_working_set_bytes: 240 * MIB, oom_kills: 1, restarts: 1 }]),
    ],
  },
  { ...A, level: 30, rate: 16, latencyMs: 900, status: 'thresholds-failed' },
  { ...A, level: 40, rate: 16, latencyMs: 900, status: 'thresholds-failed' },
  // 500m/512Mi: throttled in 50 of 1000 periods (5%, below the 20% that is flagged), working set 300Mi of 512Mi.
  { ...B, level: 10, latencyMs: 12 },
  { ...B, level: 20, latencyMs: 14 },
  {
    ...B,
    level: 30,
    latencyMs: 16,
    captures: (t) => [
      processCapture(t + 1000, [{ name: replica, cpuMillicores: 380, memoryMiB: 320 }]),
      cgroupCapture(t + 1000, [{ name: replica, cpu_limit_cores: 0.5, cpu_periods: 0, cpu_throttled_periods: 0, memory_limit_bytes: 512 * MIB, memory_working_set_bytes: 280 * MIB }]),
      processCapture(t + 9000, [{ name: replica, cpuMillicores: 390, memoryMiB: 320 }]),
      cgroupCapture(t + 9000, [{ name: replica, cpu_limit_cores: 0.5, cpu_periods: 1000, cpu_throttled_periods: 50, memory_limit_bytes: 512 * MIB, memory_working_set_bytes: 300 * MIB }]),
    ],
  },
  { ...B, level: 40, rate: 32, latencyMs: 700, status: 'thresholds-failed' },
  // 1/1Gi: no cgroup captures (limits not enforced), so memory is the pods' (400 MiB of 1 GiB) and throttling unknown.
  { ...C, level: 10, latencyMs: 10, enforced: false },
  { ...C, level: 20, latencyMs: 10, enforced: false },
  { ...C, level: 30, latencyMs: 11, enforced: false },
  {
    ...C,
    level: 40,
    latencyMs: 12,
    enforced: false,
    captures: (t) => [processCapture(t + 1000, [{ name: replica, cpuMillicores: 500, memoryMiB: 380 }]), processCapture(t + 9000, [{ name: replica, cpuMillicores: 520, memoryMiB: 400 }])],
  },
];

const root = mkdtempSync(path.join(os.tmpdir(), 'k6c-vertical-'));
let context: AnalysisContext;
const contextWith = async (options: ReportOptions): Promise<AnalysisContext> => analysisContext(await analyze([path.join(root, 'm')]), options);
beforeAll(async () => {
  writeMatrix(root, { id: 'm', cells: CELLS });
  context = await contextWith({});
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** One section as report.md shows it. */
function markdown(section: Section): string {
  return renderMarkdown({ title: 'r', cells: [{ kind: 'section', section }] });
}

const TIER_LABELS = ['m · 250m CPU, 256Mi, 1 replica', 'm · 500m CPU, 512Mi, 1 replica', 'm · 1 CPU, 1Gi, 1 replica'];

describe('tierFamilies', () => {
  it('groups the matrix tiers into one family, one sweep per size', () => {
    const families = tierFamilies(context.sweeps);
    expect(families.map((family) => family.map((sweep) => sweep.id).sort())).toEqual([['m/cpu1-mem1Gi-r1', 'm/cpu250m-mem256Mi-r1', 'm/cpu500m-mem512Mi-r1']]);
  });
});

describe('verticalScaling', () => {
  it('measures each tier: capacity, rate per core and GiB, efficiency, p95 at the common level, throttling, memory, OOM kills', () => {
    const [family] = tierFamilies(context.sweeps);
    const result = verticalScaling(context, family ?? [], null);
    // 10/s is the highest level all three hold (250m breaks at 20/s).
    expect(result.common_level).toBe(10);
    expect(result.smallest_meeting).toBeNull();
    expect(result.tiers).toEqual([
      {
        sweep: 'm/cpu250m-mem256Mi-r1',
        label: TIER_LABELS[0],
        cores: 0.25,
        memory_bytes: 256 * MIB,
        max_sustainable_rps: 10,
        censored: false,
        // 10 / 0.25 cores; 10 / 0.25 GiB.
        rps_per_core: 40,
        rps_per_gib: 40,
        efficiency: 1,
        // (500 + 500) periods, (100 + 200) throttled.
        throttled_share: 0.3,
        // The working set's 240Mi, not proc-sampler's 250 MiB RSS: 240 / 256.
        memory_peak_share: 0.9375,
        memory_peak_bytes: 240 * MIB,
        memory_source: 'cgroup',
        // 0 → 0 at 10/s, 0 → 1 at 20/s.
        oom_kills: 1,
        p95_at_common_ms: 20,
      },
      {
        sweep: 'm/cpu500m-mem512Mi-r1',
        label: TIER_LABELS[1],
        cores: 0.5,
        memory_bytes: 512 * MIB,
        max_sustainable_rps: 30,
        censored: false,
        // 30 / 0.5; efficiency 60 / 40.
        rps_per_core: 60,
        rps_per_gib: 60,
        efficiency: 1.5,
        throttled_share: 0.05,
        memory_peak_share: 300 / 512,
        memory_peak_bytes: 300 * MIB,
        memory_source: 'cgroup',
        oom_kills: 0,
        p95_at_common_ms: 12,
      },
      {
        sweep: 'm/cpu1-mem1Gi-r1',
        label: TIER_LABELS[2],
        cores: 1,
        memory_bytes: GIB,
        max_sustainable_rps: 40,
        // Held 40/s, the highest level tested: at least 40.
        censored: true,
        rps_per_core: 40,
        rps_per_gib: 40,
        efficiency: 1,
        throttled_share: null,
        // No cgroup: the pods' 400 MiB of 1024 MiB.
        memory_peak_share: 400 / 1024,
        memory_peak_bytes: 400 * MIB,
        memory_source: 'pods',
        oom_kills: null,
        p95_at_common_ms: 10,
      },
    ]);
  });

  it('names the smallest tier that holds the target rate', () => {
    const [family] = tierFamilies(context.sweeps);
    // 250m holds 10 < 25; 500m holds 30 ≥ 25.
    expect(verticalScaling(context, family ?? [], 25).smallest_meeting).toEqual({ sweep: 'm/cpu500m-mem512Mi-r1', rate: 25 });
    // 40 (1 CPU, censored) ≥ 40: at least 40 is enough.
    expect(verticalScaling(context, family ?? [], 40).smallest_meeting).toEqual({ sweep: 'm/cpu1-mem1Gi-r1', rate: 40 });
    expect(verticalScaling(context, family ?? [], 41).smallest_meeting).toBeNull();
  });
});

describe('verticalAnalysis', () => {
  it('renders the summary, the findings and the table exactly', () => {
    const section = verticalAnalysis.run(context) as Section;
    expect(section.id).toBe('scaling.vertical');
    expect(markdown(section)).toBe(
      [
        '# r',
        '',
        '## Vertical scaling (tiers)',
        '',
        'm · 250m CPU, 256Mi, 1 replica holds 10 req/s; m · 500m CPU, 512Mi, 1 replica holds 30 req/s; m · 1 CPU, 1Gi, 1 replica holds at least 40 req/s. Per core, m · 500m CPU, 512Mi, 1 replica is the most efficient (1.5 times the smallest tier\'s rate per core).',
        '',
        // 240 MiB / 256 MiB = 93.75% ≥ 90%; 300 of 1000 periods = 30% ≥ 20%.
        '* **warn** m · 250m CPU, 256Mi, 1 replica: memory near its limit: a replica peaked at 240.0 MiB of 256.0 MiB (93.75%): the next spike is an OOM kill',
        '* **fail** m · 250m CPU, 256Mi, 1 replica: 1 replica was OOM-killed: over the memory limit (256.0 MiB) the kernel killed a replica during these levels; its requests failed while it restarted',
        '* **warn** m · 250m CPU, 256Mi, 1 replica: CPU throttled in 30.00% of its periods: the CPU limit (0.25 cores) stalls the replicas for part of each 100 ms period: latency includes the wait',
        '',
        '| Tier                           | CPU (cores) | Memory (MiB) | Max sustainable /s | Per core /s | Per GiB /s | Efficiency | p95 ms at 10/s | Throttled | Memory peak | OOM kills |',
        '| :----------------------------- | ----------: | -----------: | -----------------: | ----------: | ---------: | ---------: | -------------: | --------: | ----------: | --------: |',
        '| m · 250m CPU, 256Mi, 1 replica |        0.25 |        256.0 |                 10 |          40 |         40 |          1 |           20.0 |    30.00% |      93.75% |         1 |',
        '| m · 500m CPU, 512Mi, 1 replica |         0.5 |        512.0 |                 30 |          60 |         60 |        1.5 |           12.0 |     5.00% |      58.59% |         0 |',
        '| m · 1 CPU, 1Gi, 1 replica      |           1 |       1024.0 |               ≥ 40 |          40 |         40 |          1 |           10.0 |         — |      39.06% |         — |',
        '',
        'Chart: [Maximum sustainable rate and p95 per tier](charts/vertical-0-throughput.svg) (Vega-Lite: charts/vertical-0-throughput.vl.json)',
        '',
        '* Each tier\'s maximum sustainable rate is its capacity under the SLO (see Capacity); "≥" marks a tier that held every level tested. Efficiency = the tier\'s rate per core ÷ the smallest tier\'s: 1 means throughput grew with the cores. p95 compares the tiers at the highest rate all of them held.',
        '* Throttled = CFS periods in which the replicas hit their CPU quota ÷ all periods (cgroup `cpu.stat`, as cAdvisor\'s `container_cpu_cfs_throttled_periods_total`); memory peak = the highest memory a replica used ÷ its limit, flagged from 90%: the cgroup\'s working set (usage less inactive file pages, as a pod\'s memory metric) where the replicas ran in cgroups, else the pods\' memory. OOM kills are the kernel\'s count for the replicas\' groups.',
        '',
      ].join('\n'),
    );
  });

  it('adds the tier finding for --target-rate, and a warning when no tier holds it', async () => {
    const meeting = verticalAnalysis.run(await contextWith({ targetRate: 25 })) as Section;
    expect(meeting.findings[0]).toMatchObject({ id: 'tier:vertical:25', kind: 'tier', severity: 'info' });
    expect(plain(meeting.findings[0]?.title ?? [])).toBe('the smallest tier that holds 25 req/s: m · 500m CPU, 512Mi, 1 replica');
    expect(plain(meeting.findings[0]?.detail ?? [])).toBe('it holds 30 req/s under the SLO');
    // The 1 CPU tier held every level: what it holds is a lower bound, and the text says so.
    const censored = verticalAnalysis.run(await contextWith({ targetRate: 35 })) as Section;
    expect(plain(censored.findings[0]?.detail ?? [])).toBe('it holds at least 40 req/s under the SLO');
    const none = verticalAnalysis.run(await contextWith({ targetRate: 50 })) as Section;
    expect(none.findings[0]).toMatchObject({ id: 'capacity:vertical:50', kind: 'capacity', severity: 'warn' });
    expect(plain(none.findings[0]?.title ?? [])).toBe('no tier holds 50 req/s');
    expect(plain(none.findings[0]?.detail ?? [])).toBe('the largest tier holds 40 req/s');
    expect(none.data).toMatchObject([{ smallest_meeting: null, target_rate: 50 }]);
  });

  it('gives analysis.json its scaling.vertical fields', async () => {
    const section = verticalAnalysis.run(await contextWith({ targetRate: 25 })) as Section;
    expect(section.data).toMatchObject([
      {
        common_level: 10,
        smallest_meeting: { sweep: 'm/cpu500m-mem512Mi-r1', rate: 25 },
        target_rate: 25,
        tiers: [
          { sweep: 'm/cpu250m-mem256Mi-r1', cores: 0.25, memory_bytes: 268435456, max_sustainable_rps: 10, rps_per_core: 40, efficiency: 1, throttled_share: 0.3, memory_peak_share: 0.9375, oom_kills: 1 },
          { sweep: 'm/cpu500m-mem512Mi-r1', cores: 0.5, memory_bytes: 536870912, max_sustainable_rps: 30, rps_per_core: 60, efficiency: 1.5, throttled_share: 0.05, memory_peak_share: 0.5859375, oom_kills: 0 },
          { sweep: 'm/cpu1-mem1Gi-r1', cores: 1, memory_bytes: 1073741824, max_sustainable_rps: 40, rps_per_core: 40, efficiency: 1, throttled_share: null, memory_peak_share: 0.390625, oom_kills: null },
        ],
      },
    ]);
  });

  it('is absent without tiers: one size only', async () => {
    const single = mkdtempSync(path.join(os.tmpdir(), 'k6c-vertical-one-'));
    try {
      writeMatrix(single, { id: 'one', cells: [{ ...A, level: 10 }, { ...A, level: 20 }] });
      expect(verticalAnalysis.run(analysisContext(await analyze([path.join(single, 'one')])))).toBeNull();
    } finally {
      rmSync(single, { recursive: true, force: true });
    }
  });
});
