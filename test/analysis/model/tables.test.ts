import { describe, expect, it } from 'vitest';
import { replicasTable } from '../../../analysis/model/tables.ts';
import { parseSnapshot } from '../../../analysis/snapshots/index.ts';

const text = (...lines: string[]): string => `${lines.join('\n')}\n`;
const AT = Date.UTC(2026, 10, 24, 1, 7, 14);
const iso = (ms: number): string => new Date(ms).toISOString();

describe('replicasTable', () => {
  // formats.md 2.1 (vyking-devops-task log), one `kubectl get hpa -A` a minute before AT.
  const TABLE = [
    'NAMESPACE      NAME                REFERENCE                      TARGETS                        MINPODS   MAXPODS   REPLICAS   AGE',
    'backend-dev    backend-backend     Deployment/backend-backend     cpu: 1%/70%, memory: 33%/70%   1         5         2          2m8s',
    'frontend-dev   frontend-frontend   Deployment/frontend-frontend   cpu: 1%/70%, memory: 7%/80%    1         3         1          2m4s',
  ];
  // The same table watched (`-w`), then backend-backend deleted and created again: its AGE goes back
  // to `3s`, then `40s` at AT (the capture time, the last row). Padded as kubectl's tabwriter pads a
  // wider cell that comes later (see hpa-watch.test.ts).
  const WATCH = [
    '$ kubectl get hpa -A -w',
    ...TABLE,
    'backend-dev    backend-backend     Deployment/backend-backend     cpu: <unknown>/70%, memory: <unknown>/70%   1         5         0          3s',
    'backend-dev    backend-backend     Deployment/backend-backend     cpu: 1%/70%, memory: 30%/70%                1         5         1          40s',
  ];
  const COLUMNS = ['run', 'time', 'namespace', 'hpa', 'reference', 'current', 'desired', 'min', 'max', 'time_uncertainty_ms'];

  it('puts a table at its capture time and watch rows at their own, leaving out the rows without one', () => {
    const table = parseSnapshot(text(...TABLE), { file: 'hpa.txt', capturedAtMs: AT - 60_000 });
    const watch = parseSnapshot(text(...WATCH), { file: 'hpa.log', capturedAtMs: AT });
    // The new backend-backend: `40s` at AT, so created in [AT − 41 s, AT − 40 s], and its `3s` row
    // printed in [AT − 38 s, AT − 36 s]. The listing's rows (the old backend-backend and
    // frontend-frontend) are bounded by the row order from above only: no time, no row.
    expect(watch.hpaWatch?.map((r) => [r.line, r.age, r.timeMs])).toEqual([
      [3, '2m8s', null],
      [4, '2m4s', null],
      [5, '3s', AT - 37_000],
      [6, '40s', AT],
    ]);
    const frozen = Object.freeze([Object.freeze(table), Object.freeze(watch)]);
    const result = replicasTable([], frozen);
    expect(result.columnNames()).toEqual(COLUMNS);
    expect(result.objects()).toEqual([
      { run: null, time: iso(AT - 60_000), namespace: 'backend-dev', hpa: 'backend-backend', reference: 'Deployment/backend-backend', current: 2, desired: null, min: 1, max: 5, time_uncertainty_ms: 0 },
      { run: null, time: iso(AT - 60_000), namespace: 'frontend-dev', hpa: 'frontend-frontend', reference: 'Deployment/frontend-frontend', current: 1, desired: null, min: 1, max: 3, time_uncertainty_ms: 0 },
      { run: null, time: iso(AT - 37_000), namespace: 'backend-dev', hpa: 'backend-backend', reference: 'Deployment/backend-backend', current: 0, desired: null, min: 1, max: 5, time_uncertainty_ms: 1000 },
      { run: null, time: iso(AT), namespace: 'backend-dev', hpa: 'backend-backend', reference: 'Deployment/backend-backend', current: 1, desired: null, min: 1, max: 5, time_uncertainty_ms: 0 },
    ]);
  });

  it('has its columns when there is no HPA', () => {
    expect(replicasTable([], []).columnNames()).toEqual(COLUMNS);
    expect(replicasTable([], []).numRows()).toBe(0);
  });
});
