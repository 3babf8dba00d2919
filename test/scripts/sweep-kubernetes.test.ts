/**
 * `npm run sweep` and `npm run matrix` against a kubernetes target, with a fake kubectl that answers
 * with real kubectl outputs (test/helpers/kubectl-outputs.ts) and records every call. The load itself
 * is real: the target's base URL is a sample service this test starts on 127.0.0.1.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSampleService, type RunningService } from '../../scripts/lib/processes.ts';
import { healthyCluster, POD_NOT_FOUND } from '../helpers/kubectl-outputs.ts';
import { fakeKubectl, runScript } from '../helpers/run-script.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-sweep-k8s-'));
let service: RunningService;
let targets: string;

beforeAll(async () => {
  service = await startSampleService({ replicas: 1 });
  targets = path.join(work, 'targets.json');
  writeFileSync(
    targets,
    JSON.stringify({
      targets: {
        // No selector: its pods cannot be chosen, only named.
        unlabelled: { kind: 'kubernetes', context: 'kind-test', namespace: 'demo', deployment: 'inference', baseUrl: service.url },
        cluster: {
          kind: 'kubernetes',
          context: 'kind-test',
          namespace: 'demo',
          deployment: 'inference',
          baseUrl: service.url,
          selector: 'app=inference',
          resources: { cores: '500m', memory: '1Gi', nodes: 2 },
        },
      },
    }),
  );
});

afterAll(async () => {
  await service?.stop();
  rmSync(work, { recursive: true, force: true });
});

const fast = ['--duration', '2s', '--pause', '0s', '--snapshot-interval', '1s', '--cooldown', '0s'];

function captures(dir: string): { captured_at: string; kind: string; phase: string; command: string[]; exit_code: number; stdout: string; stderr: string }[] {
  return readFileSync(path.join(dir, 'snapshots', 'captures.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

describe('sweep, kubernetes target', () => {
  it('preflights, captures the cluster before, during and after each level, and analyses', async () => {
    const kubectl = fakeKubectl(healthyCluster());
    const out = path.join(work, 'sweep');
    const result = await runScript('sweep.ts', ['--targets', targets, '--target', 'cluster', '--tps-levels', '10,20', ...fast.slice(0, 6), '--out', out], {
      env: { PATH: kubectl.path, ...kubectl.env },
    });
    expect(result.stderr).not.toMatch(/WARNING|Error/);
    expect(result.code).toBe(0);

    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      kind: 'k6-capacity-sweep',
      schemaVersion: 1,
      target: { name: 'cluster', kind: 'kubernetes', base_url: service.url, resources: { cores: 0.5, memory_bytes: 1073741824, nodes: 2 } },
      scenario: 'constant',
      preflight: { metrics: 'available', notes: [] },
    });
    expect(manifest.levels.map((l: { id: string; status: string }) => [l.id, l.status])).toEqual([
      ['tps-10', 'ok'],
      ['tps-20', 'ok'],
    ]);

    // Preflight: client, cluster and namespace, deployment, metrics API — every call an argv, with context and namespace.
    const calls = kubectl.calls();
    expect(calls.slice(0, 4)).toEqual([
      ['--context', 'kind-test', 'version', '--client', '-o', 'json'],
      ['--context', 'kind-test', 'get', 'namespace', 'demo', '-o', 'name'],
      ['--context', 'kind-test', '-n', 'demo', 'get', 'deployment', 'inference', '-o', 'name'],
      ['--context', 'kind-test', '-n', 'demo', 'top', 'pods', '-l', 'app=inference'],
    ]);

    const records = captures(path.join(out, 'tps-10'));
    const phases = (kind: string): string[] => [...new Set(records.filter((r) => r.kind === kind).map((r) => r.phase))];
    expect(phases('top-pods')).toEqual(['before', 'during', 'after']);
    expect(phases('hpa-json')).toEqual(['before', 'during', 'after']);
    expect(phases('events')).toEqual(['before', 'after']);
    expect(phases('pods-wide')).toEqual(['before', 'during', 'after']);
    expect(records.find((r) => r.kind === 'top-pods')?.command).toEqual(['kubectl', '--context', 'kind-test', '-n', 'demo', 'top', 'pods', '-l', 'app=inference']);
    expect(records.find((r) => r.kind === 'top-nodes')?.command).toEqual(['kubectl', '--context', 'kind-test', 'top', 'nodes']);

    // The analysis ran and read the captures: pods' CPU and memory and the HPA.
    const analysis = JSON.parse(readFileSync(path.join(out, 'report', 'analysis.json'), 'utf8'));
    expect(analysis.runs.map((r: { label: string; requests: number }) => [r.label, r.requests > 0])).toEqual([
      ['tps-10', true],
      ['tps-20', true],
    ]);
    const report = readFileSync(path.join(out, 'report', 'report.md'), 'utf8');
    expect(report).toContain('| tps-10 | katib-mysql-7894994f88-2sq4c');
    // The HPA the fake cluster reports (formats.md §2.4, replayed at every capture) is the HPA report.
    expect(report).toContain('## Autoscaling (HPA)');
    expect(report).toMatch(/^demo\/inference: 2 to 2 replicas \(min 1, max 5\); /m);
    // The events (formats.md §4.2) are of another HPA, llm-proxy-exp6: it has a timeline of its own.
    expect(analysis.hpa.map((h: { name: string }) => h.name).sort()).toEqual(['inference', 'llm-proxy-exp6']);
    const hpa = analysis.hpa.find((h: { name: string }) => h.name === 'inference');
    expect(hpa).toMatchObject({ name: 'inference', namespace: 'demo', min: 1, max: 5 });
    expect(hpa.timeline.length).toBe(records.filter((r) => r.kind === 'hpa-json').length + captures(path.join(out, 'tps-20')).filter((r) => r.kind === 'hpa-json').length);
    expect(hpa.timeline[0]).toMatchObject({ current: 2, desired: 2, metrics: [{ name: 'cpu', current: 150, target: 70, unit: 'percent' }] });
    expect(result.stdout).toContain(`report: ${path.join(path.relative(process.cwd(), out), 'report', 'report.html')}`);
  });

  it('goes on without resource data when metrics-server is missing, and says so', async () => {
    const kubectl = fakeKubectl(healthyCluster({ metrics: false }));
    const out = path.join(work, 'no-metrics');
    const result = await runScript('sweep.ts', ['--targets', targets, '--target', 'cluster', '--tps-levels', '10', ...fast.slice(0, 6), '--out', out], {
      env: { PATH: kubectl.path, ...kubectl.env },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('sweep: WARNING metrics API not available (error: Metrics API not available): the sweep goes on without resource data');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.preflight.metrics).toBe('unavailable: error: Metrics API not available');
    // `top` once before each level (so the report can say why), not during.
    expect(captures(path.join(out, 'tps-10')).filter((r) => r.kind === 'top-pods').map((r) => r.phase)).toEqual(['before']);
    const analysis = JSON.parse(readFileSync(path.join(out, 'report', 'analysis.json'), 'utf8'));
    expect(analysis.findings).toContainEqual(
      expect.objectContaining({
        id: `missing-resource-data:no-metrics-tps-10`,
        severity: 'warn',
        detail: expect.stringContaining('kubectl: `error: Metrics API not available`'),
      }),
    );
  });

  it('stops before any load when the cluster is unreachable', async () => {
    const kubectl = fakeKubectl([
      { match: ['version', '--client'], stdout: '{}' },
      { match: ['get', 'namespace'], stderr: 'Unable to connect to the server: dial tcp 10.0.0.1:6443: i/o timeout\n', code: 1 },
    ]);
    const result = await runScript('sweep.ts', ['--targets', targets, '--target', 'cluster', '--tps-levels', '10', '--out', path.join(work, 'unreachable')], {
      env: { PATH: kubectl.path, ...kubectl.env },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'sweep: the cluster or namespace `demo` is not reachable: Unable to connect to the server: dial tcp 10.0.0.1:6443: i/o timeout\n' +
        'Note: check the kube context `kind-test` with `kubectl cluster-info`\n',
    );
  });

  it.each([
    [['--namespace', 'Demo;rm -rf /'], 'sweep: `--namespace` is `Demo;rm -rf /`: expected a Kubernetes name (lowercase letters, digits and \'-\', at most 63)\n'],
    [['--context', '$(reboot)'], 'sweep: `--context` is `$(reboot)`: expected a kubeconfig context name (letters, digits and ._:@/-)\n'],
  ])('refuses unsafe names %j before calling kubectl', async (flags, message) => {
    const kubectl = fakeKubectl(healthyCluster());
    const result = await runScript('sweep.ts', ['--targets', targets, '--target', 'cluster', '--tps-levels', '10', ...flags], { env: { PATH: kubectl.path, ...kubectl.env } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(message);
    expect(kubectl.calls()).toEqual([]);
  });
});

describe('matrix, kubernetes target', () => {
  it('scales the deployment and waits for the rollout before each replica count', async () => {
    const kubectl = fakeKubectl(healthyCluster());
    const out = path.join(work, 'matrix');
    const result = await runScript('matrix.ts', ['--targets', targets, '--target', 'cluster', '--replicas', '1,2', '--tps-levels', '10', ...fast, '--out', out], {
      env: { PATH: kubectl.path, ...kubectl.env },
    });
    expect(result.code).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.levels.map((l: { id: string; replicas: number; status: string }) => [l.id, l.replicas, l.status])).toEqual([
      ['r1-tps-10', 1, 'ok'],
      ['r2-tps-10', 2, 'ok'],
    ]);
    const scaling = kubectl.calls().filter((argv) => argv.includes('scale') || argv.includes('rollout'));
    expect(scaling).toEqual([
      ['--context', 'kind-test', '-n', 'demo', 'scale', 'deployment/inference', '--replicas=1'],
      ['--context', 'kind-test', '-n', 'demo', 'rollout', 'status', 'deployment/inference', '--timeout=300s'],
      ['--context', 'kind-test', '-n', 'demo', 'scale', 'deployment/inference', '--replicas=2'],
      ['--context', 'kind-test', '-n', 'demo', 'rollout', 'status', 'deployment/inference', '--timeout=300s'],
    ]);
    const analysis = JSON.parse(readFileSync(path.join(out, 'report', 'analysis.json'), 'utf8'));
    expect(analysis.runs.map((r: { label: string; replicas: number }) => [r.label, r.replicas])).toEqual([
      ['r1-tps-10', 1],
      ['r2-tps-10', 2],
    ]);
  });

  it('sets requests and limits for each size with kubectl set resources, waits for the rollout, and records the sizes', async () => {
    const kubectl = fakeKubectl(healthyCluster());
    const out = path.join(work, 'tiers');
    const result = await runScript('matrix.ts', ['--targets', targets, '--target', 'cluster', '--cpu', '250m,1', '--memory', '256Mi', '--tps-levels', '10', ...fast, '--out', out], {
      env: { PATH: kubectl.path, ...kubectl.env },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('sweep: setting deployment/inference to cpu=250m,memory=256Mi per pod (requests = limits)');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.levels.map((l: { id: string; resources: unknown; status: string }) => [l.id, l.resources, l.status])).toEqual([
      ['cpu250m-mem256Mi-tps-10', { cores: 0.25, memory_bytes: 268435456, enforced: true, reason: null }, 'ok'],
      ['cpu1-mem256Mi-tps-10', { cores: 1, memory_bytes: 268435456, enforced: true, reason: null }, 'ok'],
    ]);
    const changes = kubectl.calls().filter((argv) => argv.includes('set') || argv.includes('rollout') || argv.includes('scale'));
    expect(changes).toEqual([
      ['--context', 'kind-test', '-n', 'demo', 'set', 'resources', 'deployment/inference', '--requests=cpu=250m,memory=256Mi', '--limits=cpu=250m,memory=256Mi'],
      ['--context', 'kind-test', '-n', 'demo', 'rollout', 'status', 'deployment/inference', '--timeout=300s'],
      ['--context', 'kind-test', '-n', 'demo', 'set', 'resources', 'deployment/inference', '--requests=cpu=1,memory=256Mi', '--limits=cpu=1,memory=256Mi'],
      ['--context', 'kind-test', '-n', 'demo', 'rollout', 'status', 'deployment/inference', '--timeout=300s'],
    ]);
    const analysis = JSON.parse(readFileSync(path.join(out, 'report', 'analysis.json'), 'utf8'));
    expect(analysis.sweeps.map((s: { id: string; label: string }) => [s.id, s.label])).toEqual([
      ['tiers/cpu250m-mem256Mi', 'tiers · 250m CPU, 256Mi'],
      ['tiers/cpu1-mem256Mi', 'tiers · 1 CPU, 256Mi'],
    ]);
  });
});

describe('--disrupt on a kubernetes target', () => {
  const levelsOf = (out: string) =>
    (JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { levels: { id: string; status: string; started_at: string; ended_at: string; disruptions: Record<string, unknown>[] }[] }).levels;

  it('deletes the first Running pod of the deployment at the time in every level, with --wait=false', async () => {
    const kubectl = fakeKubectl(healthyCluster());
    const out = path.join(work, 'disrupt');
    const result = await runScript('sweep.ts', ['--targets', targets, '--target', 'cluster', '--tps-levels', '10,20', '--duration', '3s', '--pause', '0s', '--snapshot-interval', '1s', '--disrupt', 'delete-pod@1s', '--out', out], {
      env: { PATH: kubectl.path, ...kubectl.env },
    });
    expect(result.code, result.stderr).toBe(0);
    // The pod is chosen from the deployment's pods (its selector) each time, then deleted without waiting.
    const disrupting = kubectl.calls().filter((argv) => argv.includes('delete') || (argv.includes('json') && argv.includes('pods')));
    const choose = ['--context', 'kind-test', '-n', 'demo', 'get', 'pods', '-l', 'app=inference', '-o', 'json'];
    const remove = ['--context', 'kind-test', '-n', 'demo', 'delete', 'pod', 'inference-6b8d7c9f4-k2xwq', '--wait=false'];
    expect(disrupting).toEqual([choose, remove, choose, remove]);
    for (const level of levelsOf(out)) {
      expect(level.disruptions).toEqual([
        { kind: 'delete-pod', at_s: 1, time: expect.any(String), target: 'inference-6b8d7c9f4-k2xwq', pid: null, ok: true, detail: 'pod "inference-6b8d7c9f4-k2xwq" deleted from demo namespace' },
      ]);
      // 1 s after k6 started: after the captures before the level (each stamped when its kubectl
      // started), plus the two kubectl calls of the disruption at most.
      const time = Date.parse(level.disruptions[0]?.time as string);
      const lastBefore = Math.max(...captures(path.join(out, level.id)).filter((r) => r.phase === 'before').map((r) => Date.parse(r.captured_at)));
      expect(time - lastBefore).toBeGreaterThanOrEqual(1000);
      expect(time - lastBefore).toBeLessThan(4000);
      expect(time).toBeLessThan(Date.parse(level.ended_at));
      const logged = captures(path.join(out, level.id)).filter((r) => r.kind === 'disruption');
      expect(logged).toEqual([
        {
          captured_at: level.disruptions[0]?.time,
          kind: 'disruption',
          phase: 'during',
          command: ['kubectl', ...remove],
          exit_code: 0,
          stdout: 'pod "inference-6b8d7c9f4-k2xwq" deleted from demo namespace\n',
          stderr: '',
          disruption: level.disruptions[0],
        },
      ]);
    }
    // The analysis read the capture logs, the disruption lines included, without a problem.
    const analysis = JSON.parse(readFileSync(path.join(out, 'report', 'analysis.json'), 'utf8')) as { inputs: { path: string; problems: unknown[] }[] };
    const logs = analysis.inputs.filter((input) => input.path.endsWith('captures.jsonl'));
    expect(logs.map((input) => [input.path, input.problems])).toEqual([
      ['../tps-10/snapshots/captures.jsonl', []],
      ['../tps-20/snapshots/captures.jsonl', []],
    ]);
  });

  it("records kubectl's error when the deletion fails, and the sweep goes on", async () => {
    const kubectl = fakeKubectl([{ match: ['delete', 'pod', 'inference-gone'], stderr: POD_NOT_FOUND('inference-gone'), code: 1 }, ...healthyCluster()]);
    const out = path.join(work, 'disrupt-failed');
    const result = await runScript('sweep.ts', ['--targets', targets, '--target', 'cluster', '--tps-levels', '10,20', ...fast.slice(0, 6), '--disrupt', 'delete-pod:inference-gone@1s', '--out', out], {
      env: { PATH: kubectl.path, ...kubectl.env },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(levelsOf(out).map((l) => [l.id, l.status, l.disruptions.map((d) => [d.target, d.pid, d.ok, d.detail])])).toEqual([
      ['tps-10', 'ok', [['inference-gone', null, false, 'Error from server (NotFound): pods "inference-gone" not found']]],
      ['tps-20', 'ok', [['inference-gone', null, false, 'Error from server (NotFound): pods "inference-gone" not found']]],
    ]);
    // A named pod is deleted as named: no listing first.
    expect(kubectl.calls().filter((argv) => argv.includes('json') && argv.includes('pods'))).toEqual([]);
    expect(result.stderr).toContain('sweep: tps-10: delete-pod at 0:01 FAILED — Error from server (NotFound): pods "inference-gone" not found\n');
    expect(captures(path.join(out, 'tps-10')).find((r) => r.kind === 'disruption')).toMatchObject({ exit_code: 1, stderr: POD_NOT_FOUND('inference-gone') });
  });

  it.each([
    [['--target', 'cluster', '--disrupt', 'kill-replica@1s'], 'sweep: `--disrupt kill-replica@1s` does not fit target `cluster`, a kubernetes target: expected `delete-pod`\n'],
    [['--target', 'cluster', '--disrupt', 'delete-pod@5s'], 'sweep: `--disrupt delete-pod@5s` is at or after the end of level `tps-10`, which runs `5s`: expected a time before `5s`\n'],
    [
      ['--target', 'unlabelled', '--disrupt', 'delete-pod@1s'],
      'sweep: `--disrupt delete-pod@1s`: target `unlabelled` has no `selector` in targets.json to choose a pod by: expected a `selector` of its pods, or the pod named as `delete-pod:NAME@TIME`\n',
    ],
    [
      ['--target', 'cluster', '--disrupt', 'delete-pod:inference;reboot@1s'],
      "sweep: `--disrupt` is `delete-pod:inference;reboot@1s`: `inference;reboot` is not a pod name: expected a Kubernetes name (lowercase letters, digits, '-' and '.', at most 253)\n",
    ],
  ])('refuses %j before calling kubectl', async (flags, message) => {
    const kubectl = fakeKubectl(healthyCluster());
    const out = path.join(work, 'disrupt-refused');
    const result = await runScript('sweep.ts', ['--targets', targets, '--tps-levels', '10', '--duration', '5s', ...flags, '--out', out], { env: { PATH: kubectl.path, ...kubectl.env } });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(message);
    expect(kubectl.calls()).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});
