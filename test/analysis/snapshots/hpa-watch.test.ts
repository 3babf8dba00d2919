import { describe, expect, it } from 'vitest';
import { isHpaWatch, parseHpaWatch, type HpaWatchSample } from '../../../analysis/snapshots/hpa-watch.ts';
import type { HpaMetric } from '../../../analysis/snapshots/types.ts';

// Watch logs are built from the real rows of formats.md 2.1 (vyking-devops-task log: `backend-dev
// backend-backend Deployment/backend-backend cpu: 1%/70%, memory: 33%/70% 1 5 2 2m8s` and its
// frontend row), with TARGETS, REPLICAS and AGE changed the way a watch prints one row per change.
// They are padded as kubectl pads them: its tabwriter (cli-runtime `GetNewTabWriter`: minwidth 6,
// padding 3, `RememberWidths`) is flushed after the listing and after every event, so a column is
// as wide as its widest cell so far and a wider cell shifts the columns right of it for the rows
// that follow, while the header keeps its first offsets.
const A = Date.UTC(2026, 10, 24, 1, 7, 14);
const s = (seconds: number): number => A + seconds * 1000;

function kubectlRows(blocks: readonly (readonly (readonly string[])[])[]): string[] {
  const widths: number[] = [];
  const out: string[] = [];
  for (const block of blocks) {
    for (const cells of block) cells.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, 6, cell.length + 3)));
    for (const cells of block) out.push(cells.map((cell, i) => (i < cells.length - 1 ? cell.padEnd(widths[i] ?? 0) : cell)).join(''));
  }
  return out;
}
const text = (...lines: string[]): string => `${lines.join('\n')}\n`;
const HEADER = ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'];
const backend = (targets: string, replicas: string, age: string): string[] => ['backend-backend', 'Deployment/backend-backend', targets, '1', '5', replicas, age];
const frontend = (targets: string, replicas: string, age: string): string[] => ['frontend-frontend', 'Deployment/frontend-frontend', targets, '1', '3', replicas, age];
const pct = (name: string, current: number, target: number): HpaMetric => ({ name, current: `${current}%`, target: `${target}%`, currentValue: current, targetValue: target, unit: 'percent' });
/** A watch row as parsed: the HPA, its line, AGE, and time relative to A in seconds (± seconds). */
const row = (
  line: number,
  hpa: 'backend' | 'frontend',
  [cpu, memory]: [number, number],
  replicas: number,
  age: string,
  [at, plusMinus]: [number, number] | [null, null],
  extra: Partial<HpaWatchSample> = {},
): HpaWatchSample => ({
  namespace: null,
  name: `${hpa}-${hpa}`,
  reference: `Deployment/${hpa}-${hpa}`,
  minReplicas: 1,
  maxReplicas: hpa === 'backend' ? 5 : 3,
  currentReplicas: replicas,
  desiredReplicas: null,
  metrics: [pct('cpu', cpu, 70), pct('memory', memory, hpa === 'backend' ? 70 : 80)],
  conditions: [],
  lastScaleTimeMs: null,
  line,
  event: null,
  age,
  timeMs: at === null ? null : s(at),
  timeUncertaintyMs: plusMinus === null ? null : plusMinus * 1000,
  ...extra,
});

describe('parseHpaWatch', () => {
  it('places interleaved rows by AGE, across the 2-minute change of format (`119s` → `2m5s`)', () => {
    // `kubectl get hpa -w | tee hpa.log` with its prompt, two young HPAs, backend scaling 2 → 3. Times,
    // with the last row (backend `2m35s`) at A: C_backend ∈ [A−156, A−155] s, so backend `95s` is
    // C + [95, 96] = [A−61, A−59] → −60 ± 1; the listing's frontend `91s` row was printed with it
    // (−60 ± 1), which puts C_frontend in [A−153, A−150]; frontend `106s` is C_f + [106, 107] =
    // [A−47, A−43], and after the backend `110s` row ([A−46, A−44]): [A−46, A−43] → −44.5 ± 1.5;
    // frontend `2m16s` is [A−17, A−13] and after backend `2m20s` ([A−16, A−14]): −14.5 ± 1.5.
    // `2m5s` (125 s) is still to the second: the format changes at 2 minutes, the step at 10.
    const input = text(
      '$ kubectl get hpa -w',
      ...kubectlRows([
        [HEADER, backend('cpu: 1%/70%, memory: 33%/70%', '2', '95s'), frontend('cpu: 1%/70%, memory: 7%/80%', '1', '91s')],
        [backend('cpu: 85%/70%, memory: 35%/70%', '2', '110s')],
        [frontend('cpu: 2%/70%, memory: 7%/80%', '1', '106s')],
        [backend('cpu: 92%/70%, memory: 41%/70%', '3', '2m5s')],
        [backend('cpu: 64%/70%, memory: 38%/70%', '3', '2m20s')],
        [frontend('cpu: 2%/70%, memory: 7%/80%', '1', '2m16s')],
        [backend('cpu: 60%/70%, memory: 38%/70%', '3', '2m35s')],
      ]),
    );
    expect(isHpaWatch(input)).toBe(true);
    expect(parseHpaWatch(Object.freeze(input), { capturedAtMs: A })).toEqual({
      records: [
        row(3, 'backend', [1, 33], 2, '95s', [-60, 1]),
        row(4, 'frontend', [1, 7], 1, '91s', [-60, 1]),
        row(5, 'backend', [85, 35], 2, '110s', [-45, 1]),
        row(6, 'frontend', [2, 7], 1, '106s', [-44.5, 1.5]),
        row(7, 'backend', [92, 41], 3, '2m5s', [-30, 1]),
        row(8, 'backend', [64, 38], 3, '2m20s', [-15, 1]),
        row(9, 'frontend', [2, 7], 1, '2m16s', [-14.5, 1.5]),
        row(10, 'backend', [60, 38], 3, '2m35s', [0, 0]),
      ],
      problems: [
        {
          line: null,
          severity: 'warning',
          message:
            'hpa watch: row times are estimated from the AGE column (±1.5 s at most), with the last row (line 10) as printed at the capture time `2026-11-24T01:07:14.000Z`: a watch log has no clock of its own',
        },
      ],
      timeSource:
        "estimated from AGE: the last row (line 10) as printed at the capture time `2026-11-24T01:07:14.000Z`; each HPA's creation is placed by its AGE values, the row order and the initial listing (printed at one instant); ± is half the range that leaves",
      anchors: [{ line: 10, row: 'last', fromMs: A, toMs: A }],
    });
  });

  it('reads -A with --output-watch-events after a nohup notice; past 10 minutes the AGE steps by minutes', () => {
    // `nohup kubectl get hpa -A -w --output-watch-events > hpa.log 2>&1 &`: the notice first, then
    // EVENT before NAMESPACE (cli-runtime adds the Event column at the beginning after decorating
    // with the namespace). The last row, `11m`, is 660 to 720 s: C ∈ [A−720, A−660]. So `9m40s` is
    // C + [580, 581] = [A−140, A−79] → −109.5 ± 30.5 (the frontend listing row with it), `9m55s` is
    // [A−125, A−64] → −94.5 ± 30.5, and `10m` (600 to 660 s) is [A−120, A] → −60 ± 60.
    const head = ['EVENT', 'NAMESPACE', ...HEADER];
    const b = (event: string, targets: string, age: string): string[] => [event, 'backend-dev', ...backend(targets, '2', age)];
    const input = text(
      'nohup: ignoring input',
      ...kubectlRows([
        [head, b('ADDED', 'cpu: 1%/70%, memory: 33%/70%', '9m40s'), ['ADDED', 'frontend-dev', ...frontend('cpu: 1%/70%, memory: 7%/80%', '1', '9m36s')]],
        [b('MODIFIED', 'cpu: 3%/70%, memory: 33%/70%', '9m55s')],
        [b('MODIFIED', 'cpu: 5%/70%, memory: 34%/70%', '10m')],
        [b('MODIFIED', 'cpu: 4%/70%, memory: 34%/70%', '10m')],
        [b('MODIFIED', 'cpu: 2%/70%, memory: 33%/70%', '11m')],
      ]),
    );
    const at = (line: number, cpu: number, memory: number, age: string, time: [number, number], event = 'MODIFIED'): HpaWatchSample =>
      row(line, 'backend', [cpu, memory], 2, age, time, { namespace: 'backend-dev', event });
    expect(isHpaWatch(input)).toBe(true);
    const result = parseHpaWatch(input, { capturedAtMs: A });
    expect(result.records).toEqual([
      at(3, 1, 33, '9m40s', [-109.5, 30.5], 'ADDED'),
      row(4, 'frontend', [1, 7], 1, '9m36s', [-109.5, 30.5], { namespace: 'frontend-dev', event: 'ADDED' }),
      at(5, 3, 33, '9m55s', [-94.5, 30.5]),
      at(6, 5, 34, '10m', [-60, 60]),
      at(7, 4, 34, '10m', [-60, 60]),
      at(8, 2, 33, '11m', [0, 0]),
    ]);
    expect(result.problems.map((p) => p.message)).toEqual([
      'hpa watch: row times are estimated from the AGE column (±60 s at most), with the last row (line 8) as printed at the capture time `2026-11-24T01:07:14.000Z`: a watch log has no clock of its own',
    ]);
  });

  it('narrows the estimate with a start time: the first row ties the creation from the other side', () => {
    // An HPA 45 to 58 minutes old, logged for 13.5 minutes, `hpa-<start>.log` with an mtime. Without
    // the start, C ∈ [E−3540, E−3480] (last row `58m`) and the `50m` row is C + [3000, 3060] =
    // [E−540, E−420] → −480 ± 60. With the start S = E − 810 s, the first row (`45m`) was printed in
    // [S, S + 2 s], so C ∈ [S − 2760, S + 2 − 2700] = [E−3570, E−3508]; with the last row's bound,
    // [E−3540, E−3508]; the `50m` row is then [E−540, E−448] → −494 ± 46.
    const input = text(
      ...kubectlRows([
        [HEADER, backend('cpu: 40%/70%, memory: 33%/70%', '2', '45m')],
        [backend('cpu: 88%/70%, memory: 35%/70%', '3', '50m')],
        [backend('cpu: 61%/70%, memory: 36%/70%', '3', '58m')],
      ]),
    );
    const times = (options: Parameters<typeof parseHpaWatch>[1]): [number | null, number | null][] =>
      parseHpaWatch(input, options).records.map((r) => [r.timeMs === null ? null : (r.timeMs - A) / 1000, r.timeUncertaintyMs === null ? null : r.timeUncertaintyMs / 1000]);
    expect(times({ capturedAtMs: A })).toEqual([
      [-780, 60],
      [-480, 60],
      [0, 0],
    ]);
    expect(times({ capturedAtMs: A, startedAtMs: s(-810) })).toEqual([
      [-809, 1],
      [-494, 46],
      [0, 0],
    ]);
    // `anchor: 'first-row'`: the file's time is the start (the first row 0 to 2 s after it).
    expect(times({ capturedAtMs: s(-810), anchor: 'first-row' })).toEqual([
      [-809, 1],
      [-509, 61],
      [-29, 61],
    ]);
  });

  it('drops a start time the AGE values contradict (a file renamed after the capture)', () => {
    // The first row, `45m`, cannot be printed at A when the last, `58m`, is printed at A too.
    const input = text(
      ...kubectlRows([
        [HEADER, backend('cpu: 40%/70%, memory: 33%/70%', '2', '45m')],
        [backend('cpu: 61%/70%, memory: 36%/70%', '3', '58m')],
      ]),
    );
    const result = parseHpaWatch(input, { capturedAtMs: A, startedAtMs: A });
    expect(result.records.map((r) => [r.timeMs === null ? null : (r.timeMs - A) / 1000, r.timeUncertaintyMs])).toEqual([
      [-780, 60_000],
      [0, 0],
    ]);
    expect(result.problems[0]?.message).toBe('hpa watch: the start time `2026-11-24T01:07:14.000Z` does not fit the AGE values of the first row: ignored it');
    expect(result.anchors).toEqual([{ line: 3, row: 'last', fromMs: A, toMs: A }]);
  });

  it('skips a last line cut while kubectl wrote it, and anchors on the last whole row', () => {
    // The copy was taken mid-row (no line end): REPLICAS could have been `12` cut to `1`.
    const [header, first, second, third] = kubectlRows([
      [HEADER, backend('cpu: 1%/70%, memory: 33%/70%', '2', '95s')],
      [backend('cpu: 85%/70%, memory: 35%/70%', '2', '110s')],
      [backend('cpu: 92%/70%, memory: 41%/70%', '3', '2m5s')],
    ]);
    const cut = (third ?? '').slice(0, (third ?? '').indexOf('3   ') + 1);
    const input = [header, first, second, cut].join('\n');
    const result = parseHpaWatch(input, { capturedAtMs: A });
    expect(result.records.map((r) => [r.line, r.age, r.timeMs === null ? null : (r.timeMs - A) / 1000])).toEqual([
      [2, '95s', -15],
      [3, '110s', 0],
    ]);
    expect(result.problems[0]).toEqual({
      line: 4,
      severity: 'warning',
      message: 'hpa watch: skipped the last line `backend-backend   Deployment/backend-backend   cpu: 92%/70%, memory: 41%/70%   1         5         3`: it has no line end, so it was cut while kubectl wrote it at line 4',
    });
    expect(result.anchors).toEqual([{ line: 3, row: 'last', fromMs: A, toMs: A }]);
  });

  it('starts a new incarnation when the AGE goes back (the HPA was deleted and created again)', () => {
    const input = text(
      ...kubectlRows([
        [HEADER, backend('cpu: 1%/70%, memory: 33%/70%', '2', '5m3s')],
        [backend('cpu: <unknown>/70%, memory: <unknown>/70%', '0', '2s')],
        [backend('cpu: 1%/70%, memory: 30%/70%', '1', '40s')],
      ]),
    );
    const result = parseHpaWatch(input, { capturedAtMs: A });
    // The new HPA's rows are placed by its own AGE (`40s` at A: `2s` is −38 ± 1); the old one's row
    // is bounded above by the order only: no time.
    expect(result.records.map((r) => [r.line, r.timeMs === null ? null : (r.timeMs - A) / 1000, r.timeUncertaintyMs])).toEqual([
      [2, null, null],
      [3, -38, 1000],
      [4, 0, 0],
    ]);
    expect(result.problems.slice(0, 2)).toEqual([
      { line: 3, severity: 'warning', message: 'hpa watch: the AGE of `backend-backend` went back from `5m3s` to `2s`: read as a new HPA of the same name (deleted and created again) at line 3' },
      { line: null, severity: 'warning', message: "hpa watch: 1 row has no time: their HPA's rows do not interleave with rows the capture time places, so the AGE bounds them on one side only" },
    ]);
  });

  it('reads the one-unit ages of older kubectl (`1m` cannot be HumanDuration) a minute at a time', () => {
    // kubectl before HumanDuration printed `1m` for 60–119 s and `2m` for 120–179 s. Last row `2m`:
    // C ∈ [A−180, A−120]; `45s` is C + [45, 46] = [A−135, A−74] → −104.5 ± 30.5.
    const input = text(
      ...kubectlRows([
        [['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'], ['webapp', 'Deployment/webapp', '46% / 10%', '1', '3', '3', '45s']],
        [['webapp', 'Deployment/webapp', '40% / 10%', '1', '3', '3', '1m']],
        [['webapp', 'Deployment/webapp', '12% / 10%', '1', '3', '3', '2m']],
      ]),
    );
    expect(parseHpaWatch(input, { capturedAtMs: A }).records.map((r) => [r.age, r.timeMs === null ? null : (r.timeMs - A) / 1000, (r.timeUncertaintyMs ?? 0) / 1000])).toEqual([
      ['45s', -104.5, 30.5],
      ['1m', -60, 60],
      ['2m', 0, 0],
    ]);
  });

  it('has no times when no row has a usable AGE', () => {
    const input = text('NAME   REFERENCE        TARGETS   MINPODS   MAXPODS   REPLICAS   AGE', 'web    Deployment/web   45%/80%   1         10        3          <unknown>');
    expect(parseHpaWatch(input, { capturedAtMs: A })).toEqual({
      records: [
        {
          namespace: null,
          name: 'web',
          reference: 'Deployment/web',
          minReplicas: 1,
          maxReplicas: 10,
          currentReplicas: 3,
          desiredReplicas: null,
          metrics: [{ name: null, current: '45%', target: '80%', currentValue: 45, targetValue: 80, unit: 'percent' }],
          conditions: [],
          lastScaleTimeMs: null,
          line: 2,
          event: null,
          age: '<unknown>',
          timeMs: null,
          timeUncertaintyMs: null,
        },
      ],
      problems: [{ line: 2, severity: 'warning', message: 'hpa watch: `web` has the AGE `<unknown>`: expected a kubectl age such as `2m8s`, so the row has no time at line 2' }],
      timeSource: 'none: no row could be tied to a clock',
      anchors: [],
    });
  });
});

describe('isHpaWatch', () => {
  // formats.md 2.1 (vyking-devops-task log), as captured: one table
  const TABLE = [
    'NAMESPACE      NAME                REFERENCE                      TARGETS                        MINPODS   MAXPODS   REPLICAS   AGE',
    'backend-dev    backend-backend     Deployment/backend-backend     cpu: 1%/70%, memory: 33%/70%   1         5         2          2m8s',
    'frontend-dev   frontend-frontend   Deployment/frontend-frontend   cpu: 1%/70%, memory: 7%/80%    1         3         1          2m4s',
  ];
  const again = 'backend-dev    backend-backend     Deployment/backend-backend     cpu: 9%/70%, memory: 33%/70%   1         5         2          2m23s';
  it.each([
    ['a single table (formats.md 2.1)', false, text('+ kubectl get hpa -A', ...TABLE), {}],
    ['the same with `-w` echoed', true, text('+ kubectl get hpa -A -w', ...TABLE), {}],
    ['`-Aw` joined', true, text('$ kubectl get hpa -Aw', ...TABLE), {}],
    ['`--watch` in the capture log command', true, text(...TABLE), { command: ['kubectl', 'get', 'hpa', '-A', '--watch'] }],
    ['an HPA twice under one header', true, text(...TABLE, again), {}],
    ['an EVENT column', true, text('EVENT   NAME   REFERENCE        TARGETS   MINPODS   MAXPODS   REPLICAS   AGE', 'ADDED   web    Deployment/web   45%/80%   1         10        3          5m'), {}],
    ['tables appended one after another, each with its header', false, text(...TABLE, ...TABLE), {}],
  ])('%s → %s', (_, expected, input, options) => {
    expect(isHpaWatch(input, options)).toBe(expected);
  });
});
