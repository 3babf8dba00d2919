/**
 * Resilience from what a cluster run leaves behind, without the sweep's own record: pods replaced or
 * restarted between `kubectl get pods` captures, a pod kill in events, and moments recorded with
 * `npm run mark`. The k6 output has exactly known seconds, so every number is exact; the real kill of
 * a replica is tested in test/serial/resilience.test.ts.
 *
 * The run: 100 s at 20 req/s of 10 ms. At 30 s the pod web-a goes: seconds 30–32 fail, 33–34 are slow
 * (200 ms), then it is back. `get pods` is captured every 5 s (formats.md §5's `-o wide` layout).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../analysis/cli.ts';
import { mark } from '../../../scripts/mark.ts';
import { DECLARATIONS, requestLines } from '../../helpers/k6-lines.ts';

const T0 = Date.UTC(2026, 10, 30, 12, 0, 0);
const root = mkdtempSync(path.join(os.tmpdir(), 'k6c-resilience-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Pod {
  name: string;
  ready: string;
  status: string;
  restarts: number;
}

/** `kubectl get pods -o wide` as kubectl prints it (columns padded as in formats.md §5). */
function podsWide(pods: readonly Pod[]): string {
  const row = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd([12, 8, 20, 11, 7, 15, 14, 17][i] ?? 10))).join('');
  return [
    row(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']),
    ...pods.map((p, i) => row([p.name, p.ready, p.status, String(p.restarts), '119m', p.status === 'ContainerCreating' ? '<none>' : `10.244.1.${17 + i}`, 'kind-worker', '<none>', '<none>'])),
  ].join('\n') + '\n';
}

const capture = (atS: number, kind: string, command: string[], stdout: string): string =>
  JSON.stringify({ captured_at: new Date(T0 + atS * 1000).toISOString(), kind, phase: 'during', command, exit_code: 0, stdout, stderr: '' });

/** The pods at a time: web-a goes at 30 s (Terminating at 35, gone from 40), web-c replaces it (ready at 40), web-b restarts between 85 and 90. */
function podsAt(s: number): Pod[] {
  const pods: Pod[] = [];
  if (s < 35) pods.push({ name: 'web-a', ready: '1/1', status: 'Running', restarts: 0 });
  else if (s < 40) pods.push({ name: 'web-a', ready: '1/1', status: 'Terminating', restarts: 0 });
  pods.push({ name: 'web-b', ready: '1/1', status: 'Running', restarts: s < 90 ? 0 : 1 });
  if (s === 35) pods.push({ name: 'web-c', ready: '0/1', status: 'ContainerCreating', restarts: 0 });
  else if (s >= 40) pods.push({ name: 'web-c', ready: '1/1', status: 'Running', restarts: 0 });
  return pods;
}

function writeRun(dir: string, options: { events?: boolean; markers?: string[] } = {}): void {
  mkdirSync(path.join(dir, 'snapshots'), { recursive: true });
  const lines = [...DECLARATIONS];
  for (let i = 0; i < 2000; i++) {
    const second = Math.floor(i / 20);
    lines.push(...requestLines({ timeMs: T0 + i * 50, durationMs: second >= 33 && second <= 34 ? 200 : second >= 30 && second <= 32 ? 5 : 10, failed: second >= 30 && second <= 32, tags: { run_id: 'cluster-run', scenario: 'constant' } }));
  }
  writeFileSync(path.join(dir, 'k6.json'), `${lines.join('\n')}\n`);
  const captures: string[] = [];
  for (let s = 0; s <= 95; s += 5) captures.push(capture(s, 'pods-wide', ['kubectl', '-n', 'demo', 'get', 'pods', '-o', 'wide', '-l', 'app=web'], podsWide(podsAt(s))));
  if (options.events === true) {
    // formats.md §4.2's layout; LAST SEEN 25s at 56 s is 31 s, inside [30 − 10, 35 + 10].
    captures.push(capture(56, 'events', ['kubectl', '-n', 'demo', 'get', 'events', '--sort-by=.lastTimestamp'], '25s     Normal    Killing             pod/web-a                                Stopping container web\n'));
  }
  writeFileSync(path.join(dir, 'snapshots', 'captures.jsonl'), `${captures.join('\n')}\n`);
  if (options.markers !== undefined) writeFileSync(path.join(dir, 'snapshots', 'markers.jsonl'), `${options.markers.join('\n')}\n`);
}

async function analyze(dir: string) {
  let stderr = '';
  const out = path.join(dir, 'report');
  const result = await runCli([dir, '--out', out], { stdout: () => {}, stderr: (s) => (stderr += s), cwd: root });
  expect(stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return { json: JSON.parse(readFileSync(path.join(out, 'analysis.json'), 'utf8')), md: readFileSync(path.join(out, 'report.md'), 'utf8') };
}

const marker = (atS: number, body: unknown): string => JSON.stringify({ captured_at: new Date(T0 + atS * 1000).toISOString(), kind: 'marker', command: ['npm', 'run', 'mark'], marker: body });

describe('resilience from the captures alone', () => {
  it('finds the replaced pod and the restarted one in get pods, and measures each', async () => {
    const dir = path.join(root, 'pods');
    writeRun(dir);
    const { json, md } = await analyze(dir);
    const entries = json.resilience as Record<string, unknown>[];
    expect(entries.map((r) => [r.disruption, r.at_s])).toEqual([
      [{ t: new Date(T0 + 30_000).toISOString(), kind: 'pod-replaced', pod: 'web-a', source: 'pods', detail: 'web-a Terminating, a replacement made, between the `get pods` captures 5 s apart (placed at the earlier: the recovery may be up to 5 s shorter)' }, 30],
      [{ t: new Date(T0 + 85_000).toISOString(), kind: 'container-restart', pod: 'web-b', source: 'pods', detail: 'web-b restarts 0 → 1, between the `get pods` captures 5 s apart (placed at the earlier: the recovery may be up to 5 s shorter)' }, 85],
    ]);
    const [replaced, restarted] = entries as [Record<string, unknown>, Record<string, unknown>];
    // Baseline: seconds 0–28 (the second before the disruption is left out), all 10 ms, no errors.
    expect(replaced.baseline_s).toBe(29);
    expect(replaced).toMatchObject({ baseline_p95_ms: 10, bound_p95_ms: 10, baseline_error_rate: 0 });
    // Seconds 30, 31, 32 fail (60 requests); 33, 34 are slow; from 35 the 5 s are at 10 ms.
    expect(replaced).toMatchObject({ error_window_s: 3, failed_requests: 60, worst_p95_ms: 200, recovery_s: 5, recovered: true });
    expect(replaced.replacement).toEqual({ seen: true, name: 'web-c', after_s: 10, how: 'web-c Running and ready in the capture 10 s after' });
    expect(restarted).toMatchObject({ error_window_s: 0, failed_requests: 0, recovery_s: 0, recovered: true, reason: 'no measurable disruption: every second from it was within the baseline' });
    expect(restarted.replacement).toEqual({ seen: true, name: 'web-b', after_s: 5, how: 'web-b restarted (restart count 1), Running and ready in the capture 5 s after' });
    expect(md).toContain('pods: pod-replaced of web-a (seen in get pods) at 30 s: errors for 3 s (60 failed requests), p95 up to 200 ms against 10.0 ms before; recovered 5 s after it; the replacement was seen 10 s after.');
  });

  it('takes a pod kill in events over the same change in get pods', async () => {
    const dir = path.join(root, 'events');
    writeRun(dir, { events: true });
    const { json } = await analyze(dir);
    const entries = json.resilience as { disruption: { kind: string; pod: string; source: string; t: string }; recovery_s: number }[];
    expect(entries.map((r) => [r.disruption.kind, r.disruption.pod, r.disruption.source, r.disruption.t])).toEqual([
      ['pod-killed', 'web-a', 'events', new Date(T0 + 31_000).toISOString()],
      ['container-restart', 'web-b', 'pods', new Date(T0 + 85_000).toISOString()],
    ]);
    // From 31 s: 31, 32 fail, 33, 34 slow; the same recovery at 35, 4 s after.
    expect(entries[0]?.recovery_s).toBe(4);
  });

  it('reads moments recorded with npm run mark, within the run only', async () => {
    const dir = path.join(root, 'marks');
    writeRun(dir, {
      markers: [
        marker(70, { kind: 'failover', pod: null, note: 'switched the primary' }),
        // After the run ended (100 s): another run's moment.
        marker(300, { kind: 'failover', pod: null, note: 'later' }),
      ],
    });
    const { json, md } = await analyze(dir);
    const marks = (json.resilience as { disruption: { kind: string; source: string; detail: string }; at_s: number; recovery_s: number }[]).filter((r) => r.disruption.source === 'mark');
    expect(marks.map((r) => [r.disruption.kind, r.disruption.detail, r.at_s, r.recovery_s])).toEqual([['failover', 'recorded with npm run mark: switched the primary', 70, 0]]);
    expect(md).toContain('marks: failover (marked with npm run mark) at 70 s: no error window, p95 up to 10.0 ms against 10.0 ms before; no measurable disruption.');
  });

  it('places a moment marked on the sweep folder in the run going on then', async () => {
    const sweep = path.join(root, 'sweep');
    writeRun(path.join(sweep, 'level-1'));
    // As a user does in another terminal while the sweep runs: on the sweep's folder, not the level's.
    const { file } = mark([sweep, 'failover', '--note', 'switched the primary', '--at', new Date(T0 + 70_000).toISOString()]);
    expect(file).toBe(path.join(sweep, 'snapshots', 'markers.jsonl'));
    const { json } = await analyze(sweep);
    const marks = (json.resilience as { run: string; disruption: { kind: string; source: string }; at_s: number }[]).filter((r) => r.disruption.source === 'mark');
    expect(marks.map((r) => [r.run, r.disruption.kind, r.at_s])).toEqual([['cluster-run', 'failover', 70]]);
  });

  it('says which marker line is broken, and reads the rest', async () => {
    const dir = path.join(root, 'broken-marks');
    writeRun(dir, { markers: [marker(70, { note: 'no kind' }), marker(60, { kind: 'drain' })] });
    const { json } = await analyze(dir);
    expect((json.resilience as { disruption: { kind: string } }[]).map((r) => r.disruption.kind)).toEqual(['pod-replaced', 'drain', 'container-restart']);
    // A marker that names no pod stands for any change of the pods within 10 s of it.
    writeRun(dir, { markers: [marker(80, { kind: 'drain' })] });
    const near = await analyze(dir);
    expect((near.json.resilience as { disruption: { kind: string; source: string } }[]).map((r) => [r.disruption.kind, r.disruption.source])).toEqual([['pod-replaced', 'pods'], ['drain', 'mark']]);
    const problems = JSON.stringify(json.inputs);
    expect(problems).toContain(`snapshot log: a \`marker\` record needs \`marker.kind\` (a word such as \`failover\`): skipped at ../snapshots/markers.jsonl:1`);
    expect(json.inputs.find((i: { path: string }) => i.path === '../snapshots/markers.jsonl')).toMatchObject({ lines: 2, skipped: 1 });
  });
});
