/** Every number a report shows is written by format.ts: the rules, exactly. */
import { describe, expect, it } from 'vitest';
import { formatNumber, formatValue, type Unit } from '../../../analysis/report/format.ts';
import { code, plain, t, value, verbatim } from '../../../analysis/report/text.ts';

describe('formatNumber', () => {
  it.each<[number | null, Unit, string]>([
    [2.734, 'ms', '2.73'],
    [72.04, 'ms', '72.0'],
    [812.6, 'ms', '813'],
    [400, 'rate', '400'],
    [399.93, 'rate', '399.9'],
    [2.5, 'rate', '2.50'],
    [0.0667, 'share', '6.67%'],
    [0.01, 'percent', '1%'],
    [0.955, 'percent', '95.5%'],
    [0.001, 'percent', '0.1%'],
    [0.123, 'delta', '+12%'],
    [0.0123, 'delta', '+1.2%'],
    [-0.25, 'delta', '-25%'],
    [0, 'delta', '0.0%'],
    [0.0312, 'p', '0.031'],
    [0.5, 'p', '0.5'],
    [0.00042, 'p', '4.2e-4'],
    [3e-7, 'p', '<0.0001'],
    [37.4, 'count', '37'],
    [930, 'cores', '0.93'],
    [930.4, 'millicores', '930'],
    [54_525_952, 'mib', '52.0'],
    [25_275_990_016, 'gib', '23.5'],
    [1.5, 'seconds', '1.5'],
    [5, 'duration', '5 s'],
    [42.25, 'duration', '42 s'],
    [150, 'duration', '2.5 min'],
    [750, 'duration', '13 min'],
    [19_080, 'duration', '5.3 h'],
    [276_480, 'duration', '3.2 days'],
    [2.4567, 'number', '2.457'],
    [null, 'ms', '—'],
    [Number.NaN, 'rate', '—'],
  ])('%s as %s → %s', (v, unit, expected) => {
    expect(formatNumber(v, unit)).toBe(expected);
  });

  it('adds the unit in sentences', () => {
    expect([formatValue(72, 'ms'), formatValue(120, 'rate'), formatValue(930, 'cores'), formatValue(0.0312, 'p'), formatValue(1e-6, 'p'), formatValue(null, 'ms')]).toEqual([
      '72.0 ms',
      '120 req/s',
      '0.93 cores',
      'p = 0.031',
      'p < 0.0001',
      '—',
    ]);
  });
});

describe('phrases', () => {
  it('keep numbers as values until written, and data as verbatim text', () => {
    const label = 'tps-`100`';
    const phrase = t`${label} holds ${value(100, 'rate')} under p95 < ${value(50, 'ms')} on ${code('POST /predict')}, see \`--warmup\``;
    expect(phrase).toEqual([verbatim(label), ' holds ', { value: 100, unit: 'rate' }, ' under p95 < ', { value: 50, unit: 'ms' }, ' on ', { code: 'POST /predict' }, ', see `--warmup`']);
    expect(plain(phrase)).toBe('tps-`100` holds 100 req/s under p95 < 50.0 ms on `POST /predict`, see `--warmup`');
    expect(plain(['**Sweep**: ', verbatim('**not bold**')])).toBe('Sweep: **not bold**');
  });
});
