/**
 * Stress analysis on a real stress run of the sample service: one replica with a costly /predict,
 * steps of 50 to 450 req/s (past its knee, about 250 req/s here), then back to 50 req/s for 40 s. The
 * report must name the breaking step, the throughput that stopped rising, the most it carried, and
 * a measured recovery. Serial: where it breaks depends on the machine having its cores.
 *
 * `MAX_VUS` 100 bounds what is still in flight when the load drops. With the default (10 × 450/s ×
 * 100 ms = 450 VUs), on this host slowed by six CPU-bound loops, requests queued in the service for
 * up to 45 s and finished inside the recovery phase: measured "recovered 16 s after the drop" (true
 * for those requests), and on CI, on a slow host, not within the 41 s. With 100 VUs the same slowed
 * host showed at most 1.7 s and recovered in 4 s (1 to 2 s under lighter hogs, 1 s unhogged); the
 * steps past the knee still break, with every VU busy (dropped iterations).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../analysis/cli.ts';
import { runScript } from '../helpers/run-script.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-stress-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const targets = path.join(work, 'targets.json');

interface StepJson {
  level: number;
  rps: number | null;
  p95_ms: number | null;
  ok: boolean;
  violations: string[];
}

beforeAll(async () => {
  writeFileSync(targets, JSON.stringify({ targets: { heavy: { kind: 'process', replicas: 1, predictCost: 150 } } }));
  const vars = { START_RATE: '50', STEP: '100', MAX_RATE: '450', STEP_DURATION: '8s', RAMP_DURATION: '2s', RECOVERY_DURATION: '40s', MAX_VUS: '100' };
  const result = await runScript('sweep.ts', [
    '--targets', targets, '--target', 'heavy', '--scenario', 'stress', '--tps-levels', '450', '--pause', '0s', '--snapshot-interval', '2s',
    ...Object.entries(vars).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    '--out', path.join(work, 'stress'),
  ]);
  expect(result.code).toBe(0);
}, 300_000);

describe('stress analysis on a real stress run', () => {
  it('names the breaking step, the plateau, the most carried and the recovery', async () => {
    const result = await runCli(['stress', '--out', 'report'], { stdout: () => {}, stderr: () => {}, cwd: work });
    expect(result.exitCode).toBe(0);
    const json = JSON.parse(readFileSync(path.join(work, 'report', 'analysis.json'), 'utf8'));
    const [entry] = json.stress as { breaking_level: number | null; throughput_plateau_level: number | null; max_rps: number | null; recovery_s: number | null; recovery: { drop_s: number; bound_p95_ms: number; reason: string }; steps: StepJson[] }[];
    expect(entry).toBeDefined();
    expect(entry?.steps.map((s) => s.level)).toEqual([50, 150, 250, 350, 450]);
    // The first steps hold; the replica's knee is near 250 req/s, so it breaks at 250 or above, and
    // its throughput stops rising there too.
    expect(entry?.steps[0]?.ok).toBe(true);
    expect(entry?.steps[1]?.ok).toBe(true);
    expect([250, 350, 450]).toContain(entry?.breaking_level);
    expect([250, 350, 450]).toContain(entry?.throughput_plateau_level);
    const broken = entry?.steps.find((s) => s.level === entry.breaking_level) as StepJson;
    expect(broken.violations.length).toBeGreaterThan(0);
    // The most it carried is what a step achieved, and below the offered peak.
    expect(entry?.max_rps).toBe(Math.max(...(entry?.steps ?? []).map((s) => s.rps ?? 0)));
    expect(entry?.max_rps).toBeLessThan(420);
    // 5 steps of 8 s with 2 s ramps end at 48 s; back at 50 req/s it drains its backlog. Recovered by
    // the rule of model/recovery.ts (a good second, then 5 s pooled within the first step's bounds):
    // measured here in 1 to 3 s. The pooling is what lets a noisy host (a second over the bound every
    // few seconds, from CPU steal) still see it; the 40 s phase leaves room.
    expect(entry?.recovery.drop_s).toBe(48);
    expect(entry?.recovery.bound_p95_ms).toBeGreaterThan(0);
    const md = readFileSync(path.join(work, 'report', 'report.md'), 'utf8');
    expect(md).toContain('## Stress');
    const findings = json.findings as { kind: string }[];
    const why = JSON.stringify({ recovery: entry?.recovery, steps: entry?.steps.map((s) => [s.level, s.rps, s.p95_ms, s.violations]) });
    expect(entry?.recovery.reason, why).toMatch(/^p95 at or below [\d.]+ ms and errors at or below [\d.]+% over the 5 s from \d+ s after the drop$/);
    expect(entry?.recovery_s).toBeGreaterThanOrEqual(0);
    expect(entry?.recovery_s).toBeLessThanOrEqual(30);
    expect(md).toMatch(/tps-450: breaks at \d+ req\/s \(.+\); most carried \d+(\.\d)? req\/s \(at the \d+ req\/s step\); .+; throughput stops rising at \d+ req\/s; recovered \d+ s after the load dropped back to 50 req\/s\./);
    expect(findings.some((f) => f.kind === 'not-recovered')).toBe(false);
    expect(findings.some((f) => f.kind === 'breaking-point')).toBe(true);
  });
});
