/**
 * Capacity on a real sweep past the knee: the sample service with a costly /predict (150 units) and
 * one replica cannot keep 600 requests/s on this machine's single core per process, so the sweep
 * must find a maximum sustainable rate below it, a knee, the SLO broken at the top, and say so in
 * every format. The exact capacity depends on the machine; what is asserted is what must hold on any.
 * The host's speed varies 3× between days: one replica held 330 of 350 req/s on a fast moment (a top
 * of 350 was then broken by the rate achieved and the iterations dropped, not by p95), so the levels
 * span 50 to 600 and the top may break any of the SLO's parts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript, type ScriptResult } from '../helpers/run-script.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'k6c-capacity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LEVELS = [50, 150, 300, 600];
let result: ScriptResult;
const out = path.join(work, 'heavy');

interface CapacityJson {
  sweep: string;
  slo: { p95_ms: number; source: string };
  points: { level: number; ok: boolean; violations: string[]; limited: string | null; p95_ms: number | null }[];
  max_sustainable: { level: number; rps: number } | null;
  knee: { level: number; method: string; metric: string } | null;
}

beforeAll(async () => {
  const targets = path.join(work, 'targets.json');
  writeFileSync(targets, JSON.stringify({ targets: { heavy: { kind: 'process', replicas: 1, predictCost: 150 } } }));
  result = await runScript('sweep.ts', ['--targets', targets, '--target', 'heavy', '--tps-levels', LEVELS.join(','), '--duration', '8s', '--pause', '0s', '--snapshot-interval', '2s', '--out', out]);
}, 300_000);

describe('a sweep past the knee of one replica', () => {
  it('finds the maximum sustainable rate below the top level, a knee, and the SLO broken at the top', () => {
    expect(result.code).toBe(0);
    const json = JSON.parse(readFileSync(path.join(out, 'report', 'analysis.json'), 'utf8'));
    expect(json.schemaVersion).toBe(2);
    const [capacity] = json.capacity as CapacityJson[];
    expect(capacity?.sweep).toBe('heavy');
    // The runs say which SLO they had: lib's default p95 < 500 ms.
    expect(capacity?.slo).toMatchObject({ p95_ms: 500, source: 'thresholds' });
    expect(capacity?.points.map((p) => p.level)).toEqual(LEVELS);
    const top = capacity?.points[LEVELS.length - 1];
    expect(top?.ok).toBe(false);
    expect(top?.violations.length).toBeGreaterThan(0);
    for (const violation of top?.violations ?? []) expect(['p95', 'p99', 'error_rate', 'achieved', 'dropped']).toContain(violation);
    expect(top?.limited).toBeNull();
    const max = capacity?.max_sustainable;
    expect(max?.level).toBeGreaterThanOrEqual(50);
    expect(max?.level).toBeLessThan(600);
    // Every level up to the maximum holds; the one after it does not.
    const index = LEVELS.indexOf(max?.level as number);
    expect(capacity?.points.slice(0, index + 1).every((p) => p.ok)).toBe(true);
    expect(capacity?.points[index + 1]?.ok).toBe(false);
    expect(capacity?.knee).toMatchObject({ method: 'kneedle', metric: 'p95_ms' });
    expect(capacity?.knee?.level).toBeLessThan(600);
  });

  it('says it in sentences, in the terminal and in every file', () => {
    const json = JSON.parse(readFileSync(path.join(out, 'report', 'analysis.json'), 'utf8'));
    const max = (json.capacity as CapacityJson[])[0]?.max_sustainable?.level;
    const verdict = new RegExp(`heavy holds ${max} req/s under p95 < 500 ms, errors < 1%; at ${LEVELS[LEVELS.indexOf(max as number) + 1]} req/s (p95 is|it achieved only|k6 dropped) `);
    expect(result.stdout).toMatch(verdict);
    expect(result.stdout).toContain(`report: ${path.join(path.relative(process.cwd(), out), 'report', 'report.html')}`);
    const md = readFileSync(path.join(out, 'report', 'report.md'), 'utf8');
    expect(md).toMatch(verdict);
    expect(md).toMatch(/\* \*\*info\*\* heavy: knee at \d+ req\/s: latency turns upward at \d+ req\/s/);
    const html = readFileSync(path.join(out, 'report', 'report.html'), 'utf8');
    // In HTML text, `<` is written as the character reference `&#x3C;`.
    expect(html).toMatch(new RegExp(verdict.source.replaceAll(' < ', ' &#x3C; ')));
    expect(html).toContain('<figure class="chart" id="chart-heavy-latency-vs-rate">');
    const junit = readFileSync(path.join(out, 'report', 'junit.xml'), 'utf8');
    // The top breaks the SLO in one part at least, each a failed test case with its measured value.
    expect(junit).toMatch(/<testcase classname="k6-capacity\.slo" name="tps-600: [^"]+"><failure type="slo" message="(p95 is|errors are|achieved|\d+ dropped)/);
    expect(junit).toContain('<testcase classname="k6-capacity.slo" name="tps-50: p95 &#x3C; 500 ms"><system-out>p95 is ');
  });
});
