import { describe, expect, it } from 'vitest';
import { FINE_ALPHA, LogHistogram } from '../../../analysis/stats/log-histogram.ts';
import { quantileR7 as exactR7 } from '../../../analysis/stats/quantile-r7.ts';
import { gaussian, mulberry32 as prng } from '../../../analysis/stats/random.ts';

const QUANTILES = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999];

describe('LogHistogram', () => {
  it('matches numpy on a tiny known case (percentile([1,2,3,4], 95) = 3.85)', () => {
    const h = new LogHistogram();
    for (const v of [4, 1, 3, 2]) h.add(v);
    expect(exactR7([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect(Math.abs(h.quantile(0.95) - 3.85) / 3.85).toBeLessThanOrEqual(0.005);
    expect([h.quantile(0), h.quantile(1), h.count, h.sum, h.min, h.max]).toEqual([1, 4, 4, 10, 1, 4]);
  });

  // Latency-like distributions: log-normal body, a heavy tail, a bimodal mix, and integers with ties.
  const shapes: [string, (r: () => number) => number][] = [
    ['log-normal ms', (r) => Math.exp(1.5 + 0.6 * gaussian(r))],
    ['heavy tail (Pareto)', (r) => 2 / Math.pow(1 - r(), 1 / 1.5)],
    ['bimodal cache hit/miss', (r) => (r() < 0.8 ? 0.4 + r() * 0.2 : 40 + r() * 20)],
    ['integers with ties', (r) => Math.floor(r() * 20) + 1],
    ['with zeros and negatives', (r) => (r() < 0.1 ? 0 : (r() - 0.3) * 100)],
  ];

  it.each(shapes)('%s: every quantile within 1%% (bound 0.5%%) of the exact R-7 value', (_name, draw) => {
    const r = prng(42);
    const values = Array.from({ length: 50_000 }, () => draw(r));
    const h = new LogHistogram();
    for (const v of values) h.add(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of QUANTILES) {
      const exact = exactR7(sorted, q);
      // The guarantee: within α of each order statistic, so within α·((1−f)|x_lo| + f|x_hi|) of the
      // interpolation, which is α·|exact| whenever x_lo and x_hi have the same sign.
      const h7 = q * (sorted.length - 1);
      const f = h7 - Math.floor(h7);
      const bound = 0.005 * ((1 - f) * Math.abs(sorted[Math.floor(h7)] as number) + f * Math.abs(sorted[Math.ceil(h7)] as number));
      expect(Math.abs(h.quantile(q) - exact)).toBeLessThanOrEqual(bound + 1e-12);
      if (exact !== 0) expect(Math.abs(h.quantile(q) - exact) / Math.abs(exact)).toBeLessThan(0.01);
    }
  });

  it.each(shapes)('%s: at FINE_ALPHA every quantile within a thousandth of the exact R-7 value', (_name, draw) => {
    const r = prng(43);
    const values = Array.from({ length: 50_000 }, () => draw(r));
    const h = new LogHistogram(FINE_ALPHA);
    for (const v of values) h.add(v);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of QUANTILES) {
      const h7 = q * (sorted.length - 1);
      const f = h7 - Math.floor(h7);
      const bound = 0.001 * ((1 - f) * Math.abs(sorted[Math.floor(h7)] as number) + f * Math.abs(sorted[Math.ceil(h7)] as number));
      expect(Math.abs(h.quantile(q) - exactR7(sorted, q))).toBeLessThanOrEqual(bound + 1e-12);
    }
  });

  it('keeps counts exact past 2^32 and with fractional weights (dense counts widen)', () => {
    const h = new LogHistogram();
    // 60 distinct buckets: past the sparse list, into the dense window of 32-bit counts.
    for (let i = 1; i <= 60; i++) h.add(i);
    h.add(30, 2 ** 32);
    h.add(31, 0.5);
    const counts = new Map(h.buckets().positive);
    const at = (v: number): number | undefined => [...counts].find(([index]) => index === Math.ceil(Math.log(v) / Math.log(1.005 / 0.995)))?.[1];
    expect([at(30), at(31), at(29), h.count]).toEqual([2 ** 32 + 1, 1.5, 1, 60 + 2 ** 32 + 0.5]);
  });

  it('goes through toArray and fromArray unchanged, at any offset', () => {
    const r = prng(5);
    const h = new LogHistogram(FINE_ALPHA);
    for (let i = 0; i < 5000; i++) h.add(r() < 0.05 ? 0 : (r() - 0.1) * Math.exp(3 * r()));
    const data = [7, 7, ...h.toArray(), 9];
    const { histogram, next } = LogHistogram.fromArray(Float64Array.from(data), 2);
    expect(next).toBe(data.length - 1);
    expect([histogram.alpha, histogram.count, histogram.zeros, histogram.sum, histogram.min, histogram.max]).toEqual([h.alpha, h.count, h.zeros, h.sum, h.min, h.max]);
    expect(histogram.buckets()).toEqual(h.buckets());
    expect(() => LogHistogram.fromArray([0.001, 0, 1], 0)).toThrow('LogHistogram: array ends at `3`: expected a histogram written by toArray');
  });

  it('merges exactly: split data merged equals the unsplit histogram', () => {
    const r = prng(7);
    const values = Array.from({ length: 20_000 }, () => Math.exp(2 + gaussian(r)));
    const whole = new LogHistogram();
    const parts = [new LogHistogram(), new LogHistogram(), new LogHistogram()];
    values.forEach((v, i) => {
      whole.add(v);
      (parts[i % 3] as LogHistogram).add(v);
    });
    const merged = new LogHistogram();
    for (const part of parts) merged.merge(part);
    expect(merged.buckets()).toEqual(whole.buckets());
    expect([merged.count, merged.min, merged.max]).toEqual([whole.count, whole.min, whole.max]);
    for (const q of QUANTILES) expect(merged.quantile(q)).toBe(whole.quantile(q));
    expect(merged.sum).toBeCloseTo(whole.sum, 6);
  });

  it('merges sparse and dense counts alike: the same buckets as adding every value one by one', () => {
    // A histogram keeps up to 48 distinct buckets as a list, then a dense window: merge each kind
    // into each kind (empty, sparse, dense; windows overlapping, below and above), weighted too.
    const r = prng(11);
    const sets: Record<string, [number, number][]> = {
      empty: [],
      sparse: Array.from({ length: 20 }, () => [1 + 9 * r(), 1]),
      sparseNegative: Array.from({ length: 10 }, () => [-(1 + 9 * r()), 3]),
      denseLow: Array.from({ length: 3000 }, () => [0.5 + 5 * r(), 1]),
      denseHigh: Array.from({ length: 3000 }, () => [200 + 800 * r(), 1]),
      denseWide: Array.from({ length: 3000 }, () => [1 + 100 * r(), 1]),
      weighted: Array.from({ length: 80 }, (_, i) => [2 + i, i % 2 === 0 ? 2 ** 32 : 0.25]),
      fractional: Array.from({ length: 60 }, (_, i) => [3 + i, 0.5]),
      // 32-bit counts each, whose sums pass 2^32 − 1 when two of these merge.
      denseBig: Array.from({ length: 60 }, (_, i) => [2 + i, 2 ** 31 + i]),
    };
    const build = (values: [number, number][]): LogHistogram => {
      const h = new LogHistogram();
      for (const [v, w] of values) h.add(v, w);
      return h;
    };
    for (const [intoName, into] of Object.entries(sets)) {
      for (const [fromName, from] of Object.entries(sets)) {
        const merged = build(into);
        merged.merge(build(from));
        const added = build([...into, ...from]);
        expect(merged.buckets(), `${fromName} into ${intoName}`).toEqual(added.buckets());
        expect([merged.count, merged.min, merged.max, merged.quantile(0.95)], `${fromName} into ${intoName}`).toEqual([added.count, added.min, added.max, added.quantile(0.95)]);
      }
    }
    // Into itself: every count doubles.
    const self = build(sets.denseWide as [number, number][]);
    self.merge(self);
    expect(self.buckets()).toEqual(build([...(sets.denseWide as [number, number][]), ...(sets.denseWide as [number, number][])]).buckets());
  });

  it('keeps memory bounded by the value range, not the sample count', () => {
    const h = new LogHistogram();
    for (let i = 0; i < 1_000_000; i++) h.add(1 + (i % 1000) / 10);
    // 1..100.9 spans log(100.9)/log(γ) ≈ 460 buckets.
    expect(h.buckets().positive.length).toBeLessThan(470);
  });

  it('is NaN when empty and ignores NaN values', () => {
    const h = new LogHistogram();
    h.add(Number.NaN);
    expect(h.count).toBe(0);
    expect(h.quantile(0.5)).toBeNaN();
    expect(h.mean()).toBeNaN();
  });

  it('refuses to merge histograms of different accuracy', () => {
    expect(() => new LogHistogram(0.01).merge(new LogHistogram(0.005))).toThrow('LogHistogram: cannot merge alpha `0.005` into `0.01`');
  });
});
