/**
 * `cgroup` captures: written by the sweep's process capturer, read into `SnapshotResult.limits`.
 * The round trip uses a record the capturer really writes (from a directory that stands in for a
 * replica's cgroup v2 group, so the numbers are known); broken content is typed by hand.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCgroupStats } from '../../../analysis/snapshots/cgroup.ts';
import { detectKind, parseSnapshot, readSnapshots } from '../../../analysis/snapshots/index.ts';
import type { ReplicaLimitSample } from '../../../analysis/snapshots/types.ts';
import { CaptureLog, processCapturer } from '../../../scripts/lib/capture.ts';
import { ProcSampler, type LimitedReplica } from '../../../scripts/lib/proc-sampler.ts';

const lines = (...rows: string[]): string => `${rows.join('\n')}\n`;

// A replica's cgroup v2 files, in the format of Documentation/admin-guide/cgroup-v2.rst: 0.25 core,
// 64 MiB, one OOM kill so far.
const V2_FILES: Record<string, string> = {
  'cpu.stat': lines('usage_usec 7500000', 'user_usec 7000000', 'system_usec 500000', 'nr_periods 300', 'nr_throttled 240', 'throttled_usec 18250000', 'nr_bursts 0', 'burst_usec 0'),
  'cpu.max': '25000 100000\n',
  'memory.current': '41943040\n',
  'memory.peak': '67108864\n',
  'memory.max': '67108864\n',
  'memory.events': lines('low 0', 'high 0', 'max 57', 'oom 1', 'oom_kill 1', 'oom_group_kill 0'),
  'memory.stat': lines('anon 36700160', 'file 5242880', 'inactive_file 1048576'),
};

const SAMPLE: ReplicaLimitSample = {
  name: 'sample-replica-0',
  pid: 4242,
  cgroupVersion: 2,
  cpuLimitCores: 0.25,
  cpuPeriods: 300,
  cpuThrottledPeriods: 240,
  cpuThrottledSeconds: 18.25,
  memoryLimitBytes: 67108864,
  memoryUsageBytes: 41943040,
  memoryWorkingSetBytes: 40894464,
  memoryPeakBytes: 67108864,
  oomKills: 1,
  restarts: 1,
};

describe('a cgroup capture, as the capturer writes it', () => {
  let dir: string;
  let level: string;
  let group: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cgroup-capture-'));
    group = join(dir, 'cgroup', 'k6-capacity', '42-abcdef', 'sample-replica-0');
    mkdirSync(group, { recursive: true });
    for (const [file, text] of Object.entries(V2_FILES)) writeFileSync(join(group, file), text);
    level = join(dir, 'level');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read into `limits`, beside the replica as a pod, never as a pod', async () => {
    const log = new CaptureLog(level);
    const replicas = () => [{ name: 'sample-replica-0', pid: process.pid }];
    const sampler = new ProcSampler();
    sampler.sample(replicas(), Date.now() - 1000);
    const limited: LimitedReplica[] = [{ name: 'sample-replica-0', pid: 4242, cgroup: { version: 2, dir: group }, restarts: 1, oomKills: 1 }];
    await processCapturer(replicas, log, sampler, { limitedReplicas: () => limited }).capture('during');

    const written = readFileSync(log.file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written.map((record) => record['kind'])).toEqual(['process', 'cgroup']);
    expect(written[1]).toMatchObject({ phase: 'during', command: ['cgroup-sampler', group], exit_code: 0, stderr: '' });
    expect(JSON.parse(written[1]?.['stdout'] as string)).toEqual({
      kind: 'ReplicaCgroupStats',
      apiVersion: 'k6-capacity/v1',
      cgroup_version: 2,
      replicas: [
        {
          name: 'sample-replica-0',
          pid: 4242,
          cpu_limit_cores: 0.25,
          cpu_periods: 300,
          cpu_throttled_periods: 240,
          cpu_throttled_seconds: 18.25,
          memory_limit_bytes: 67108864,
          memory_usage_bytes: 41943040,
          memory_working_set_bytes: 40894464,
          memory_peak_bytes: 67108864,
          oom_kills: 1,
          restarts: 1,
        },
      ],
    });

    const [process_, cgroup] = readSnapshots(join(level, 'snapshots'));
    expect(process_).toMatchObject({ kind: 'metrics-api', problems: [] });
    expect(process_?.pods.map((pod) => pod.pod)).toEqual(['sample-replica-0']);
    expect(process_?.limits).toBeUndefined();
    const capturedAtMs = Date.parse(written[1]?.['captured_at'] as string);
    expect(cgroup).toEqual({
      file: log.file,
      entry: 2,
      kind: 'cgroup',
      capturedAtMs,
      command: ['cgroup-sampler', group],
      pods: [],
      containers: [],
      nodes: [],
      hpas: [],
      events: [],
      placements: [],
      limits: [{ ...SAMPLE, capturedAtMs }],
      problems: [],
    });
  });

  it('writes no cgroup record without limits', async () => {
    const log = new CaptureLog(join(dir, 'unlimited'));
    const replicas = () => [{ name: 'sample-replica-0', pid: process.pid }];
    await processCapturer(replicas, log, new ProcSampler(), { limitedReplicas: () => [] }).capture('before');
    await processCapturer(replicas, log, new ProcSampler()).capture('after');
    expect(readFileSync(log.file, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { kind: string }).kind)).toEqual(['process', 'process']);
  });
});

// --- parseCgroupStats: what is broken, and what is said about it ----------------------------------

const document = (replicas: unknown, extra: Record<string, unknown> = {}): string => JSON.stringify({ kind: 'ReplicaCgroupStats', apiVersion: 'k6-capacity/v1', cgroup_version: 1, replicas, ...extra });
const FULL = {
  name: 'sample-replica-1',
  pid: null,
  cpu_limit_cores: null,
  cpu_periods: 10,
  cpu_throttled_periods: 0,
  cpu_throttled_seconds: 0,
  memory_limit_bytes: 268435456,
  memory_usage_bytes: 1000,
  memory_working_set_bytes: 900,
  memory_peak_bytes: 2000,
  oom_kills: 0,
  restarts: 2,
};
const READ: ReplicaLimitSample = {
  name: 'sample-replica-1',
  pid: null,
  cgroupVersion: 1,
  cpuLimitCores: null,
  cpuPeriods: 10,
  cpuThrottledPeriods: 0,
  cpuThrottledSeconds: 0,
  memoryLimitBytes: 268435456,
  memoryUsageBytes: 1000,
  memoryWorkingSetBytes: 900,
  memoryPeakBytes: 2000,
  oomKills: 0,
  restarts: 2,
};

describe('parseCgroupStats', () => {
  it.each<[string, string, ReplicaLimitSample[], { line: number | null; severity: string; message: string }[]]>([
    // --- read as written
    ['a replica down between an OOM kill and its restart, no CPU limit', document([FULL]), [READ], []],
    ['an unknown field, added by a newer writer', document([{ ...FULL, cpu_usage_seconds: 3 }], { node: 'x' }), [READ], []],
    // --- broken fields: the replica is kept, the field is unknown
    [
      'a counter as a string',
      document([{ ...FULL, cpu_periods: '10' }]),
      [{ ...READ, cpuPeriods: null }],
      [{ line: 1, severity: 'error', message: 'cgroup stats: `cpu_periods` of `sample-replica-1` is `"10"`: expected a number of at least 0, or null at line 1' }],
    ],
    [
      'a negative usage',
      document([{ ...FULL, memory_usage_bytes: -1 }]),
      [{ ...READ, memoryUsageBytes: null }],
      [{ line: 1, severity: 'error', message: 'cgroup stats: `memory_usage_bytes` of `sample-replica-1` is `-1`: expected a number of at least 0, or null at line 1' }],
    ],
    [
      'a field missing (an older writer)',
      document([{ ...FULL, memory_working_set_bytes: undefined }]),
      [{ ...READ, memoryWorkingSetBytes: null }],
      [{ line: 1, severity: 'warning', message: 'cgroup stats: `memory_working_set_bytes` of `sample-replica-1` is missing: read as unknown at line 1' }],
    ],
    // --- broken replicas and documents: nothing read from them
    [
      'a replica without a name, and one that is not an object',
      document([{ ...FULL, name: '' }, 'x']),
      [],
      [
        { line: 1, severity: 'error', message: 'cgroup stats: a replica has no `name` at line 1' },
        { line: 1, severity: 'error', message: 'cgroup stats: expected a replica object, got `"x"` at line 1' },
      ],
    ],
    ['another kind', JSON.stringify({ kind: 'PodMetricsList', items: [] }), [], [{ line: 1, severity: 'error', message: 'cgroup stats: expected `kind` ReplicaCgroupStats, got `PodMetricsList` at line 1' }]],
    ['an unknown cgroup version', document([FULL], { cgroup_version: 3 }), [], [{ line: 1, severity: 'error', message: 'cgroup stats: `cgroup_version` is `3`: expected 1 or 2 at line 1' }]],
    ['no replicas array', document({ 0: FULL }), [], [{ line: 1, severity: 'error', message: 'cgroup stats: `ReplicaCgroupStats` has no `replicas` array at line 1' }]],
    ['not an object', '[1, 2]', [], [{ line: 1, severity: 'error', message: 'cgroup stats: expected a JSON object, got `[1,2]` at line 1' }]],
    [
      'cut off in the second replica',
      document([FULL, FULL]).slice(0, -60),
      [READ],
      [{ line: 1, severity: 'error', message: 'cgroup stats: the JSON is cut off (kept 1 complete replica, dropped 1 cut-off replica) at line 1' }],
    ],
    ['text instead', 'permission denied\n', [], [{ line: 1, severity: 'error', message: 'cgroup stats: skipped `permission denied`: expected JSON at line 1' }]],
    ['nothing', '', [], [{ line: null, severity: 'error', message: 'cgroup stats: no JSON document in the capture' }]],
  ])('%s', (_, text, records, problems) => {
    expect(parseCgroupStats(text)).toEqual({ records, problems });
  });
});

describe('cgroup stats as a snapshot', () => {
  it('is told by its kind, saved by hand too', () => {
    expect(detectKind(document([FULL]))).toBe('cgroup');
    const result = parseSnapshot(document([FULL]), { file: 'limits-20261124T010714Z.json', capturedAtMs: 1000 });
    expect(result).toMatchObject({ kind: 'cgroup', pods: [], limits: [{ ...READ, capturedAtMs: 1000 }], problems: [] });
  });

  it('gives problems, never pods, for a cgroup record holding something else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cgroup-log-'));
    try {
      const entry = (stdout: string): string => JSON.stringify({ captured_at: '2026-11-24T01:07:14Z', kind: 'cgroup', phase: 'during', command: ['cgroup-sampler'], exit_code: 0, stdout, stderr: '' });
      const metrics = JSON.stringify({ kind: 'PodMetricsList', items: [{ metadata: { name: 'web-1' }, timestamp: '2026-11-24T01:07:14Z', window: '1s', containers: [] }] });
      writeFileSync(join(dir, 'captures.jsonl'), `${entry(metrics)}\n${entry('{"kind":"ReplicaCgroupStats","cgroup_version":2,"replicas":[')}\n`);
      const [wrong, cut] = readSnapshots(dir);
      expect(wrong).toMatchObject({ kind: 'cgroup', pods: [], limits: [], problems: [{ line: 1, severity: 'error', message: 'cgroup stats: expected `kind` ReplicaCgroupStats, got `PodMetricsList` at line 1' }] });
      expect(cut).toMatchObject({ kind: 'cgroup', pods: [], limits: [], problems: [{ line: 1, severity: 'error', message: 'cgroup stats: the JSON is cut off (kept 0 complete replicas) at line 1' }] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
