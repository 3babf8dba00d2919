/**
 * The HPA report from a real ramp against the autoscaling sample target: one replica of half a core
 * cannot do 160 requests/s of a costly /predict (about 120 here), so its CPU utilisation goes over the
 * 50% target and the target's HPA (the Kubernetes algorithm, scripts/lib/hpa-algorithm.ts) must scale
 * it up; after the load falls to 10/s and the 15 s scale-down stabilisation window has passed, it must
 * scale down again. The sweep captures the HPA as `kubectl get hpa -o json` objects and
 * SuccessfulRescale events, and the report reads them as it reads a cluster's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroups } from '../../scripts/lib/cgroups.ts';
import { runScript, type ScriptResult } from '../helpers/run-script.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-autoscale-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const out = path.join(work, 'ramp');
let result: ScriptResult;
const STAGES = '5s:20,20s:160,20s:160,5s:10,20s:10';

interface HpaJson {
  name: string;
  namespace: string | null;
  min: number;
  max: number;
  timeline: { t: string; current: number | null; desired: number | null; metrics: { name: string; current: number | null; target: number | null }[] }[];
  rescales: { t: number; new_size: number; direction: string }[];
  first_rescale_up_s: number | null;
  first_scale_up_s: number | null;
  scale_down_s: number | null;
  flaps: number | null;
  measures: Record<string, unknown>;
}

beforeAll(async () => {
  const targets = path.join(work, 'targets.json');
  writeFileSync(
    targets,
    JSON.stringify({
      targets: {
        scaled: {
          kind: 'process',
          predictCost: 150,
          resources: { cores: '500m' },
          autoscale: { minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 50, syncPeriodSeconds: 3, scaleDownStabilizationSeconds: 15 },
        },
      },
    }),
  );
  result = await runScript('sweep.ts', ['--targets', targets, '--target', 'scaled', '--scenario', 'ramp', '--tps-levels', '1', '--duration', '70s', '--env', `STAGES=${STAGES}`, '--snapshot-interval', '5s', '--out', out]);
}, 300_000);

describe('a ramp against the autoscaling sample target', () => {
  it('scales up under the ramp and down after it, and says so as it runs', () => {
    expect(result.code, result.stderr).toBe(0);
    // The sweep's progress lines go to stderr.
    expect(result.stderr).toContain('sweep: HPA scaled: 1 to 4 replicas at 50% CPU of 0.5 cores, every 3 s');
    expect(result.stderr).toMatch(/sweep: HPA scaled: New size: [234]; reason: cpu resource utilization \(percentage of request\) above target/);
    expect(result.stderr).toMatch(/sweep: HPA scaled: New size: [123]; reason: All metrics below target/);
    if (!detectCgroups().usable) expect(result.stderr).toContain('WARNING limits not enforced');
  });

  it('captures the HPA as autoscaling/v2 objects and events, beside the processes', () => {
    const records = readFileSync(path.join(out, 'tps-1', 'snapshots', 'captures.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; command: string[]; stdout: string });
    const objects = records.filter((r) => r.kind === 'hpa-json').map((r) => JSON.parse(r.stdout));
    // One per sync (every 3 s over about 70 s) and one before and after.
    expect(objects.length).toBeGreaterThan(15);
    expect(objects[0]).toMatchObject({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'scaled', namespace: 'local' }, spec: { minReplicas: 1, maxReplicas: 4 } });
    const events = records.filter((r) => r.kind === 'events');
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events[0]?.command).toEqual(['hpa-controller', 'get', 'events']);
    expect(events[0]?.stdout).toMatch(/^LAST SEEN +TYPE +REASON +OBJECT +MESSAGE\n0s +Normal +SuccessfulRescale +horizontalpodautoscaler\/scaled +New size: \d; reason: /);
  });

  it('writes an HPA report with the scale-up after the load rose and the scale-down after it fell', () => {
    const json = JSON.parse(readFileSync(path.join(out, 'report', 'analysis.json'), 'utf8'));
    const [hpa] = json.hpa as HpaJson[];
    expect(hpa).toMatchObject({ name: 'scaled', namespace: 'local', min: 1, max: 4 });
    const counts = hpa?.timeline.map((p) => p.current).filter((c) => c !== null) as number[];
    expect(counts[0]).toBe(1);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(2);
    expect(counts[counts.length - 1]).toBeLessThan(Math.max(...counts));
    expect(hpa?.rescales.map((r) => r.direction)).toContain('up');
    expect(hpa?.rescales.map((r) => r.direction)).toContain('down');
    // The load rises from the first seconds; one replica is saturated well before the plateau (25 s).
    // A failure shows the measure (its range, or why it is missing) and the rescales it was taken from.
    const why = JSON.stringify({ measure: hpa?.measures.first_rescale_up, rescales: hpa?.rescales });
    expect(hpa?.first_rescale_up_s, why).toBeGreaterThan(0);
    expect(hpa?.first_rescale_up_s, why).toBeLessThan(30);
    expect(hpa?.scale_down_s).not.toBeNull();
    // The utilisation the HPA saw, against its 50% target.
    expect(hpa?.timeline.some((p) => p.metrics.some((m) => m.name === 'cpu' && m.target === 50 && (m.current ?? 0) > 50))).toBe(true);
    // A ramp has no single level: no capacity verdict is made from it.
    expect(json.capacity ?? []).toEqual([]);
    const md = readFileSync(path.join(out, 'report', 'report.md'), 'utf8');
    expect(md).toContain('## Autoscaling (HPA)');
    expect(md).toMatch(/local\/scaled: 1 to [234] replicas \(min 1, max 4\); first scale-up \d+(\.\d+)? s after the load rose \(its SuccessfulRescale event\)/);
    expect(md).toContain("scaled is a process target with k6-capacity's own HPA, not a cluster's");
    expect(md).toContain('Chart: [Replicas and load over time — scaled](charts/hpa-0-replicas.svg)');
    const html = readFileSync(path.join(out, 'report', 'report.html'), 'utf8');
    expect(html).toContain('<figure class="chart" id="chart-hpa-0-replicas">');
  });
});
