import { describe, expect, it } from 'vitest';
import { mixField, mixShares, weightedMix } from '../../lib/mix.ts';

describe('weightedMix', () => {
  const mix = weightedMix([
    { name: 'predict', weight: 80 },
    { name: 'health', weight: 10 },
    { name: 'metrics', weight: 10 },
  ]);

  it.each([
    [0, 'predict'],
    [0.7999, 'predict'],
    [0.8, 'health'],
    [0.8999, 'health'],
    [0.9, 'metrics'],
    [0.99999, 'metrics'],
  ])('u = %d picks %s', (u, name) => {
    expect(mix.pick(u)).toBe(name);
  });

  it('picks each entry in proportion to its weight over a uniform grid', () => {
    const counts: Record<string, number> = {};
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      const name = mix.pick((i + 0.5) / n);
      counts[name] = (counts[name] ?? 0) + 1;
    }
    expect(counts).toEqual({ predict: 8000, health: 1000, metrics: 1000 });
  });

  it('never picks an entry of weight 0', () => {
    const only = weightedMix([
      { name: 'predict', weight: 0 },
      { name: 'health', weight: 3 },
    ]);
    expect([0, 0.5, 0.999].map((u) => only.pick(u))).toEqual(['health', 'health', 'health']);
  });

  it('reports shares', () => {
    expect(mixShares([{ name: 'a', weight: 3 }, { name: 'b', weight: 1 }])).toEqual({ a: 0.75, b: 0.25 });
  });
});

describe('mixField', () => {
  const field = mixField(['predict', 'health', 'metrics']);

  it.each([
    ['predict:80,health:10,metrics:10', [{ name: 'predict', weight: 80 }, { name: 'health', weight: 10 }, { name: 'metrics', weight: 10 }]],
    ['health', [{ name: 'health', weight: 1 }]],
    [' predict : 2 , health:0.5 ', [{ name: 'predict', weight: 2 }, { name: 'health', weight: 0.5 }]],
    ['predict:0,health:1', [{ name: 'predict', weight: 0 }, { name: 'health', weight: 1 }]],
  ])('parses %s', (raw, entries) => {
    expect(field.parse(raw)).toEqual(entries);
  });

  it.each(['predikt:1', 'predict:-1', 'predict:x', 'predict:0', 'predict:1,predict:2', 'predict:1:2', ''])('refuses `%s`', (raw) => {
    expect(field.parse(raw)).toBeUndefined();
  });

  it('says what it expects', () => {
    expect(field.expected).toBe('`name:weight` pairs separated by commas, names among `predict`, `health`, `metrics`, weights >= 0 and not all 0');
  });
});
