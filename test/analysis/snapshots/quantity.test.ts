import { describe, expect, it } from 'vitest';
import {
  bytes,
  cpuMillicores,
  parseQuantity,
  quantityBytes,
  quantityMillicores,
  scaleQuantity,
  sumQuantities,
  toNumber,
} from '../../../analysis/snapshots/quantity.ts';

// Expected values worked out by hand from the grammar in k8s.io/apimachinery
// pkg/api/resource/quantity.go (binary SI = powers of 1024, decimal SI = powers of 1000).

describe('parseQuantity', () => {
  it.each([
    // --- plain and fractional numbers
    ['1', 1n, 0, 0],
    ['1.5', 15n, -1, 0],
    ['.5', 5n, -1, 0],
    ['0', 0n, 0, 0],
    ['1048576', 1048576n, 0, 0],
    // --- decimal SI, small units
    ['250m', 250n, -3, 0],
    ['1500m', 1500n, -3, 0],
    ['100u', 100n, -6, 0],
    ['123456n', 123456n, -9, 0],
    ['5866711668n', 5866711668n, -9, 0],
    // --- decimal SI, large units
    ['2G', 2n, 9, 0],
    ['500M', 500n, 6, 0],
    ['3k', 3n, 3, 0],
    ['2E', 2n, 18, 0],
    // --- binary SI
    ['12345Ki', 12345n, 0, 10],
    ['512Mi', 512n, 0, 20],
    ['2Gi', 2n, 0, 30],
    ['1.5Gi', 15n, -1, 30],
    // --- decimal exponent
    ['1e3', 1n, 3, 0],
    ['1E3', 1n, 3, 0],
    ['25e-1', 25n, -1, 0],
    // --- signs
    ['-1', -1n, 0, 0],
    ['+2', 2n, 0, 0],
  ])('%s', (text, coefficient, exponent10, exponent2) => {
    expect(parseQuantity(text)).toEqual({ coefficient, exponent10, exponent2 });
  });

  it.each(['', ' 1', '1 ', 'Mi', '1 Mi', '1mi', '1KB', '1e', 'e3', '1.2.3', '0x10', '1%', '<unknown>', '1e99999'])('refuses `%s`', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});

describe('toNumber', () => {
  it.each([
    ['1.5', 1.5],
    ['2Gi', 2147483648],
    ['4503324444m', 4503324.444],
    ['58846045n', 0.058846045],
    ['1e3', 1000],
    ['2E', 2e18],
  ])('%s → %d', (text, value) => {
    expect(toNumber(parseQuantity(text) ?? expect.unreachable())).toBe(value);
  });
});

describe('cpuMillicores', () => {
  it.each([
    ['250m', 250],
    ['1', 1000],
    ['1.5', 1500],
    ['1500m', 1500],
    ['0', 0],
    ['0m', 0],
    ['100u', 0.1],
    ['123456n', 0.123456],
    ['58846045n', 58.846045],
    ['7338891n', 7.338891],
    ['43481n', 0.043481],
    ['5866711668n', 5866.711668],
    ['1e3', 1000000],
  ])('%s → %d m', (text, millicores) => {
    expect(cpuMillicores(text)).toBe(millicores);
  });

  it.each(['-250m', 'abc', '', '1e9999'])('refuses `%s` (not a usage)', (text) => {
    expect(cpuMillicores(text)).toBeUndefined();
  });
});

describe('bytes', () => {
  it.each([
    ['12345Ki', 12641280],
    ['14520Ki', 14868480],
    ['2Gi', 2147483648],
    ['512Mi', 536870912],
    ['24973Mi', 26186088448],
    ['0Mi', 0],
    ['2G', 2000000000],
    ['500M', 500000000],
    ['1048576', 1048576],
    // HPA memory averageValue is in milli-bytes (formats.md 2.5, kubernetes/kubernetes#129228)
    ['4503324444m', 4503324.444],
  ])('%s → %d B', (text, value) => {
    expect(bytes(text)).toBe(value);
  });

  it.each(['-1Mi', '1 Mi', 'x'])('refuses `%s`', (text) => {
    expect(bytes(text)).toBeUndefined();
  });
});

describe('sums and scaling are exact', () => {
  it('adds nanocores, Ki and plain bytes without rounding on the way', () => {
    const cpu = sumQuantities(['7338891n', '58846045n', '1m', '0'].map((t) => parseQuantity(t) ?? expect.unreachable()));
    expect(quantityMillicores(cpu)).toBe(67.184936);
    const memory = sumQuantities(['14520Ki', '1048576', '1Mi'].map((t) => parseQuantity(t) ?? expect.unreachable()));
    expect(quantityBytes(memory)).toBe(14868480 + 1048576 + 1048576);
  });

  it('0.1 + 0.2 is 0.3, unlike floating point', () => {
    const sum = sumQuantities([parseQuantity('0.1') ?? expect.unreachable(), parseQuantity('0.2') ?? expect.unreachable()]);
    expect(toNumber(sum)).toBe(0.3);
  });

  it('an empty sum is zero; scaling does not touch its input', () => {
    expect(toNumber(sumQuantities([]))).toBe(0);
    const q = Object.freeze(parseQuantity('250m') ?? expect.unreachable());
    expect(toNumber(scaleQuantity(q, 3))).toBe(250);
    expect(q).toEqual({ coefficient: 250n, exponent10: -3, exponent2: 0 });
  });
});
