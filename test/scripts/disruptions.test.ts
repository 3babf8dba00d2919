/**
 * `--disrupt`: the flag's syntax, the checks against a target and its levels (with the drivers' own
 * rules), the schedule of one level, and the record the analysis reads back through the manifest.
 * The disruptions done for real are in sweep-process.test.ts and sweep-kubernetes.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { checkManifest } from '../../analysis/model/manifest.ts';
import { CliError } from '../../scripts/lib/cli.ts';
import {
  checkDisruptions,
  disruptionText,
  durationText,
  parseDisruption,
  parseDisruptions,
  runDisruptions,
  type Disruption,
  type DisruptionOutcome,
  type Disruptor,
  type PlannedDisruption,
} from '../../scripts/lib/disruptions.ts';
import { firstRunningPod } from '../../scripts/lib/drivers/kubernetes.ts';
import { driverFor } from '../../scripts/lib/drivers/driver.ts';
import { ProcessRegistry } from '../../scripts/lib/process-registry.ts';
import { BUILTIN_TARGETS, type Target } from '../../scripts/lib/targets.ts';
import { PODS_JSON } from '../helpers/kubectl-outputs.ts';

describe('parseDisruption', () => {
  it.each([
    ['kill-replica@30s', { kind: 'kill-replica', at_s: 30, which: null }],
    ['kill-replica:1@1m30s', { kind: 'kill-replica', at_s: 90, which: 1 }],
    ['kill-replica:0@0.5s', { kind: 'kill-replica', at_s: 0.5, which: 0 }],
    ['delete-pod@45s', { kind: 'delete-pod', at_s: 45, which: null }],
    ['delete-pod:inference-7d9f8b6c5-x2x8q@2m', { kind: 'delete-pod', at_s: 120, which: 'inference-7d9f8b6c5-x2x8q' }],
    // Pod names are DNS subdomains: dots allowed (StatefulSets of dotted names).
    ['delete-pod:db.primary-0@10s', { kind: 'delete-pod', at_s: 10, which: 'db.primary-0' }],
  ])('%s', (raw, expected) => {
    expect(parseDisruption('sweep', raw)).toEqual(expected);
  });

  it.each([
    ['kill-replica', 'sweep: `--disrupt` is `kill-replica`: expected KIND@TIME such as `kill-replica@30s` or `delete-pod@1m30s`'],
    ['@30s', 'sweep: `--disrupt` is `@30s`: expected KIND@TIME such as `kill-replica@30s` or `delete-pod@1m30s`'],
    ['restart-pod@30s', 'sweep: `--disrupt` is `restart-pod@30s`: unknown kind `restart-pod`: expected `kill-replica` or `delete-pod`'],
    ['kill-replica@soon', 'sweep: `--disrupt` is `kill-replica@soon`: expected a time into the level after `@`, a k6 duration such as `30s` or `1m30s`'],
    ['kill-replica@-5s', 'sweep: `--disrupt` is `kill-replica@-5s`: expected a time into the level after `@`, a k6 duration such as `30s` or `1m30s`'],
    ['kill-replica:one@30s', 'sweep: `--disrupt` is `kill-replica:one@30s`: expected a replica index (0, 1, …) after `kill-replica:`'],
    ['kill-replica:-1@30s', 'sweep: `--disrupt` is `kill-replica:-1@30s`: expected a replica index (0, 1, …) after `kill-replica:`'],
    [
      'delete-pod:Inference_1@30s',
      "sweep: `--disrupt` is `delete-pod:Inference_1@30s`: `Inference_1` is not a pod name: expected a Kubernetes name (lowercase letters, digits, '-' and '.', at most 253)",
    ],
    // Never an option to kubectl.
    ['delete-pod:--all@30s', "sweep: `--disrupt` is `delete-pod:--all@30s`: `--all` is not a pod name: expected a Kubernetes name (lowercase letters, digits, '-' and '.', at most 253)"],
    ['delete-pod:@30s', "sweep: `--disrupt` is `delete-pod:@30s`: `` is not a pod name: expected a Kubernetes name (lowercase letters, digits, '-' and '.', at most 253)"],
  ])('refuses %s', (raw, message) => {
    expect(() => parseDisruption('sweep', raw)).toThrow(new CliError(message));
  });

  it('sorts several by time, keeping the given order for equal times', () => {
    const raws = Object.freeze(['delete-pod@40s', 'delete-pod:b@10s', 'delete-pod:a@10s']);
    expect(parseDisruptions('matrix', raws).map(disruptionText)).toEqual(['delete-pod:b@10s', 'delete-pod:a@10s', 'delete-pod@40s']);
  });
});

describe('durationText', () => {
  it.each([
    [0, '0s'],
    [0.25, '0.25s'],
    [30, '30s'],
    [90, '1m30s'],
    [3600, '1h'],
    [3725.5, '1h2m5.5s'],
  ])('%s s is %s', (seconds, text) => {
    expect(durationText(seconds)).toBe(text);
  });
});

// --- the checks before any load, with the drivers' own rules ----------------------------------

const sample = BUILTIN_TARGETS.sample as Target;
const kubernetes: Target = {
  name: 'cluster',
  kind: 'kubernetes',
  context: 'kind-test',
  namespace: 'demo',
  deployment: 'inference',
  baseUrl: 'http://127.0.0.1:30080',
  selector: 'app=inference',
  healthPath: '/health',
  dataHook: null,
  resources: null,
};
const url: Target = { name: 'staging', kind: 'url', baseUrl: 'https://staging.example.com', healthPath: '/health', dataHook: null, resources: null };

function check(target: Target, raws: string[], options: { cells?: { id: string; replicas: number | null }[]; plannedMs?: Map<string, number>; command?: string } = {}): void {
  const { cells = [{ id: 'tps-10', replicas: null }], plannedMs = new Map([['tps-10', 60_000]]), command = 'sweep' } = options;
  const disruptor = driverFor(target, { say: () => undefined, signal: new AbortController().signal, registry: new ProcessRegistry('/nonexistent') });
  checkDisruptions(parseDisruptions(command, raws), { command, target, disruptor, cells, plannedMs, durationMs: 60_000 });
}

describe('checkDisruptions', () => {
  it('accepts what fits the target and every level', () => {
    expect(() => check(sample, ['kill-replica@30s', 'kill-replica:0@59.9s'])).not.toThrow();
    expect(() => check(kubernetes, ['delete-pod@30s', 'delete-pod:inference-1@31s'])).not.toThrow();
    expect(() => check(url, [])).not.toThrow();
  });

  it.each<[string, Target, string[], Parameters<typeof check>[2], string]>([
    ['kill-replica on a kubernetes target', kubernetes, ['kill-replica@30s'], {}, 'sweep: `--disrupt kill-replica@30s` does not fit target `cluster`, a kubernetes target: expected `delete-pod`'],
    ['delete-pod on a process target', sample, ['delete-pod@30s'], {}, 'sweep: `--disrupt delete-pod@30s` does not fit target `sample`, a process target: expected `kill-replica`'],
    ['anything on a url target', url, ['delete-pod@30s'], {}, 'sweep: `--disrupt delete-pod@30s` does not fit target `staging`, a url target: it has nothing to disrupt; drop `--disrupt`'],
    ['a time at the end', sample, ['kill-replica@1m'], {}, 'sweep: `--disrupt kill-replica@1m` is at or after the end of level `tps-10`, which runs `1m`: expected a time before `1m`'],
    // A soak's planned length holds its WARMUP: checkLevels says how long each level runs.
    [
      'a time beyond a planned length',
      sample,
      ['kill-replica@1m30s'],
      { plannedMs: new Map([['tps-10', 75_000]]) },
      'sweep: `--disrupt kill-replica@1m30s` is at or after the end of level `tps-10`, which runs `1m15s`: expected a time before `1m15s`',
    ],
    ['a replica the target does not have', sample, ['kill-replica:1@30s'], {}, 'sweep: `--disrupt kill-replica:1@30s`: level `tps-10` runs 1 replica (replica 0): expected replica 0'],
    [
      'a replica one cell of a matrix does not have',
      sample,
      ['kill-replica:2@30s'],
      { command: 'matrix', cells: [{ id: 'r4-tps-10', replicas: 4 }, { id: 'r2-tps-10', replicas: 2 }] },
      'matrix: `--disrupt kill-replica:2@30s`: level `r2-tps-10` runs 2 replicas (0 to 1): expected a replica from 0 to 1',
    ],
    [
      'no way to choose a pod',
      { ...kubernetes, selector: null },
      ['delete-pod@30s'],
      {},
      'sweep: `--disrupt delete-pod@30s`: target `cluster` has no `selector` in targets.json to choose a pod by: expected a `selector` of its pods, or the pod named as `delete-pod:NAME@TIME`',
    ],
  ])('refuses %s', (_, target, raws, options, message) => {
    expect(() => check(target, raws, options)).toThrow(new CliError(message));
  });

  it('bounds an autoscaled target by its maximum, not by the replicas it starts with', () => {
    const autoscaled: Target = { ...(sample as Extract<Target, { kind: 'process' }>), name: 'auto', autoscale: { minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50, syncPeriodSeconds: 15, scaleDownStabilizationSeconds: 300 } };
    expect(() => check(autoscaled, ['kill-replica:2@30s'])).not.toThrow();
    expect(() => check(autoscaled, ['kill-replica:3@30s'])).toThrow(
      new CliError('sweep: `--disrupt kill-replica:3@30s`: target `auto` autoscales to at most 3 replicas (0 to 2): expected a replica from 0 to 2'),
    );
  });
});

describe('firstRunningPod', () => {
  it('takes the first Running pod by name, never a Terminating or Pending one', () => {
    expect(firstRunningPod(PODS_JSON)).toBe('inference-6b8d7c9f4-k2xwq');
  });

  it.each([
    ['{"apiVersion":"v1","items":[],"kind":"List","metadata":{"resourceVersion":""}}', null],
    ['not json', null],
  ])('%s → %s', (json, pod) => {
    expect(firstRunningPod(json)).toBe(pod);
  });
});

// --- one level's schedule ----------------------------------------------------------------------

function recorder(outcome: Partial<DisruptionOutcome> = {}): Disruptor & { done: { what: PlannedDisruption; atMs: number }[] } {
  const done: { what: PlannedDisruption; atMs: number }[] = [];
  return {
    done,
    disruptionKinds: ['kill-replica'],
    checkDisruption: () => null,
    async disrupt(what) {
      done.push({ what, atMs: Date.now() });
      return { target: 'sample-replica-0', pid: 4242, ok: true, detail: 'killed', command: [], exitCode: 0, stdout: '', stderr: '', ...outcome };
    },
  };
}

describe('runDisruptions', () => {
  it('does each at its time after the start, in order, and records when', async () => {
    const disruptor = recorder();
    const records: Disruption[] = [];
    const startMs = Date.now();
    const run = runDisruptions(parseDisruptions('sweep', ['kill-replica@0.3s', 'kill-replica:1@0.1s']), {
      startMs,
      disruptor,
      signal: new AbortController().signal,
      record: (disruption) => records.push(disruption),
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await run.stop();
    expect(disruptor.done.map((d) => d.what.which)).toEqual([1, null]);
    expect(disruptor.done[0]?.atMs).toBeGreaterThanOrEqual(startMs + 100);
    expect(disruptor.done[1]?.atMs).toBeGreaterThanOrEqual(startMs + 300);
    expect(records.map((r) => [r.kind, r.at_s, r.target, r.pid, r.ok, r.detail])).toEqual([
      ['kill-replica', 0.1, 'sample-replica-0', 4242, true, 'killed'],
      ['kill-replica', 0.3, 'sample-replica-0', 4242, true, 'killed'],
    ]);
    expect(Date.parse(records[0]?.time ?? '')).toBeGreaterThanOrEqual(startMs + 100);
  });

  it('does nothing whose time comes after the level ends or is interrupted', async () => {
    const ended = recorder();
    const run = runDisruptions(parseDisruptions('sweep', ['kill-replica@0.1s', 'kill-replica@10s']), { startMs: Date.now(), disruptor: ended, signal: new AbortController().signal, record: () => undefined });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopping = Date.now();
    await run.stop();
    // stop() does not wait for the 10 s one.
    expect(Date.now() - stopping).toBeLessThan(100);
    expect(ended.done).toHaveLength(1);

    const interrupted = recorder();
    const controller = new AbortController();
    const records: Disruption[] = [];
    const second = runDisruptions(parseDisruptions('sweep', ['kill-replica@0.2s']), { startMs: Date.now(), disruptor: interrupted, signal: controller.signal, record: (r) => records.push(r) });
    controller.abort('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await second.stop();
    expect(interrupted.done).toEqual([]);
    expect(records).toEqual([]);
  });

  it('records a driver that throws as a failed disruption, and goes on with the next', async () => {
    const records: Disruption[] = [];
    let calls = 0;
    const disruptor: Disruptor = {
      disruptionKinds: ['delete-pod'],
      checkDisruption: () => null,
      async disrupt() {
        calls += 1;
        if (calls === 1) throw new CliError('kubectl: `kubectl` was not found');
        return { target: 'inference-1', pid: null, ok: true, detail: 'pod "inference-1" deleted from demo namespace', command: [], exitCode: 0, stdout: '', stderr: '' };
      },
    };
    const run = runDisruptions(parseDisruptions('sweep', ['delete-pod@0s', 'delete-pod@0.05s']), { startMs: Date.now(), disruptor, signal: new AbortController().signal, record: (r) => records.push(r) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await run.stop();
    expect(records.map((r) => [r.target, r.ok, r.detail])).toEqual([
      [null, false, 'kubectl: `kubectl` was not found'],
      ['inference-1', true, 'pod "inference-1" deleted from demo namespace'],
    ]);
  });
});

// --- what the analysis reads back --------------------------------------------------------------

describe('the manifest reader', () => {
  const manifest = (level: Record<string, unknown>, plan: Record<string, unknown> = {}) => ({
    kind: 'k6-capacity-sweep',
    schemaVersion: 1,
    plan: { disruptions: [{ kind: 'kill-replica', at_s: 4, which: null }], ...plan },
    levels: [{ id: 'tps-10', status: 'ok', ...level }],
  });
  const record = { kind: 'kill-replica', at_s: 4, time: '2026-11-24T10:00:04.012Z', target: 'sample-replica-0', pid: 4242, ok: true, detail: 'killed sample-replica-0 (PID 4242) with SIGKILL' };

  it('takes levels with and without disruptions', () => {
    const disruptions = [record, { ...record, target: null, pid: null, ok: false, detail: 'replica 0 was not running' }];
    expect(checkManifest(manifest({ disruptions }), 'runs/a/manifest.json').levels[0]?.disruptions).toEqual(disruptions);
    expect(checkManifest(manifest({}, { disruptions: undefined }), 'runs/a/manifest.json').levels[0]?.disruptions).toBeUndefined();
  });

  it.each([
    [{ disruptions: {} }, {}, 'manifest: `levels[0].disruptions` is `{}` in runs/a/manifest.json: expected an array'],
    [{ disruptions: [{ ...record, kind: 'reboot' }] }, {}, 'manifest: `levels[0].disruptions[0].kind` is `"reboot"` in runs/a/manifest.json: expected one of kill-replica, delete-pod'],
    [{ disruptions: [{ ...record, at_s: '4s' }] }, {}, 'manifest: `levels[0].disruptions[0].at_s` is `"4s"` in runs/a/manifest.json: expected seconds into the level (a number >= 0)'],
    [{ disruptions: [{ ...record, time: 'later' }] }, {}, 'manifest: `levels[0].disruptions[0].time` is `"later"` in runs/a/manifest.json: expected an ISO-8601 time'],
    [{ disruptions: [{ ...record, pid: '4242' }] }, {}, 'manifest: `levels[0].disruptions[0].pid` is `"4242"` in runs/a/manifest.json: expected a PID, or null'],
    [{ disruptions: [{ ...record, ok: 'yes' }] }, {}, 'manifest: `levels[0].disruptions[0].ok` is `"yes"` in runs/a/manifest.json: expected true or false'],
    [{ disruptions: [{ ...record, detail: undefined }] }, {}, 'manifest: `levels[0].disruptions[0].detail` is `undefined` in runs/a/manifest.json: expected a string'],
    [{}, { disruptions: [{ kind: 'kill-replica', at_s: 4, which: 'first' }] }, 'manifest: `plan.disruptions[0].which` is `"first"` in runs/a/manifest.json: expected a replica index, or null'],
  ])('refuses %j %j', (level, plan, message) => {
    expect(() => checkManifest(manifest(level, plan), 'runs/a/manifest.json')).toThrow(message);
  });
});
