/**
 * The soak model's rules that are not statistics: which window a soak gets, which runs are soaks, and
 * how long the schedule's ramp-up (a soak's WARMUP) is. The analysis itself is tested on real soaks
 * (test/serial/soak.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { isSoak, rampUpMs, soakWindowS } from '../../../analysis/model/soak.ts';
import type { Run } from '../../../analysis/model/run.ts';

const runWith = (scenario: string | null, schedule: { start_rate: number; stages: { seconds: number; target: number }[] } | null): Run =>
  ({ scenario, summary: schedule === null ? null : { run: { schedule: { ...schedule, stages: schedule.stages.map((s) => ({ ...s, duration: `${s.seconds}s` })) } } } }) as unknown as Run;

describe('soak windows', () => {
  it.each([
    // steady s, req/s, bucket s → window s
    [180, 30, 1, 5], // 36 windows of 150 requests
    [180, 5, 1, 30], // 5 s would hold 25 requests: the first choice with ≥ 100 is 30 s
    [3600, 100, 1, 15], // 5 s and 10 s give more than 240 windows
    [86_400, 5, 60, 600], // a day at 5 req/s in 60 s buckets: 600 s gives 144 windows
    [10, null, 1, 5],
  ] as const)('%s s at %s req/s in %s s buckets: %s s windows', (steady, rps, bucket, expected) => {
    expect(soakWindowS(steady, rps, bucket)).toBe(expected);
  });
});

describe('soak runs', () => {
  it('is the soak scenario, or an hour of steady state', () => {
    expect(isSoak(runWith('soak', null), 60)).toBe(true);
    expect(isSoak(runWith('constant', null), 3599)).toBe(false);
    expect(isSoak(runWith('constant', null), 3600)).toBe(true);
    expect(isSoak(runWith(null, null), null)).toBe(false);
  });

  it('takes the ramp-up from the schedule: until the rate first reaches its peak', () => {
    expect(rampUpMs(runWith('soak', { start_rate: 0, stages: [{ seconds: 300, target: 50 }, { seconds: 3600, target: 50 }] }))).toBe(300_000);
    expect(rampUpMs(runWith('constant', { start_rate: 50, stages: [{ seconds: 60, target: 50 }] }))).toBe(0);
    expect(rampUpMs(runWith('ramp', { start_rate: 0, stages: [{ seconds: 30, target: 20 }, { seconds: 30, target: 40 }, { seconds: 60, target: 40 }] }))).toBe(60_000);
    expect(rampUpMs(runWith('soak', null))).toBeNull();
  });
});
