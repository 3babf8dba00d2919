/**
 * Horizontal scaling (analysis/analyses/horizontal.ts) on matrices of 1–4 replicas at 8, 16, 24 and
 * 32 req/s (test/helpers/matrix-fixture.ts). Every cell runs 10 s at a constant rate, so its steady
 * rate is exactly the rate it was given; a cell given less than 95% of its level breaks the SLO
 * (the default: p95 < 500 ms, errors < 1%, 95% of the rate held). Throughput X(N) is the highest
 * steady rate of a level the load generator did not limit.
 *
 * `h`, pushed past what each count holds (achieved /s per offered level; * = broke the SLO):
 *
 *   replicas   8    16    24    32    max sustainable   X(N)   X(N) / (N · X(1))
 *   1          8    10*   10*   10*   8                 10     1
 *   2          8    16    18*   18*   16                18     0.9
 *   3          8    16    24    24*   24                24     0.8
 *   4          8    16    24    27*   24                27     0.675
 *
 * The USL fit of X(N) = λN / (1 + σ(N − 1) + κN(N − 1)) to (1, 10), (2, 18), (3, 24), (4, 27) is
 * checked against scipy 1.17.1 (numpy 2.4.6, Python 3.11.7), as in test/analysis/stats/usl-fit.test.ts:
 *
 *   import numpy as np
 *   from scipy.optimize import curve_fit
 *   def usl(n, lam, sig, kap): return lam * n / (1 + sig * (n - 1) + kap * n * (n - 1))
 *   def jac(n, lam, sig, kap):
 *       d = 1 + sig * (n - 1) + kap * n * (n - 1)
 *       return np.stack([n / d, -lam * n * (n - 1) / d**2, -lam * n**2 * (n - 1) / d**2], axis=1)
 *   n, x = np.array([1., 2, 3, 4]), np.array([10., 18, 24, 27])      # and [10, 18, 24, 22] for `g`
 *   p, _ = curve_fit(usl, n, x, p0=[x[0], 0.01, 0.0001], bounds=([0, 0, 0], [np.inf] * 3), method='trf',
 *                    jac=jac, ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=100000)
 *   r2 = 1 - np.sum((x - usl(n, *p)) ** 2) / np.sum((x - x.mean()) ** 2)
 *   peak = np.sqrt((1 - p[1]) / p[2]); usl(peak, *p)
 *
 *   h: λ 9.907654300178999, σ 0.02668477485400347, κ 0.03208810200674326, r² 0.9996521391562,
 *      X(1..4) 9.907654300178999, 18.16483400197324, 23.856655233221016, 27.04955621803961,
 *      N* 5.507503016180758, X(N*) 28.46640101786855
 *   g: λ 10.568507061643315, σ 1.58e-29 (0: on its bound), κ 0.07018037534294214, r² 0.9620706764509013,
 *      N* 3.774784444500257, X(N*) 22.992449477956132
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisContext, type AnalysisContext } from '../../../analysis/analyses/context.ts';
import { horizontalAnalysis, horizontalScaling, replicaFamilies, type HorizontalScaling } from '../../../analysis/analyses/horizontal.ts';
import { analyze } from '../../../analysis/analyze.ts';
import { renderMarkdown } from '../../../analysis/report/markdown.ts';
import type { Section } from '../../../analysis/report/section.ts';
import { plain } from '../../../analysis/report/text.ts';
import { loadgenCapture, writeMatrix, type CellSpec } from '../../helpers/matrix-fixture.ts';

const LEVELS = [8, 16, 24, 32] as const;

/**
 * A family's cells: per replica count, the rate achieved at each level (a rate below 95% of the
 * level breaks the SLO; such a level also gets 600 ms latency) and the levels where k6 used 900 m of
 * CPU (limited: the load generator, not the target, set the rate).
 */
function family(achieved: Readonly<Record<number, readonly number[]>>, limited: Readonly<Record<number, readonly number[]>> = {}): CellSpec[] {
  return Object.entries(achieved).flatMap(([replicas, rates]) =>
    LEVELS.map((level, i): CellSpec => {
      const rate = rates[i] as number;
      const k6 = limited[Number(replicas)]?.includes(level) === true ? 900 : 300;
      return {
        level,
        replicas: Number(replicas),
        rate,
        latencyMs: rate < 0.95 * level ? 600 : 10,
        status: rate < 0.95 * level ? 'thresholds-failed' : 'ok',
        captures: (t) => [loadgenCapture(t + 2000, k6, 60), loadgenCapture(t + 7000, k6, 60)],
      };
    }),
  );
}

const root = mkdtempSync(path.join(os.tmpdir(), 'k6c-horizontal-'));
const contexts = new Map<string, AnalysisContext>();
beforeAll(async () => {
  const families: Record<string, CellSpec[]> = {
    h: family({ 1: [8, 10, 10, 10], 2: [8, 16, 18, 18], 3: [8, 16, 24, 24], 4: [8, 16, 24, 27] }),
    // 4 replicas do less than 3: 22 at 24/s (91.7%, not held) and at 32/s.
    g: family({ 1: [8, 10, 10, 10], 2: [8, 16, 18, 18], 3: [8, 16, 24, 24], 4: [8, 16, 22, 22] }),
    // 3 replicas hold 24/s with 23 achieved there (95.8%, held): the level and the rate differ.
    a: family({ 1: [8, 10, 10, 10], 2: [8, 16, 18, 18], 3: [8, 16, 23, 23] }),
    // 4 replicas hold every level: 32 is only a lower bound of what they do.
    c: family({ 1: [8, 10, 10, 10], 2: [8, 16, 18, 18], 3: [8, 16, 24, 24], 4: [8, 16, 24, 32] }),
    // k6 at 900 m at 32/s for every count, and at 24/s for 4 replicas: 1 and 2 replicas broke the SLO
    // before k6 became the limit; 3 and 4 replicas never did (their scans stop at a limited level).
    l: family({ 1: [8, 10, 10, 10], 2: [8, 16, 18, 18], 3: [8, 16, 24, 32], 4: [8, 16, 24, 32] }, { 1: [32], 2: [32], 3: [32], 4: [24, 32] }),
  };
  for (const [id, cells] of Object.entries(families)) {
    writeMatrix(root, { id, cells });
    contexts.set(id, analysisContext(await analyze([path.join(root, id)])));
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const contextOf = (id: string): AnalysisContext => contexts.get(id) as AnalysisContext;
const scaling = (id: string): HorizontalScaling => {
  const [members] = replicaFamilies(contextOf(id).sweeps);
  return horizontalScaling(contextOf(id), members ?? []);
};
const markdown = (section: Section): string => renderMarkdown({ title: 'r', cells: [{ kind: 'section', section }] });
/** |a − b| ÷ |b|. */
const relative = (a: number | null | undefined, b: number): number => Math.abs((a ?? Number.NaN) - b) / Math.abs(b);

describe('replicaFamilies', () => {
  it('makes one family of the matrix, one sweep per replica count, in ascending count', () => {
    expect(replicaFamilies(contextOf('h').sweeps).map((members) => members.map((sweep) => [sweep.id, sweep.label, sweep.replicas]))).toEqual([
      [
        ['h/r1', 'h · 1 replica', 1],
        ['h/r2', 'h · 2 replicas', 2],
        ['h/r3', 'h · 3 replicas', 3],
        ['h/r4', 'h · 4 replicas', 4],
      ],
    ]);
  });
});

describe('horizontalScaling', () => {
  it('measures max sustainable rate, throughput X(N) and efficiency, and fits the USL', () => {
    const result = scaling('h');
    expect(result.points).toEqual([
      // The first level achieving the most wins: 10/s at 16/s (and again at 24 and 32).
      { sweep: 'h/r1', replicas: 1, rps: 8, level: 8, peak_rps: 10, peak_level: 16, censored: false, limited_levels: [], efficiency: 1 },
      { sweep: 'h/r2', replicas: 2, rps: 16, level: 16, peak_rps: 18, peak_level: 24, censored: false, limited_levels: [], efficiency: 0.9 },
      { sweep: 'h/r3', replicas: 3, rps: 24, level: 24, peak_rps: 24, peak_level: 24, censored: false, limited_levels: [], efficiency: 0.8 },
      { sweep: 'h/r4', replicas: 4, rps: 24, level: 24, peak_rps: 27, peak_level: 32, censored: false, limited_levels: [], efficiency: 27 / 4 / 10 },
    ]);
    expect(result.usl_reason).toBeNull();
    // scipy (module comment); usl-fit.ts matches its bounded minimum to about 1e-8.
    expect(relative(result.usl?.lambda, 9.907654300178999)).toBeLessThan(1e-7);
    expect(relative(result.usl?.sigma, 0.02668477485400347)).toBeLessThan(1e-6);
    expect(relative(result.usl?.kappa, 0.03208810200674326)).toBeLessThan(1e-6);
    expect(relative(result.usl?.r2, 0.9996521391562)).toBeLessThan(1e-9);
    expect(relative(result.usl?.peak_replicas, 5.507503016180758)).toBeLessThan(1e-7);
    expect(relative(result.usl?.peak_rps, 28.46640101786855)).toBeLessThan(1e-7);
  });

  it('fits on the contention bound when 4 replicas do less than 3', () => {
    const result = scaling('g');
    expect(result.points.map((p) => [p.replicas, p.rps, p.peak_rps, p.censored])).toEqual([
      [1, 8, 10, false],
      [2, 16, 18, false],
      [3, 24, 24, false],
      // 24/s is not held by 4 replicas (22, 91.7%): the max sustainable rate falls to 16.
      [4, 16, 22, false],
    ]);
    // scipy's σ 1.58e-29 is the bound: usl-fit.ts puts it on 0.
    expect(result.usl?.sigma).toBe(0);
    expect(relative(result.usl?.lambda, 10.568507061643315)).toBeLessThan(1e-7);
    expect(relative(result.usl?.kappa, 0.07018037534294214)).toBeLessThan(1e-7);
    expect(relative(result.usl?.r2, 0.9620706764509013)).toBeLessThan(1e-9);
    expect(relative(result.usl?.peak_replicas, 3.774784444500257)).toBeLessThan(1e-7);
    expect(relative(result.usl?.peak_rps, 22.992449477956132)).toBeLessThan(1e-7);
  });

  it('does not fit when a count held every level: its throughput is only a lower bound', () => {
    const result = scaling('c');
    expect(result.points[3]).toEqual({ sweep: 'c/r4', replicas: 4, rps: 32, level: 32, peak_rps: 32, peak_level: 32, censored: true, limited_levels: [], efficiency: 0.8 });
    expect(result.usl).toBeNull();
    expect(result.usl_reason).toBe('4 replicas held every level tested, so the throughput there is only a lower bound: add higher levels');
  });

  it('keeps the levels the load generator limited out of X(N), and lists them', () => {
    const result = scaling('l');
    expect(result.points.map((p) => [p.replicas, p.rps, p.peak_rps, p.peak_level, p.censored, p.limited_levels])).toEqual([
      [1, 8, 10, 16, false, [32]],
      [2, 16, 18, 24, false, [32]],
      // Held 8–24; 32 was k6's limit, not judged: X(3) is what 24/s gave, a lower bound (never
      // pushed past what it holds), as is X(4).
      [3, 24, 24, 24, true, [32]],
      [4, 16, 16, 16, true, [24, 32]],
    ]);
  });

  // A count whose scan stopped at a level the load generator limited, without breaking the SLO first
  // (3 and 4 replicas of `l`), was not pushed past what it holds: its X(N) is a lower bound, not fitted.
  it('does not fit throughput that k6 cut short', () => {
    expect(scaling('l').usl).toBeNull();
  });
});

describe('horizontalAnalysis', () => {
  it('renders the summary and table exactly', () => {
    const section = horizontalAnalysis.run(contextOf('h')) as Section;
    expect(section.id).toBe('scaling.horizontal');
    expect(section.findings).toEqual([]);
    expect(markdown(section)).toBe(
      [
        '# r',
        '',
        '## Horizontal scaling (replicas)',
        '',
        // 'number' is 4 significant digits: R² 0.99965 → 0.9997, σ 0.026685 → 0.02668, κ 0.032088 → 0.03209, N* 5.5075 → 5.508; X(N*) 28.466 → 28.5.
        'h: 1 replica holds 8 req/s (peak 10 req/s), 2 replicas hold 16 req/s (peak 18 req/s), 3 replicas hold 24 req/s (peak 24 req/s), 4 replicas hold 24 req/s (peak 27 req/s). USL fit (R² 0.9997): contention σ = 0.02668, coherency κ = 0.03209, peak at 5.508 replicas and 28.5 req/s.',
        '',
        // USL /s is the fitted X(N): 9.9077, 18.165, 23.857, 27.050 (scipy's fitted values).
        '| Replicas | Max sustainable /s | Throughput /s | Per replica /s | Efficiency | USL /s |',
        '| -------: | -----------------: | ------------: | -------------: | ---------: | -----: |',
        '|        1 |                  8 |            10 |             10 |          1 |   9.91 |',
        '|        2 |                 16 |            18 |              9 |        0.9 |   18.2 |',
        '|        3 |                 24 |            24 |              8 |        0.8 |   23.9 |',
        '|        4 |                 24 |            27 |           6.75 |      0.675 |   27.0 |',
        '',
        'Chart: [Throughput against replicas, with the USL fit](charts/horizontal-0-usl.svg) (Vega-Lite: charts/horizontal-0-usl.vl.json)',
        '',
        '* Max sustainable = the highest level that holds the SLO (see Capacity). Throughput X(N) = the highest steady rate achieved at any level the load generator did not limit: what the replicas do when pushed ("≥" where they held every level tested, so they may do more). Efficiency = throughput per replica ÷ that of the smallest replica count measured.',
        '* Universal Scalability Law (N. J. Gunther, Guerrilla Capacity Planning, 2007): X(N) = λN / (1 + σ(N − 1) + κN(N − 1)), σ the contention (serialised work), κ the coherency cost (crosstalk); fitted by nonlinear least squares with σ, κ ≥ 0; the peak is at N\\* = √((1 − σ)/κ).',
        '',
      ].join('\n'),
    );
  });

  it('gives analysis.json its scaling.horizontal fields', () => {
    const section = horizontalAnalysis.run(contextOf('h')) as Section;
    const [data] = section.data as [{ points: { replicas: number; rps: number | null; peak_rps: number | null; fitted: boolean }[]; usl: Record<string, number>; usl_reason: string | null }];
    expect(data.points.map((p) => [p.replicas, p.rps, p.peak_rps, p.fitted])).toEqual([
      [1, 8, 10, true],
      [2, 16, 18, true],
      [3, 24, 24, true],
      [4, 24, 27, true],
    ]);
    expect(Object.keys(data.usl)).toEqual(['lambda', 'sigma', 'kappa', 'r2', 'peak_replicas', 'peak_rps']);
    expect(data.usl_reason).toBeNull();
  });

  it('warns when more replicas do less', () => {
    const section = horizontalAnalysis.run(contextOf('g')) as Section;
    expect(section.findings.map((f) => [f.id, f.kind, f.severity, plain(f.title), plain(f.detail)])).toEqual([
      [
        'scaling-regression:g/r4',
        'scaling-regression',
        'warn',
        'g: 4 replicas do less than 3',
        'peak throughput 22 req/s at 4 against 24 req/s at 3: adding replicas made throughput worse (one sweep each: not tested for significance)',
      ],
    ]);
    // σ on its bound is written 0; N* = √(1/0.07018) = 3.7748; X(N*) 22.992 → 23.0.
    expect(plain(section.summary[0] ?? [])).toBe(
      'g: 1 replica holds 8 req/s (peak 10 req/s), 2 replicas hold 16 req/s (peak 18 req/s), 3 replicas hold 24 req/s (peak 24 req/s), 4 replicas hold 16 req/s (peak 22 req/s). USL fit (R² 0.9621): contention σ = 0, coherency κ = 0.07018, peak at 3.775 replicas and 23.0 req/s.',
    );
  });

  it('names the level Capacity names, with what it achieved where that differs', () => {
    const section = horizontalAnalysis.run(contextOf('a')) as Section;
    expect(plain(section.summary[0] ?? []).split('. ')[0]).toBe(
      'a: 1 replica holds 8 req/s (peak 10 req/s), 2 replicas hold 16 req/s (peak 18 req/s), 3 replicas hold 24 req/s (23 req/s achieved; peak 23 req/s)',
    );
    expect(scaling('a').points[2]).toMatchObject({ rps: 23, level: 24 });
  });

  it('says why there is no fit, and marks the lower bounds', () => {
    const section = horizontalAnalysis.run(contextOf('c')) as Section;
    expect(plain(section.summary[0] ?? [])).toBe(
      'c: 1 replica holds 8 req/s (peak 10 req/s), 2 replicas hold 16 req/s (peak 18 req/s), 3 replicas hold 24 req/s (peak 24 req/s), 4 replicas hold at least 32 req/s. No scalability fit: 4 replicas held every level tested, so the throughput there is only a lower bound: add higher levels.',
    );
    // Per replica 32 / 4 = 8 and efficiency 8 / 10 = 0.8 are lower bounds too.
    expect(markdown(section).split('\n').filter((line) => line.startsWith('|        4'))).toEqual(['|        4 |               ≥ 32 |          ≥ 32 |            ≥ 8 |      ≥ 0.8 |      — |']);
    expect(section.data).toMatchObject([{ usl: null, usl_reason: '4 replicas held every level tested, so the throughput there is only a lower bound: add higher levels' }]);
  });

  it('warns when the load generator limited every replica count', () => {
    const section = horizontalAnalysis.run(contextOf('l')) as Section;
    const inconclusive = section.findings.filter((f) => f.kind === 'capacity-inconclusive');
    expect(inconclusive.map((f) => [f.id, f.severity, plain(f.title), plain(f.detail)])).toEqual([
      [
        'capacity-inconclusive:l/r1:horizontal',
        'warn',
        'l: the load generator limited every replica count',
        "k6 was the limit at some level of each replica count, so the throughput here may be k6's, not the target's: more k6 CPU or runners",
      ],
    ]);
    // One count without a limited level is enough to say nothing: `h` has none.
    expect((horizontalAnalysis.run(contextOf('h')) as Section).findings.filter((f) => f.kind === 'capacity-inconclusive')).toEqual([]);
  });

  // X(4) = 16 of `l` is where k6 (900 m) was the limit at 24/s: comparing it with X(3) = 24 would be a
  // regression of the load generator, not of the replicas.
  it('does not call k6\'s limit a scaling regression', () => {
    const section = horizontalAnalysis.run(contextOf('l')) as Section;
    expect(section.findings.filter((f) => f.kind === 'scaling-regression')).toEqual([]);
  });

  it('is absent with one replica count', async () => {
    const single = mkdtempSync(path.join(os.tmpdir(), 'k6c-horizontal-one-'));
    try {
      writeMatrix(single, { id: 'one', cells: [{ level: 8, replicas: 2 }, { level: 16, replicas: 2 }] });
      expect(horizontalAnalysis.run(analysisContext(await analyze([path.join(single, 'one')])))).toBeNull();
    } finally {
      rmSync(single, { recursive: true, force: true });
    }
  });
});
