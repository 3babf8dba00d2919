import { uslThroughput } from './usl-throughput.ts';

/**
 * Fits Gunther's Universal Scalability Law X(N) = λN / (1 + σ(N − 1) + κN(N − 1)) (see `uslThroughput`)
 * to measured throughput x at concurrency or replica count n: the λ > 0, σ ≥ 0, κ ≥ 0 that minimise the
 * sum of squared residuals Σ(xᵢ − X(nᵢ))², in the unit of x (no weights, no normalisation by X(1)).
 *
 * Method: Levenberg–Marquardt with Marquardt's scaling (the damping term is μ·diag(JᵀJ)) and Nielsen's
 * update of μ, made to respect the bounds by projection: a trial point is clamped to σ, κ ≥ 0 (and λ
 * to no less than a tenth of its value, so it stays positive), and a parameter that sits on its bound
 * while the gradient pushes it outwards is held there for that step (an active set), so the iteration
 * ends at a point that satisfies the Karush–Kuhn–Tucker conditions of the bounded problem. It starts
 * twice — from Gunther's quadratic estimate (below) and from linear scaling, σ = κ = 0 — each time with
 * the λ that is optimal for the starting σ, κ (the model is linear in λ), and keeps the lower minimum.
 * It stops when the cosine of the angle between the residuals and every free column of the Jacobian
 * is at most `tolerance` (MINPACK's gtol test), when the Gauss–Newton step (the distance to the
 * minimum of the local linear model) changes no free parameter by more than `tolerance` relative to
 * it, when no step can change a double any more, or when the residuals vanish to rounding (an exact
 * fit). Near the minimum the decrease of Σr² falls below its own rounding error; a step is then
 * accepted on the linear model's prediction, so the result is as close to the minimum as the gradient
 * can tell, not only as the sum of squares can.
 *
 * Gunther's estimate (Guerrilla Capacity Planning, §5.2.3 as the R package usl cites it): with λ₀ = x/n
 * at the smallest n, the "deviation from linearity" nλ₀/x − 1 = σ(n − 1) + κn(n − 1) is a regression
 * through the origin in two unknowns; clamped at 0, it gives the starting σ, κ. It is a start only: it
 * fits relative capacity, it trusts the smallest-n point exactly, and its least squares are not those of x.
 *
 * Bounds: the minimum is often on a bound — κ = 0 when throughput never turns down (the ray-tracer data
 * in the tests), σ = κ = 0 when scaling is linear or better. The parameter is then exactly 0: by the
 * projection, or because a σ or κ whose term is below 1e-10 of every denominator is set to 0 at the end
 * (with λ made optimal again; no fitted value moves by more than 1e-10). scipy's `trf`, which keeps its
 * iterates strictly inside the bounds, returns values like 1e-28 there: the same curve. Elsewhere the
 * result matches `scipy.optimize.curve_fit(usl, n, x, bounds=([0, 0, 0], [inf, inf, inf]),
 * method='trf')` to about 1e-8 when scipy is given the analytic Jacobian and tight tolerances; with its
 * default finite differences it stops up to a few parts in 10^6 short of the minimum.
 *
 * Data with every point far past a peak can be fitted better and better as λ, σ, κ grow together
 * without bound (the 1 in the denominator becoming negligible): there is no minimum. The iteration then
 * stops somewhere on the way and `converged` is false.
 *
 * With exactly three distinct n (one point each) there are as many parameters as points: the curve
 * usually passes through all three (r2 = 1, rmse ≈ 0), which says nothing about how well the USL
 * describes the system, only that three numbers were fitted by three. When no curve with σ, κ ≥ 0 passes
 * through them (throughput that grows faster than linearly) the result is the best bounded fit instead.
 * Use four or more load levels to learn anything from r2.
 *
 * Peak: dX/dN = 0 at N* = √((1 − σ)/κ) (Gunther, ch. 4); `peakN` is that real number (the best whole
 * count is ⌊N*⌋ or ⌈N*⌉), or null when κ = 0 (throughput grows forever, towards λ/σ) or N* < 1, that
 * is σ + κ > 1 (throughput falls from N = 1 on).
 *
 * Sources: N. J. Gunther, Guerrilla Capacity Planning, Springer, 2007 (the model, ch. 4–6); K. Levenberg,
 * "A method for the solution of certain non-linear problems in least squares", Quarterly of Applied
 * Mathematics 2(2), 1944, pp. 164–168; D. W. Marquardt, "An algorithm for least-squares estimation of
 * nonlinear parameters", SIAM Journal on Applied Mathematics 11(2), 1963, pp. 431–441; H. B. Nielsen,
 * "Damping parameter in Marquardt's method", IMM-REP-1999-05, Technical University of Denmark, 1999;
 * C. Kanzow, N. Yamashita & M. Fukushima, "Levenberg–Marquardt methods with strong local convergence
 * properties for solving nonlinear equations with convex constraints", Journal of Computational and
 * Applied Mathematics 172(2), 2004, pp. 375–397 (the projected step); J. J. Moré, B. S. Garbow &
 * K. E. Hillstrom, User Guide for MINPACK-1, ANL-80-74, 1980 (the stopping tests).
 */
export function uslFit(points: readonly UslPoint[], options: UslFitOptions = {}): UslFit {
  const { maxIterations = 1000, tolerance = 1e-10 } = options;
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1)) {
    throw new RangeError(`uslFit: maxIterations \`${String(maxIterations)}\` is out of range: expected an integer ≥ 1`);
  }
  if (!(typeof tolerance === 'number' && tolerance > 0 && tolerance < 1)) {
    throw new RangeError(`uslFit: tolerance \`${String(tolerance)}\` is out of range: expected 0 < tolerance < 1`);
  }
  if (!Array.isArray(points)) throw new TypeError(`uslFit: points is \`${String(points)}\`: expected an array of { n, x }`);
  const ns: number[] = [];
  const xs: number[] = [];
  points.forEach((point, i) => {
    const n: unknown = (point as Partial<UslPoint> | null)?.n;
    const x: unknown = (point as Partial<UslPoint> | null)?.x;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new TypeError(`uslFit: points[${i}].n is \`${String(n)}\`: expected a finite number`);
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new TypeError(`uslFit: points[${i}].x is \`${String(x)}\`: expected a finite number`);
    if (n < 1) {
      throw new RangeError(`uslFit: points[${i}].n is \`${n}\`: expected a concurrency or replica count ≥ 1\nNote: n counts units of work (virtual users, replicas); the law starts at one`);
    }
    if (x < 0) throw new RangeError(`uslFit: points[${i}].x is \`${x}\`: expected a throughput ≥ 0`);
    ns.push(n);
    xs.push(x);
  });
  const distinct = [...new Set(ns)].sort((a, b) => a - b);
  if (distinct.length < 3) {
    const listed = distinct.length === 0 ? 'none' : distinct.map((n) => `\`${n}\``).join(', ');
    throw new RangeError(
      `uslFit: points have ${distinct.length} distinct n (${listed}): expected at least 3, one per parameter\n` +
        'Note: measure at least three concurrency levels or replica counts; four or more to judge the fit',
    );
  }
  const xMax = Math.max(...xs);
  if (xMax === 0) throw new RangeError('uslFit: every x is `0`: expected some throughput above 0');

  // Throughput in units of its maximum: λ is then of order 1/n, and the exact-fit test has a fixed scale.
  const ys = xs.map((x) => x / xMax);
  const runs = [gunther(ns, ys), [0, 0] as const].map(([sigma, kappa]) =>
    levenbergMarquardt(ns, ys, [optimalLambda(ns, ys, sigma, kappa), sigma, kappa], maxIterations, tolerance),
  );
  let best = runs.reduce((a, b) => (b.cost < a.cost ? b : a));
  // Iterates can approach a bound without reaching it once the last steps are below tolerance. A σ or κ
  // whose term is below 1e-10 of every denominator is put on its bound (and λ made optimal again): it
  // moves no fitted value by more than that, less than the minimum itself is determined, and the reader
  // sees the 0 it stands for.
  const nMax = distinct[distinct.length - 1] as number;
  const sigmaTerm = best.p[1] * (nMax - 1);
  const kappaTerm = best.p[2] * nMax * (nMax - 1);
  if ((sigmaTerm > 0 && sigmaTerm <= 1e-10) || (kappaTerm > 0 && kappaTerm <= 1e-10)) {
    const sigma = sigmaTerm <= 1e-10 ? 0 : best.p[1];
    const kappa = kappaTerm <= 1e-10 ? 0 : best.p[2];
    const p: [number, number, number] = [optimalLambda(ns, ys, sigma, kappa), sigma, kappa];
    best = { ...best, p, cost: evaluate(ns, ys, p).cost };
  }
  // Data that only a curve with λ, σ, κ → ∞ fits best (every point far past a peak, the 1 in the
  // denominator negligible): the sum of squares has no minimum, only a limit; the iterate is somewhere
  // on the way there.
  const unbounded = Math.min(...ns.map((n) => 1 / (1 + best.p[1] * (n - 1) + best.p[2] * n * (n - 1)))) < 1e-6;
  const [scaledLambda, sigma, kappa] = best.p;
  const params = { lambda: scaledLambda * xMax, sigma, kappa };

  const mean = xs.reduce((sum, x) => sum + x, 0) / xs.length;
  let ssRes = 0;
  let ssTot = 0;
  xs.forEach((x, i) => {
    ssRes += (x - uslThroughput(params, ns[i] as number)) ** 2;
    ssTot += (x - mean) ** 2;
  });
  // N* ≥ 1 exactly when σ + κ ≤ 1; otherwise X falls from N = 1 on and has no peak to report.
  const peakN = kappa > 0 && sigma + kappa <= 1 ? Math.sqrt((1 - sigma) / kappa) : null;
  return {
    ...params,
    // Constant x (a bottleneck outside the system: σ = 1 fits it) leaves R² at 0/0: 1 for an exact fit,
    // else 0, as scikit-learn's r2_score(force_finite=True) has it.
    r2: ssTot > 0 ? 1 - ssRes / ssTot : best.cost <= exactFit(ys) ? 1 : 0,
    rmse: Math.sqrt(ssRes / xs.length),
    peakN,
    peakX: peakN === null ? null : uslThroughput(params, peakN),
    iterations: best.iterations,
    converged: best.converged && !unbounded,
  };
}

export interface UslPoint {
  /** Concurrency (virtual users, threads) or replica count, ≥ 1; need not be whole. */
  readonly n: number;
  /** Measured throughput at n, ≥ 0, in any unit (the fitted λ and `peakX` are in the same unit). */
  readonly x: number;
}

export interface UslFitOptions {
  /** Iterations per start before giving up (`converged` false); default 1000. */
  maxIterations?: number;
  /** The gtol and xtol of the stopping tests, 0 < tolerance < 1; default 1e-10. */
  tolerance?: number;
}

export interface UslFit {
  /** Throughput of one unit, X(1), in the unit of x. */
  lambda: number;
  /** Contention, ≥ 0. */
  sigma: number;
  /** Coherency, ≥ 0. */
  kappa: number;
  /**
   * Coefficient of determination of the fitted X(n) for x: 1 − Σ(x − X)²/Σ(x − x̄)². When every x is
   * equal (0/0): 1 if the curve passes through them, else 0 (scikit-learn's `force_finite` rule).
   */
  r2: number;
  /** Root mean squared residual √(Σ(x − X)²/m) over the m points (no degrees-of-freedom correction). */
  rmse: number;
  /** N* = √((1 − σ)/κ), where X peaks; null when κ = 0 or σ + κ > 1 (no peak at N ≥ 1). */
  peakN: number | null;
  /** X(N*); null with `peakN`. */
  peakX: number | null;
  /** Levenberg–Marquardt iterations of the start that gave the result. */
  iterations: number;
  /**
   * Whether that start met a stopping test within `maxIterations`; false too when the data has no
   * best fit, only ever better ones as λ, σ, κ grow without bound (every point far past a peak).
   */
  converged: boolean;
}

interface Run {
  /** Scaled λ, σ, κ. */
  p: [number, number, number];
  /** Σ r² in scaled units. */
  cost: number;
  iterations: number;
  converged: boolean;
}

/**
 * Residuals r = X − y, the Jacobian ∂X/∂(λ, σ, κ) (one row per point), Σr², and the rounding error of
 * that sum: each rᵢ is a difference of numbers near yᵢ, so it is off by about ε·yᵢ, and Σr² by 2Σ|rᵢ|·ε·yᵢ.
 */
function evaluate(ns: readonly number[], ys: readonly number[], [lambda, sigma, kappa]: readonly number[]): { r: number[]; jac: [number, number, number][]; cost: number; noise: number } {
  const r: number[] = [];
  const jac: [number, number, number][] = [];
  let cost = 0;
  let noise = 0;
  ns.forEach((n, i) => {
    const d = 1 + (sigma as number) * (n - 1) + (kappa as number) * n * (n - 1);
    const g = n / d;
    const y = ys[i] as number;
    const ri = (lambda as number) * g - y;
    const shrink = ((lambda as number) * g * (n - 1)) / d;
    r.push(ri);
    jac.push([g, -shrink, -shrink * n]);
    cost += ri * ri;
    noise += Math.abs(ri) * (Math.abs(y) + Math.abs(ri));
  });
  return { r, jac, cost, noise: 8 * Number.EPSILON * noise };
}

/** Σr² this small relative to the data is rounding: an exact fit (three points, or data on a model curve). */
function exactFit(ys: readonly number[]): number {
  return 1e-28 * ys.reduce((sum, y) => sum + y * y, 0);
}

/** The λ that minimises Σ(λ·g − y)² for fixed σ, κ: Σ y·g / Σ g², g = n/(1 + σ(n − 1) + κn(n − 1)). */
function optimalLambda(ns: readonly number[], ys: readonly number[], sigma: number, kappa: number): number {
  let yg = 0;
  let gg = 0;
  ns.forEach((n, i) => {
    const g = n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
    yg += (ys[i] as number) * g;
    gg += g * g;
  });
  // Some y > 0 and every g > 0, so yg > 0 too.
  return yg / gg;
}

/** Gunther's quadratic estimate of σ, κ, clamped to ≥ 0 (see `uslFit`). */
function gunther(ns: readonly number[], ys: readonly number[]): readonly [number, number] {
  const nMin = Math.min(...ns);
  const atMin = ys.filter((_, i) => ns[i] === nMin);
  const lambda0 = atMin.reduce((sum, y) => sum + y, 0) / atMin.length / nMin;
  if (!(lambda0 > 0)) return [0, 0];
  let aa = 0;
  let ab = 0;
  let bb = 0;
  let az = 0;
  let bz = 0;
  ns.forEach((n, i) => {
    const y = ys[i] as number;
    if (y <= 0) return;
    const z = (n * lambda0) / y - 1;
    const a = n - 1;
    const b = n * (n - 1);
    aa += a * a;
    ab += a * b;
    bb += b * b;
    az += a * z;
    bz += b * z;
  });
  const det = aa * bb - ab * ab;
  const sigma = det > 0 ? (az * bb - bz * ab) / det : -1;
  const kappa = det > 0 ? (bz * aa - az * ab) / det : -1;
  if (sigma >= 0 && kappa >= 0) return [sigma, kappa];
  // One of the two alone, through the origin; the better of the two would need the residuals, and a start need not be best.
  if (kappa < 0 && aa > 0) return [Math.max(az / aa, 0), 0];
  if (bb > 0) return [0, Math.max(bz / bb, 0)];
  return [0, 0];
}

function levenbergMarquardt(ns: readonly number[], ys: readonly number[], start: [number, number, number], maxIterations: number, tolerance: number): Run {
  let p = start;
  let { r, jac, cost, noise } = evaluate(ns, ys, p);
  const exact = exactFit(ys);
  let mu = 1e-3;
  let nu = 2;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const done = (converged: boolean): Run => ({ p, cost, iterations: iteration - 1, converged });
    if (cost <= exact) return done(true);
    const g = [0, 0, 0];
    const a = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ] as number[][];
    jac.forEach((row, i) => {
      for (let j = 0; j < 3; j++) {
        g[j] = (g[j] as number) + (row[j] as number) * (r[i] as number);
        for (let k = 0; k < 3; k++) (a[j] as number[])[k] = ((a[j] as number[])[k] as number) + (row[j] as number) * (row[k] as number);
      }
    });
    const diag = (j: number): number => (a[j] as number[])[j] as number;
    // A bound parameter whose gradient points outwards (descent would make it negative) stays on the bound.
    const free = [0, 1, 2].filter((j) => !(j > 0 && p[j] === 0 && (g[j] as number) >= 0));
    // gtol: the residuals are orthogonal to every free column of the Jacobian.
    if (free.every((j) => Math.abs(g[j] as number) <= tolerance * Math.sqrt(diag(j) * cost))) return done(true);
    // xtol: the Gauss–Newton step, the distance to the stationary point of the local linear model, is negligible.
    const newton = dampedStep(a, g, free, 0);
    if (free.every((j, k) => Math.abs(newton[k] as number) <= tolerance * (Math.abs(p[j] as number) + tolerance))) return done(true);
    for (;;) {
      const step = dampedStep(a, g, free, mu);
      const trial: [number, number, number] = [...p];
      free.forEach((j, k) => {
        const next = (p[j] as number) + (step[k] as number);
        trial[j] = j === 0 ? Math.max(next, (p[0] as number) / 10) : Math.max(next, 0);
      });
      // The step is below the spacing of doubles: no iterate can be closer to the minimum.
      if (trial.every((v, j) => v === p[j])) return done(true);
      const next = evaluate(ns, ys, trial);
      // Predicted reduction of Σr² for the unprojected step δ: μ·δᵀDδ − gᵀδ.
      let predicted = 0;
      free.forEach((j, k) => {
        const s = step[k] as number;
        predicted += mu * diag(j) * s * s - (g[j] as number) * s;
      });
      // Near the minimum the gain falls below the rounding of Σr²; there the linear model is the better judge.
      const negligible = predicted <= noise;
      if (next.cost < cost || (negligible && next.cost <= cost + noise + next.noise)) {
        const rho = negligible ? 1 : (cost - next.cost) / predicted;
        mu *= Math.max(1 / 3, 1 - (2 * rho - 1) ** 3);
        nu = 2;
        p = trial;
        ({ r, jac, cost, noise } = next);
        break;
      }
      mu *= nu;
      nu *= 2;
    }
  }
  return { p, cost, iterations: maxIterations, converged: false };
}

/**
 * Solves (A + μ·diag(A)) δ = −g for the free parameters, in the variables scaled to unit diagonal
 * (δⱼ = yⱼ/√Aⱼⱼ), which keeps λ, σ and κ of very different sizes from spoiling the elimination.
 */
function dampedStep(a: readonly (readonly number[])[], g: readonly number[], free: readonly number[], mu: number): number[] {
  const scale = free.map((j) => 1 / Math.sqrt((a[j] as number[])[j] as number));
  const m = free.map((j, row) => [
    ...free.map((k, col) => ((a[j] as number[])[k] as number) * (scale[row] as number) * (scale[col] as number) + (row === col ? mu : 0)),
    -(g[j] as number) * (scale[row] as number),
  ]);
  const size = free.length;
  for (let col = 0; col < size; col++) {
    let pivot = col;
    for (let row = col + 1; row < size; row++) if (Math.abs((m[row] as number[])[col] as number) > Math.abs((m[pivot] as number[])[col] as number)) pivot = row;
    [m[col], m[pivot]] = [m[pivot] as number[], m[col] as number[]];
    const lead = m[col] as number[];
    for (let row = col + 1; row < size; row++) {
      const target = m[row] as number[];
      const factor = (target[col] as number) / (lead[col] as number);
      for (let k = col; k <= size; k++) target[k] = (target[k] as number) - factor * (lead[k] as number);
    }
  }
  const y = new Array<number>(size).fill(0);
  for (let row = size - 1; row >= 0; row--) {
    const line = m[row] as number[];
    let sum = line[size] as number;
    for (let k = row + 1; k < size; k++) sum -= (line[k] as number) * (y[k] as number);
    y[row] = sum / (line[row] as number);
  }
  return y.map((v, k) => v * (scale[k] as number));
}
