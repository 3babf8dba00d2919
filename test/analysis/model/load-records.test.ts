import { describe, expect, it } from 'vitest';
import { recordsOf } from '../../../analysis/model/load.ts';
import { parseSnapshot } from '../../../analysis/snapshots/index.ts';

const text = (...lines: string[]): string => `${lines.join('\n')}\n`;
const AT = Date.UTC(2026, 10, 24, 1, 7, 14);

// `recordsOf` decides whether a capture read nothing (an input report's `skipped`): a capture whose
// only records are replica limits or watch rows read something.
describe('recordsOf', () => {
  it('counts the rows of a watch log (formats.md 2.1, watched)', () => {
    const watch = parseSnapshot(
      text(
        '+ kubectl get hpa -A -w',
        'NAMESPACE      NAME                REFERENCE                      TARGETS                        MINPODS   MAXPODS   REPLICAS   AGE',
        'backend-dev    backend-backend     Deployment/backend-backend     cpu: 1%/70%, memory: 33%/70%   1         5         2          2m8s',
        'backend-dev    backend-backend     Deployment/backend-backend     cpu: 9%/70%, memory: 33%/70%   1         5         2          2m23s',
      ),
      { file: 'hpa.log', capturedAtMs: AT },
    );
    expect([watch.kind, watch.hpas.length, recordsOf(watch)]).toEqual(['hpa-watch', 0, 2]);
  });

  it('counts replica limits (a `cgroup` capture)', () => {
    const limits = { name: 'sample-replica-0', pid: 4242, cgroupVersion: 2 as const, cpuLimitCores: 1, cpuPeriods: 10, cpuThrottledPeriods: 2, cpuThrottledSeconds: 0.1, memoryLimitBytes: null, memoryUsageBytes: 1, memoryWorkingSetBytes: 1, memoryPeakBytes: null, oomKills: 0, restarts: 0, capturedAtMs: AT };
    const empty = parseSnapshot('', { file: 'x', capturedAtMs: AT, kind: 'cgroup' });
    expect(recordsOf({ ...empty, limits: [limits] })).toBe(1);
    expect(recordsOf({ ...empty, limits: [] })).toBe(0);
  });
});
