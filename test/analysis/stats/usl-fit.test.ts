import { describe, expect, it } from 'vitest';
import { type UslFit, type UslFitOptions, type UslPoint, uslFit } from '../../../analysis/stats/usl-fit.ts';
import { uslThroughput } from '../../../analysis/stats/usl-throughput.ts';

const points = (ns: readonly number[], xs: readonly number[]): readonly UslPoint[] => Object.freeze(ns.map((n, i) => Object.freeze({ n, x: xs[i] as number })));
/** Data from known parameters with a fixed list of relative errors e: X(n)·(1 + e), as `noisy` below. */
const noisy = (ns: readonly number[], params: { lambda: number; sigma: number; kappa: number }, e: readonly number[]): number[] =>
  ns.map((n, i) => uslThroughput(params, n) * (1 + (e[i] as number)));

/*
 * Published data, both from the R package usl (S. Möding & N. J. Gunther), which ships them from
 * N. J. Gunther, Guerrilla Capacity Planning, Springer, 2007: github.com/smoeding/usl, data/raytracer.rda
 * and data/specsdm91.rda (commit 480c97b), read with pyreadr 0.5.8.
 * - raytracer: ray-geometry intersections per second of the BRL-CAD ray tracer on an SGI Origin 2000
 *   with 1–64 R12000 processors. Throughput never turns down: the bounded minimum has κ = 0 (the
 *   unbounded one has κ = −0.000201, λ = 24.77, σ = 0.0781).
 * - specsdm91: script executions per hour of a Sun SPARCcenter 2000 in the SPEC SDM91 benchmark, 1–216
 *   simulated users; retrograde after a peak near 96 users, inside the data. The package's README gives
 *   the same fit from R (nlsr): sigma 0.0277285, kappa 0.0001044, gamma (λ) 89.9952330.
 * - coef: the package's tests/coef.R, the relative capacities C(N) of σ = κ = 0.02 to 4 decimals
 *   (C(2) = 2/1.06 = 1.8868); R gives signif(coef, 3) = 0.02, 0.02, 1.
 */
const RAYTRACER_N = [1, 4, 8, 12, 16, 20, 24, 28, 32, 48, 64];
const RAYTRACER_X = [20, 78, 130, 170, 190, 200, 210, 230, 260, 280, 310];
const SPECSDM91_N = [1, 18, 36, 72, 108, 144, 216];
const SPECSDM91_X = [64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2];

const SYNTHETIC_N = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64];
const SYNTHETIC_E = [0.012, -0.008, 0.005, -0.015, 0.009, -0.003, 0.011, -0.006, 0.002, -0.01, 0.007, -0.004];
const AMDAHL_N = [1, 2, 4, 8, 16, 32];
const AMDAHL_E = [0.01, -0.01, 0.012, -0.008, -0.01, 0.015];
const RETROGRADE_N = [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24];
const RETROGRADE_E = [-0.006, 0.01, -0.004, 0.008, -0.012, 0.005, 0.003, -0.009, 0.011, -0.002, 0.007, -0.01, 0.004];

/*
 * Expected values from scipy 1.17.1 (numpy 2.4.6, Python 3.11.7), bounded least squares by the
 * trust-region-reflective method:
 *
 *   import numpy as np
 *   from scipy.optimize import curve_fit
 *
 *   def usl(n, lam, sig, kap):
 *       return lam * n / (1 + sig * (n - 1) + kap * n * (n - 1))
 *
 *   def jac(n, lam, sig, kap):  # analytic: with finite differences trf stops short (see below)
 *       d = 1 + sig * (n - 1) + kap * n * (n - 1)
 *       return np.stack([n / d, -lam * n * (n - 1) / d**2, -lam * n**2 * (n - 1) / d**2], axis=1)
 *
 *   def reference(n, x):
 *       n, x = np.asarray(n, float), np.asarray(x, float)
 *       p, _ = curve_fit(usl, n, x, p0=[x[0] / n[0], 0.01, 0.0001], bounds=([0, 0, 0], [np.inf] * 3),
 *                        method='trf', jac=jac, ftol=1e-15, xtol=1e-15, gtol=1e-15, max_nfev=100000)
 *       fitted = usl(n, *p)
 *       sse = np.sum((x - fitted) ** 2)
 *       peak = np.sqrt((1 - p[1]) / p[2])
 *       return p, fitted, 1 - sse / np.sum((x - x.mean()) ** 2), np.sqrt(sse / len(x)), peak, usl(peak, *p)
 *
 *   noisy = lambda n, p, e: usl(np.asarray(n, float), *p) * (1 + np.asarray(e))
 *   reference(SYNTHETIC_N, noisy(SYNTHETIC_N, (1000, 0.05, 0.001), SYNTHETIC_E))   # and so on
 *
 * Tolerances. λ, σ, κ within 1e-7 relative: the two solvers agree to 1.5e-8 or better on all of these
 * (specsdm91's minimum is the flattest, a valley in σ, κ; elsewhere 3e-9 or better). The fitted curve,
 * r2 and rmse agree closer (1e-8 relative, 1e-12): near a minimum the sum of squares is flat, so the
 * curve is better determined than the parameters that draw it. Where the minimum is on a bound
 * (κ = 0, or σ = κ = 0) scipy's iterates stay strictly inside and it returns κ ≈ 1e-18 … 1e-35, where
 * uslFit returns exactly 0: those parameters are compared as "0 here, below 1e-15 there", and the
 * curves are what agrees. (A peak computed from scipy's κ there is meaningless: N* = 1.5e17 for the
 * ray tracer.) The sum of squares of uslFit is never above scipy's, beyond 1 part in 10^12 and the
 * rounding of the residuals.
 *
 * Without `jac=jac` (finite differences) trf stops about 2e-6 short in σ on specsdm91, at
 * [89.99518340664537, 0.0277284140352006, 0.0001043657721293503], with a sum of squares 1.4e-6 higher.
 */
interface Expected {
  p: [number, number, number];
  fitted: number[];
  r2: number;
  rmse: number;
  /** [N*, X(N*)], or null where scipy's κ is on the bound (and uslFit's peak is null). */
  peak: [number, number] | null;
}
const CASES: [string, readonly UslPoint[], Expected][] = [
  // (a) Published data.
  [
    'raytracer (GCaP), κ on its bound',
    points(RAYTRACER_N, RAYTRACER_X),
    {
      p: [21.84884286510245, 0.05777078073708257, 3.9578369635580095e-35],
      fitted: [21.84884286510245, 74.48602415253107, 124.4597745129849, 160.3115542371934, 187.28632638875902, 208.31784781593646, 225.17539122456836, 238.989355513874, 250.515756193631, 282.2827632664085, 301.39198298290427],
      r2: 0.990694924054598,
      rmse: 7.9614856981991275,
      peak: null,
    },
  ],
  [
    'specsdm91 (GCaP), retrograde',
    points(SPECSDM91_N, SPECSDM91_X),
    {
      p: [89.99523244887612, 0.027728475210332733, 0.00010436548409888993],
      fitted: [89.99523244887612, 1077.557854501805, 1541.309596916994, 1850.1474089447668, 1878.8895535560398, 1821.5952940196573, 1646.2047249160207],
      r2: 0.9895614780531269,
      rmse: 62.625553415333286,
      peak: [96.51956086905396, 1883.8989972643446],
    },
  ],
  [
    'usl tests/coef.R, σ = κ = 0.02 to 4 decimals',
    points([1, 2, 4, 6, 8, 10], [1, 1.8868, 3.0769, 3.5294, 3.5398, 3.3557]),
    {
      p: [1.000005121735087, 0.02000576132958104, 0.019999665278074563],
      fitted: [1.000005121735087, 1.8867930529580679, 3.07690743431343, 3.529390883191407, 3.539807330781822, 3.3556974188378326],
      r2: 0.9999999999504074,
      rmse: 6.7488460403426865e-6,
      peak: [7.000038000692715, 3.571409491768589],
    },
  ],
  // (b) Known parameters with noise from a fixed list.
  [
    'synthetic λ = 1000, σ = 0.05, κ = 0.001, ±1.5%',
    points(SYNTHETIC_N, noisy(SYNTHETIC_N, { lambda: 1000, sigma: 0.05, kappa: 0.001 }, SYNTHETIC_E)),
    {
      p: [1002.834101126806, 0.05042481979819289, 0.001001229002750193],
      fitted: [1002.834101126806, 1905.7546726071503, 2718.0586709753766, 3448.270970705231, 4692.862091340147, 5693.705088230939, 7134.075032542004, 8036.063874283562, 8873.168150534531, 9023.392825005538, 8551.832920240284, 7813.924798082434],
      r2: 0.999716788781229,
      rmse: 46.809745330348036,
      peak: [30.796259224408296, 9027.075278086966],
    },
  ],
  // (c) Linear and better: σ = κ = 0; Amdahl (κ = 0 in the generator): κ on its bound.
  [
    'exactly linear, 250 per unit',
    points([1, 2, 3, 4, 5, 6, 7, 8], [250, 500, 750, 1000, 1250, 1500, 1750, 2000]),
    {
      p: [250.0000000000002, 1.4211928276940683e-16, 1.2817302408364977e-18],
      fitted: [250.0000000000002, 500.0000000000003, 750.0000000000005, 1000.0000000000003, 1250.0, 1500.0000000000002, 1749.9999999999998, 1999.9999999999998],
      r2: 1,
      rmse: 2.735358827254708e-13,
      peak: null,
    },
  ],
  [
    'superlinear (faster than linear): σ = κ = 0, λ = Σxn/Σn²',
    points([1, 2, 4, 8, 16], [100, 203, 409, 825, 1660]),
    {
      p: [103.52492668621687, 2.3825612636922425e-21, 1.6361828031529942e-23],
      fitted: [103.52492668621687, 207.04985337243374, 414.0997067448675, 828.199413489735, 1656.39882697947],
      r2: 0.9999515457650408,
      rmse: 3.950648634519537,
      peak: null,
    },
  ],
  [
    'Amdahl λ = 200, σ = 0.08, κ = 0, ±1.5%',
    points(AMDAHL_N, noisy(AMDAHL_N, { lambda: 200, sigma: 0.08, kappa: 0 }, AMDAHL_E)),
    {
      p: [196.49458948029383, 0.07703337771574134, 3.035742181126698e-26],
      fitted: [196.49458948029383, 364.88115140319104, 638.435767131204, 1021.2593273019339, 1458.5536815925918, 1855.892103560067],
      r2: 0.999653092094198,
      rmse: 10.937351118868385,
      peak: null,
    },
  ],
  // (d) Retrograde: the peak (N* = 15.7) inside the data (1–24).
  [
    'retrograde λ = 500, σ = 0.02, κ = 0.004, ±1.2%',
    points(RETROGRADE_N, noisy(RETROGRADE_N, { lambda: 500, sigma: 0.02, kappa: 0.004 }, RETROGRADE_E)),
    {
      p: [499.880429133976, 0.020013417282152755, 0.003992698201287089],
      fitted: [499.880429133976, 972.5311400744134, 1804.6996432178216, 2458.7346087540836, 2932.5272139068043, 3247.10783154728, 3433.2766318531667, 3522.330255361114, 3541.4071678795817, 3512.049062424389, 3450.4492655124563, 3368.354735546514, 3274.077535644051],
      r2: 0.9994892725665597,
      rmse: 22.50098067990426,
      peak: [15.666674586989348, 3542.1029195491897],
    },
  ],
  // (e) Replica counts of a Kubernetes sweep (requests per second).
  [
    'replicas 1, 2, 4, 8',
    points([1, 2, 4, 8], [1180, 2250, 4020, 6100]),
    {
      p: [1179.0435204932628, 0.03746814735987827, 0.005071437407505894],
      fitted: [1179.0435204932628, 2250.9185098979056, 4019.71198605753, 6100.035733090824],
      r2: 0.9999998676635279,
      rmse: 0.6787382345565349,
      peak: [13.776599090944158, 6849.686085771569],
    },
  ],
  [
    'replicas 1, 2, 4: three points, fitted exactly',
    points([1, 2, 4], [1180, 2250, 4020]),
    {
      p: [1180.0, 0.039734660033167835, 0.004577114427860621],
      fitted: [1180.0, 2250.0, 4019.999999999999],
      r2: 1,
      rmse: 5.250970108951385e-13,
      peak: [14.484374389295477, 7034.242662413062],
    },
  ],
  [
    'replicas 2, 4, 8, 16: no single-replica run, λ extrapolated',
    points([2, 4, 8, 16], [2250, 4020, 6100, 6900]),
    {
      p: [1185.2526601974664, 0.04164235802719386, 0.0046833703520020534],
      fitted: [2255.4565162724666, 4013.9701829918513, 6102.6086833808, 6899.4168777688665],
      r2: 0.9999944527383526,
      rmse: 4.280114586700879,
      peak: [14.30489103459415, 6933.3621341923845],
    },
  ],
  [
    'replicas 1–4, nearly linear: κ on its bound',
    points([1, 2, 3, 4], [1000, 1960, 2890, 3790]),
    {
      p: [997.9364009725151, 0.01780192516558766, 1.925929944387236e-34],
      fitted: [997.9364009725151, 1960.9638698809877, 2890.882649731513, 3789.3712914262705],
      r2: 0.9999985291924185,
      rmse: 1.2611335291051424,
      peak: null,
    },
  ],
];

const relative = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected);
const sse = (fit: UslFit, data: readonly UslPoint[]): number => data.reduce((sum, { n, x }) => sum + (x - uslThroughput(fit, n)) ** 2, 0);

describe('uslFit', () => {
  it.each(CASES)('%s matches scipy curve_fit (trf, bounds ≥ 0)', (_name, data, expected) => {
    const fit = uslFit(data);
    expect(fit.converged).toBe(true);
    [fit.lambda, fit.sigma, fit.kappa].forEach((value, j) => {
      const reference = expected.p[j] as number;
      if (reference < 1e-15) expect(value).toBe(0);
      else expect(relative(value, reference)).toBeLessThan(1e-7);
    });
    data.forEach(({ n }, i) => expect(relative(uslThroughput(fit, n), expected.fitted[i] as number)).toBeLessThan(1e-8));
    expect(Math.abs(fit.r2 - expected.r2)).toBeLessThan(1e-12);
    // An exact fit's rmse is rounding (scipy 5e-13, here as small); compare it to the data's scale then.
    if (expected.rmse < 1e-9) expect(fit.rmse).toBeLessThan(1e-9 * Math.max(...data.map((p) => p.x)));
    else expect(relative(fit.rmse, expected.rmse)).toBeLessThan(1e-9);
    if (expected.peak === null) {
      expect(fit.peakN).toBeNull();
      expect(fit.peakX).toBeNull();
    } else {
      expect(relative(fit.peakN as number, expected.peak[0])).toBeLessThan(1e-7);
      expect(relative(fit.peakX as number, expected.peak[1])).toBeLessThan(1e-9);
    }
    // Each residual is a difference of numbers near x, so it carries a rounding error of a few ε·x.
    const e = 8 * Number.EPSILON;
    const referenceSse = data.reduce((sum, { x }, i) => sum + (x - (expected.fitted[i] as number)) ** 2, 0);
    const rounding = data.reduce((sum, { x }, i) => sum + e * x * (Math.abs(x - (expected.fitted[i] as number)) + e * x), 0);
    expect(sse(fit, data)).toBeLessThanOrEqual(referenceSse * (1 + 1e-12) + rounding);
  });

  it('reproduces the R package usl on specsdm91 to the digits it prints', () => {
    // README of github.com/smoeding/usl: alpha 0.0277285, beta 0.0001044, gamma 89.9952330;
    // tests/peak-scalability.R: peak.scalability(u) = 96.51956 (all.equal, tolerance 1e-4).
    const fit = uslFit(points(SPECSDM91_N, SPECSDM91_X));
    expect(fit.sigma).toBeCloseTo(0.0277285, 7);
    expect(fit.kappa).toBeCloseTo(0.0001044, 7);
    expect(fit.lambda).toBeCloseTo(89.995233, 6); // 89.9952330
    expect(fit.peakN).toBeCloseTo(96.51956, 5);
  });

  it('finds Gunther’s ray-tracer σ with κ exactly 0, where the unbounded fit would take κ < 0', () => {
    const fit = uslFit(points(RAYTRACER_N, RAYTRACER_X));
    expect(fit.kappa).toBe(0);
    expect(fit.sigma).toBeCloseTo(0.0577707807, 9);
    // At the bound the sum of squares rises as κ grows (the KKT condition): a little κ makes it worse.
    const worse = sse({ ...fit, kappa: 1e-6 }, points(RAYTRACER_N, RAYTRACER_X));
    expect(worse).toBeGreaterThan(sse(fit, points(RAYTRACER_N, RAYTRACER_X)));
  });

  it('fits three points exactly: r2 is 1 whatever the system, so it says nothing', () => {
    const fit = uslFit(points([1, 2, 4], [1180, 2250, 4020]));
    expect(fit.r2).toBe(1);
    expect(fit.rmse).toBeLessThan(1e-9);
    // Any three points a USL curve can pass through give the same: here σ = 0.5, κ = 0.6 exactly.
    const falling = uslFit(points([1, 2, 3], [1, 2, 3].map((n) => uslThroughput({ lambda: 100, sigma: 0.5, kappa: 0.6 }, n))));
    expect(falling.sigma).toBeCloseTo(0.5, 12);
    expect(falling.kappa).toBeCloseTo(0.6, 12);
  });

  it('fits constant throughput with σ = 1 (X = λ), and calls the 0/0 of its R² 1', () => {
    // scikit-learn 1.9.1: r2_score([100] * 4, [100] * 4) == 1.0, r2_score([100] * 4, [100, 100, 100, 101]) == 0.0.
    const fit = uslFit(points([1, 2, 4, 8], [100, 100, 100, 100]));
    expect(fit.lambda).toBeCloseTo(100, 9);
    expect(fit.sigma).toBeCloseTo(1, 12);
    expect(fit.kappa).toBe(0);
    expect(fit.r2).toBe(1);
    expect(fit.peakN).toBeNull();
  });

  it('reports no peak when throughput falls from N = 1 on (σ + κ > 1, N* < 1)', () => {
    const data = points([1, 2, 3, 4], [1, 2, 3, 4].map((n) => uslThroughput({ lambda: 100, sigma: 0.5, kappa: 0.6 }, n)));
    const fit = uslFit(data);
    expect(fit.kappa).toBeCloseTo(0.6, 10);
    expect(fit.peakN).toBeNull();
    expect(fit.peakX).toBeNull();
  });

  it('does not depend on the order of the points, and keeps repeated measurements', () => {
    const fit = uslFit(points(SPECSDM91_N, SPECSDM91_X));
    const order = [3, 0, 6, 2, 5, 1, 4];
    const shuffled = uslFit(points(order.map((i) => SPECSDM91_N[i] as number), order.map((i) => SPECSDM91_X[i] as number)));
    expect(relative(shuffled.sigma, fit.sigma)).toBeLessThan(1e-9);
    expect(relative(shuffled.kappa, fit.kappa)).toBeLessThan(1e-9);
    // Every point twice: the same minimum (the sum of squares doubles), the same r2 and rmse.
    const twice = uslFit(points([...SPECSDM91_N, ...SPECSDM91_N], [...SPECSDM91_X, ...SPECSDM91_X]));
    expect(relative(twice.sigma, fit.sigma)).toBeLessThan(1e-7);
    expect(relative(twice.rmse, fit.rmse)).toBeLessThan(1e-12);
  });

  it('scales λ with the unit of x and leaves σ, κ alone', () => {
    const perSecond = uslFit(points(SPECSDM91_N, SPECSDM91_X));
    const perHour = uslFit(points(SPECSDM91_N, SPECSDM91_X.map((x) => x * 3600)));
    expect(relative(perHour.lambda, perSecond.lambda * 3600)).toBeLessThan(1e-9);
    expect(relative(perHour.sigma, perSecond.sigma)).toBeLessThan(1e-8);
    expect(relative(perHour.kappa, perSecond.kappa)).toBeLessThan(1e-8);
  });

  it('does not mutate its input', () => {
    const data = [
      { n: 4, x: 78 },
      { n: 1, x: 20 },
      { n: 8, x: 130 },
    ];
    const copy = structuredClone(data);
    uslFit(Object.freeze(data.map((p) => Object.freeze(p))));
    expect(data).toEqual(copy);
  });

  it('says it has not converged when every point lies so far past a peak that no best fit exists', () => {
    // Three points beyond the peak: ever larger λ, σ, κ fit them ever better (the 1 in the denominator
    // vanishing); scipy's trf wanders off to λ = 5.8e12, its sum of squares lower by 3 parts in 10^8.
    const fit = uslFit(points([97, 193, 260], [13.730869005924713, 11.793080674656961, 10.93505479810403]));
    expect(fit.converged).toBe(false);
    expect(fit.lambda).toBeGreaterThan(1e6);
  });

  it('stops at maxIterations and says so', () => {
    const fit = uslFit(points(SPECSDM91_N, SPECSDM91_X), { maxIterations: 2 });
    expect(fit.converged).toBe(false);
    expect(fit.iterations).toBe(2);
  });

  it('converges in a few iterations on 64 load levels', () => {
    const ns = Array.from({ length: 64 }, (_, i) => i + 1);
    const fit = uslFit(points(ns, noisy(ns, { lambda: 1000, sigma: 0.03, kappa: 0.0005 }, ns.map((n) => 0.01 * Math.sin(n)))));
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(50);
  });

  // toThrowError(instance) checks the class and the whole message.
  it.each([
    [
      'two distinct n',
      points([1, 2, 2, 1], [10, 19, 18, 11]),
      {},
      RangeError,
      'uslFit: points have 2 distinct n (`1`, `2`): expected at least 3, one per parameter\nNote: measure at least three concurrency levels or replica counts; four or more to judge the fit',
    ],
    [
      'no points',
      [],
      {},
      RangeError,
      'uslFit: points have 0 distinct n (none): expected at least 3, one per parameter\nNote: measure at least three concurrency levels or replica counts; four or more to judge the fit',
    ],
    [
      'n below 1',
      points([0.5, 1, 2], [5, 10, 19]),
      {},
      RangeError,
      'uslFit: points[0].n is `0.5`: expected a concurrency or replica count ≥ 1\nNote: n counts units of work (virtual users, replicas); the law starts at one',
    ],
    ['negative x', points([1, 2, 3], [10, -1, 25]), {}, RangeError, 'uslFit: points[1].x is `-1`: expected a throughput ≥ 0'],
    ['NaN x', points([1, 2, 3], [10, Number.NaN, 25]), {}, TypeError, 'uslFit: points[1].x is `NaN`: expected a finite number'],
    ['missing n', [{ n: 1, x: 1 }, { x: 2 }, { n: 3, x: 3 }], {}, TypeError, 'uslFit: points[1].n is `undefined`: expected a finite number'],
    ['all x zero', points([1, 2, 3], [0, 0, 0]), {}, RangeError, 'uslFit: every x is `0`: expected some throughput above 0'],
    ['not an array', 'raytracer', {}, TypeError, 'uslFit: points is `raytracer`: expected an array of { n, x }'],
    ['maxIterations 0', points([1, 2, 3], [1, 2, 3]), { maxIterations: 0 }, RangeError, 'uslFit: maxIterations `0` is out of range: expected an integer ≥ 1'],
    ['tolerance 1', points([1, 2, 3], [1, 2, 3]), { tolerance: 1 }, RangeError, 'uslFit: tolerance `1` is out of range: expected 0 < tolerance < 1'],
  ] as const)('throws for %s', (_name, input, options, type, message) => {
    expect(() => uslFit(input as unknown as UslPoint[], options as UslFitOptions)).toThrowError(new type(message));
  });
});
