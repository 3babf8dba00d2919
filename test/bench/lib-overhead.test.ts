/**
 * The statistics and verdicts of `npm run bench -- lib-overhead` (the k6 runs themselves are not
 * tested: a benchmark's numbers are never asserted). Reference values from R 4.2.2 on this machine.
 */
import { describe, expect, it } from 'vitest';
import {
  childCpuSeconds,
  costVerdict,
  differenceInterval,
  formatDifference,
  formatRatio,
  overheadOptions,
  ratioInterval,
  roundOrder,
  type RatioInterval,
} from '../../bench/lib-overhead.ts';

// 20 rounds whose per-round ratios are these (the same set as test/bench/wilcoxon-signed-rank-interval.test.ts).
const RATIOS = [0.962, 1.013, 0.981, 0.944, 1.027, 0.998, 0.955, 0.973, 1.041, 0.969, 0.987, 0.951, 1.006, 0.979, 0.934, 0.992, 0.968, 1.019, 0.958, 0.985];
const BASELINE = RATIOS.map((_, r) => 3000 + 97 * r);
const VARIANT = RATIOS.map((ratio, r) => ratio * (BASELINE[r] as number));

const interval = (estimate: number, lower: number, upper: number): RatioInterval => ({ estimate, lower, upper, achieved: 0.95, rounds: 10 });

describe('ratioInterval', () => {
  it('is the signed-rank interval of the log ratios, back as ratios (R: exp(wilcox.test(log(r), conf.int = TRUE)…))', () => {
    const result = ratioInterval(Object.freeze(VARIANT), Object.freeze(BASELINE));
    expect(result.estimate).toBeCloseTo(0.98060794330287981, 12);
    expect(result.lower).toBeCloseTo(0.96770243360239616, 12);
    expect(result.upper).toBeCloseTo(0.99573440233829413, 12);
    expect(result.achieved).toBeCloseTo(0.95155906677246094, 14);
    expect(result.rounds).toBe(20);
  });

  it('pairs by round: swapping two rounds of one side changes the answer', () => {
    const swapped = [VARIANT[1], VARIANT[0], ...VARIANT.slice(2)] as number[];
    expect(ratioInterval(swapped, BASELINE).upper).not.toBeCloseTo(0.99573440233829413, 6);
  });

  it('refuses sides of different lengths', () => {
    expect(() => ratioInterval([1, 2], [1])).toThrow(/^ratioInterval: 2 variant rounds and 1 baseline rounds: expected as many of each$/);
  });
});

describe('differenceInterval', () => {
  it('is the signed-rank interval of the differences (R: wilcox.test(d, conf.int = TRUE))', () => {
    // d = c(-0.031, 0.012, -0.054, 0.047, -0.008, -0.022, 0.066, -0.041, -0.015, 0.003) as baseline + d
    const d = [-0.031, 0.012, -0.054, 0.047, -0.008, -0.022, 0.066, -0.041, -0.015, 0.003];
    const result = differenceInterval(d.map((x) => 10 + x), d.map(() => 10));
    expect(result.estimate).toBeCloseTo(-0.008, 12);
    expect(result.lower).toBeCloseTo(-0.031, 12);
    expect(result.upper).toBeCloseTo(0.025, 12);
  });
});

describe('formatting', () => {
  it.each([
    [interval(0.981, 0.968, 0.996), '0.981 [0.968–0.996] lower'],
    [interval(1.004, 0.99, 1.021), '1.004 [0.990–1.021] within noise'],
    [interval(1.07, 1.01, 1.22), '1.070 [1.010–1.220] higher'],
  ])('ratio %j', (ratio, text) => expect(formatRatio(ratio)).toBe(text));

  it.each([
    [interval(31, 20, 40), '+31 ms [+20 to +40] more'],
    [interval(2, -10, 10), '+2 ms [−10 to +10] within noise'],
    [interval(-30, -40, -20), '−30 ms [−40 to −20] less'],
  ])('difference %j', (difference, text) => expect(formatDifference(difference, 'ms')).toBe(text));
});

describe('costVerdict', () => {
  // throughput cost = 1 − ratio (its upper end from the ratio's lower end); CPU cost = ratio − 1
  it('met when both upper bounds are under the goal', () => {
    expect(costVerdict(interval(0.998, 0.985, 1.01), interval(1.002, 0.99, 1.015), 0.02)).toBe(
      'cost +0.2% [−1.0% to +1.5%] throughput, +0.2% [−1.0% to +1.5%] k6 CPU per request (goal: under 2%; goal met: both upper bounds are under 2%)',
    );
  });

  it('not met when either lower bound is at or over the goal', () => {
    expect(costVerdict(interval(0.99, 0.97, 1.01), interval(1.06, 1.02, 1.1), 0.02)).toBe(
      'cost +1.0% [−1.0% to +3.0%] throughput, +6.0% [+2.0% to +10.0%] k6 CPU per request (goal: under 2%; goal NOT met: the cost is at least +2.0%)',
    );
  });

  it('otherwise not shown either way, with the bound that is too wide', () => {
    expect(costVerdict(interval(0.95, 0.8, 1.1), interval(1.01, 0.95, 1.07), 0.02)).toBe(
      'cost +5.0% [−10.0% to +20.0%] throughput, +1.0% [−5.0% to +7.0%] k6 CPU per request ' +
        '(goal: under 2%; goal not shown either way: an interval reaches +20.0%, above 2%; more rounds or a quieter machine would narrow it)',
    );
  });
});

describe('roundOrder: a Williams design', () => {
  it.each([
    // even n: n rows; each row a permutation
    [4, [[0, 1, 3, 2], [1, 2, 0, 3], [2, 3, 1, 0], [3, 0, 2, 1]]],
    // odd n: the n rows, then the same reversed
    [3, [[0, 1, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0], [0, 2, 1], [1, 0, 2]]],
  ])('%i variants', (count, rows) => {
    expect(rows.map((_, round) => roundOrder(round, count))).toEqual(rows);
    expect(roundOrder(rows.length, count)).toEqual(rows[0]);
  });

  it.each([2, 4, 5, 6, 7])('%i variants: every position, and every ordered pair of neighbours, equally often per cycle', (count) => {
    const cycle = count % 2 === 0 ? count : 2 * count;
    const positions = new Map<string, number>();
    const pairs = new Map<string, number>();
    for (let round = 0; round < cycle; round++) {
      const row = roundOrder(round, count);
      expect([...row].sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
      row.forEach((v, i) => positions.set(`${v}@${i}`, (positions.get(`${v}@${i}`) ?? 0) + 1));
      for (let i = 1; i < count; i++) pairs.set(`${row[i - 1]}>${row[i]}`, (pairs.get(`${row[i - 1]}>${row[i]}`) ?? 0) + 1);
    }
    expect(positions.size).toBe(count * count);
    expect(new Set(positions.values())).toEqual(new Set([cycle / count]));
    expect(pairs.size).toBe(count * (count - 1));
    expect(new Set(pairs.values())).toEqual(new Set([cycle / count]));
  });
});

describe('overheadOptions', () => {
  it('defaults, and every flag', () => {
    expect(overheadOptions([])).toEqual({ rounds: 10, seconds: 5, vus: 16, startupVus: 100, also: [] });
    expect(overheadOptions(['--rounds', '20', '--seconds', '8', '--vus', '4', '--startup-vus', '50', '--also', 'old=/tmp/x=y.js'])).toEqual({
      rounds: 20, seconds: 8, vus: 4, startupVus: 50, also: [{ name: 'old', script: '/tmp/x=y.js' }],
    });
    expect(overheadOptions(['--help'])).toBe('help');
  });

  it.each([
    [['--rounds', '50'], 'bench: `--rounds` is `50`: expected an integer from 2 to 49'],
    [['--seconds', '1.5'], 'bench: `--seconds` is `1.5`: expected an integer from 1 to 600'],
    [['--also', 'nopath'], 'bench: `--also` is `nopath`: expected NAME=PATH'],
  ])('refuses %j', (argv, message) => {
    expect(() => overheadOptions(argv)).toThrow(message);
  });
});

describe('childCpuSeconds: the CPU time bench/k6/timed.sh prints after k6', () => {
  it("adds user and system time of bash's `times` children line, the last one", () => {
    // What bash printed here for `bash -c 'sleep 0.3; times'`: the shell's line, then its children's.
    expect(childCpuSeconds('0m0.002s 0m0.000s\n0m0.001s 0m0.000s\n')).toBeCloseTo(0.001, 12);
    // k6's own stderr comes first; minutes count (a line made up in that format).
    expect(childCpuSeconds('time="…" level=warning msg="…"\n0m0.003s 0m0.001s\n1m2.345s 0m0.456s\n')).toBeCloseTo(62.801, 12);
  });

  it('names what it got when the last line is not a `times` line', () => {
    expect(() => childCpuSeconds('k6: command not found\n')).toThrow("bench/k6/timed.sh: expected its children's CPU times (bash `times`) on its last line, got `k6: command not found`");
  });
});
