/**
 * The recovery rule shared by the stress and resilience reports, on seconds built by hand: a good
 * second from which the next 5 s, pooled, are within the baseline. The reports themselves are tested
 * on real runs (test/serial/stress.test.ts, resilience.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { recoveredAt, recoveryBound, isGoodSecond, type RecoveryBound } from '../../../analysis/model/recovery.ts';
import type { Second } from '../../../analysis/model/per-second.ts';
import { LogHistogram } from '../../../analysis/stats/log-histogram.ts';

/** A second of `n` requests of `ms` each (a histogram of one value: its p95 is that value exactly), `failed` of them failed. */
function second(n: number, ms: number, failed = 0): Second {
  const hist = new LogHistogram();
  for (let i = 0; i < n; i++) hist.add(ms);
  return { requests: n, failed, dropped: 0, hist };
}

/** Seconds 0, 1, … from a list. */
const seconds = (list: readonly Second[]): Map<number, Second> => new Map(list.map((e, i) => [i, e]));

const bound: RecoveryBound = { p95_ms: 20, error_rate: 0.001 };
const fast = (): Second => second(50, 10);
const slow = (): Second => second(50, 80);

describe('recovery bound', () => {
  it("is the worst p95 of the baseline's seconds with at least 5 requests, and its errors + 0.1 pp", () => {
    expect(recoveryBound([second(50, 10), second(50, 14), second(4, 500)], 0.002)).toEqual({ p95_ms: 14, error_rate: 0.003 });
  });

  it('is missing without a second of at least 5 requests', () => {
    expect(recoveryBound([second(4, 10), second(0, 0)], 0)).toBeNull();
  });
});

describe('good second', () => {
  it('needs requests, errors within the bound and a p95 within it; too few for a p95 counts by errors', () => {
    expect(isGoodSecond(second(50, 20), bound)).toBe(true);
    expect(isGoodSecond(second(50, 21), bound)).toBe(false);
    expect(isGoodSecond(second(50, 10, 1), bound)).toBe(false); // 2% errors
    expect(isGoodSecond(second(4, 500), bound)).toBe(true);
    expect(isGoodSecond(second(0, 0), bound)).toBe(false);
    expect(isGoodSecond(undefined, bound)).toBe(false);
  });
});

describe('recovered at', () => {
  it('is the first good second from which 5 s pooled are within the bound: one noisy second does not hide it', () => {
    // Down for 3 s, then back, with one noisy second at 5 (CPU steal: 10 of its 50 requests slow, so
    // its own p95 is over the bound). Five good seconds in a row would first start at 6. Pooled, [3, 8)
    // has 10 slow requests of 250 (4%): its p95 (R-7, rank 0.95 · 249 = 236.55) is a fast one.
    const noisy = (): Second => {
      const e = second(40, 10);
      for (let i = 0; i < 10; i++) e.hist.add(80);
      return { ...e, requests: 50 };
    };
    expect(isGoodSecond(noisy(), bound)).toBe(false);
    const list = [slow(), slow(), slow(), fast(), fast(), noisy(), fast(), fast(), fast(), fast(), fast()];
    expect(recoveredAt(seconds(list), 0, list.length - 1, bound)).toBe(3);
  });

  it('is later when the slow second holds more than 5% of the window', () => {
    // A whole second slow: [3, 8) and [4, 9) have 50 slow requests of 250 (20%); 5 is bad itself; [6, 11) is fast.
    const list = [slow(), slow(), slow(), fast(), fast(), slow(), fast(), fast(), fast(), fast(), fast()];
    expect(recoveredAt(seconds(list), 0, list.length - 1, bound)).toBe(6);
  });

  it('stays missing while the target is still degraded (every other second slow)', () => {
    const list = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? fast() : slow()));
    expect(recoveredAt(seconds(list), 0, list.length - 1, bound)).toBeNull();
  });

  it('does not date the recovery early: the first second must itself be good', () => {
    // [2, 7) pooled would be within the bound (10 slow of 210) but second 2 is slow: recovered at 3.
    const list = [slow(), slow(), second(10, 80), fast(), fast(), fast(), fast(), fast()];
    expect(recoveredAt(seconds(list), 0, list.length - 1, bound)).toBe(3);
  });

  it('needs requests in every second of the window, and pooled errors within the bound', () => {
    const gap = [fast(), fast(), second(0, 0), fast(), fast(), fast(), fast(), fast()];
    expect(recoveredAt(seconds(gap), 0, gap.length - 1, bound)).toBe(3);
    const missingSecond = new Map(seconds(gap));
    missingSecond.delete(2);
    expect(recoveredAt(missingSecond, 0, gap.length - 1, bound)).toBe(3);
    // One failed request in second 1 of 250 is 0.4%: over 0.1% pooled, though second 0 is good.
    const errors = [fast(), second(50, 10, 1), fast(), fast(), fast(), fast(), fast(), fast()];
    expect(recoveredAt(seconds(errors), 0, errors.length - 1, bound)).toBe(2);
  });

  it('judges only windows that end by the last second', () => {
    const list = [slow(), fast(), fast(), fast(), fast(), fast()];
    expect(recoveredAt(seconds(list), 0, 5, bound)).toBe(1);
    expect(recoveredAt(seconds(list), 0, 4, bound)).toBeNull();
  });
});
