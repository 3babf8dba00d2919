/**
 * The knee (or elbow) of a curve by the Kneedle method: for latency against load, the load level after
 * which latency stops being flat and starts to climb.
 *
 * Definition (offline, without smoothing — the input is a handful of load levels), following the
 * `kneed` package 0.9.0 (`KneeLocator(x, y, S, curve, direction, interp_method='interp1d', online=False)`):
 * 1. Sort the points by x; normalise x and y to [0, 1] by their min and max.
 * 2. Turn every shape into a concave increasing one: y is mirrored to 1 − y for convex curves and
 *    the order is reversed for convex-increasing and concave-decreasing ones, where x is mirrored
 *    too (x → 1 − x, taken in reverse order so it still ascends).
 * 3. The difference curve is d_i = y_i − x_i of the transformed points. Its local maxima are the
 *    points with d_i ≥ both neighbours (and d_i > 0, see below), its local minima those with d_i ≤
 *    both (an end point is compared with its one neighbour; a point on a plateau is both).
 * 4. Each local maximum i sets the threshold T_i = d_i − S·mean(x_{j+1} − x_j) (S = `sensitivity`).
 *    Walking right from the first maximum, the knee is the most recent maximum as soon as the next
 *    d falls below its threshold; a local minimum suspends the search until the next maximum. The
 *    first knee found is returned, and the transformed index maps back to the original point.
 * There is no knee (null) with fewer than 3 points, when all y are equal, or when d never falls
 * below a threshold — a straight line, a curve bent the other way than `curve` says, or three evenly
 * spaced points at S = 1 (their threshold is at most d − ½ ≤ 0, the d of the last point).
 *
 * Differs from kneed in one respect: only local maxima with d > 0 (points above the chord of the
 * transformed curve) can be knees. kneed also takes maxima at or below zero, which only occur where
 * the curve bends the wrong way: for a concave (saturating) curve analysed as convex it reports the
 * last point, with d = 0, as the knee, and for latency that climbs and then levels off at a timeout
 * it stops at that same end point before reaching the elbow. Here the first is null and the second
 * finds the elbow. Whenever kneed's knee has d > 0 the two agree exactly.
 *
 * kneed 0.9.0 mirrors x by value in step 2; 0.8.x reversed y by index only, which gives the same
 * knee when the load levels are evenly spaced but not otherwise.
 *
 * Source: V. Satopää, J. Albrecht, D. Irwin & B. Raghavan, "Finding a 'Kneedle' in a Haystack:
 * Detecting Knee Points in System Behavior", 31st International Conference on Distributed Computing
 * Systems Workshops (ICDCSW), 2011, pp. 166–171; kneed, https://github.com/arvkevi/kneed.
 */
export function kneedle(points: readonly KneedlePoint[], options: KneedleOptions = {}): Knee | null {
  const { sensitivity = 1, curve = 'convex', direction = 'increasing' } = options;
  if (curve !== 'convex' && curve !== 'concave') {
    throw new RangeError(`kneedle: unknown curve \`${String(curve)}\`: expected \`convex\` or \`concave\``);
  }
  if (direction !== 'increasing' && direction !== 'decreasing') {
    throw new RangeError(`kneedle: unknown direction \`${String(direction)}\`: expected \`increasing\` or \`decreasing\``);
  }
  if (!(typeof sensitivity === 'number' && Number.isFinite(sensitivity) && sensitivity >= 0)) {
    throw new RangeError(`kneedle: sensitivity \`${String(sensitivity)}\` is out of range: expected a finite number ≥ 0`);
  }
  points.forEach((point, i) => {
    for (const axis of ['x', 'y'] as const) {
      const v: unknown = point[axis];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`kneedle: points[${i}].${axis} is \`${String(v)}\`: expected a finite number`);
    }
  });
  const order = points.map((_, i) => i).sort((a, b) => (points[a] as KneedlePoint).x - (points[b] as KneedlePoint).x);
  for (let k = 1; k < order.length; k++) {
    const a = order[k - 1] as number;
    const b = order[k] as number;
    if ((points[a] as KneedlePoint).x === (points[b] as KneedlePoint).x) {
      throw new RangeError(
        `kneedle: points[${Math.min(a, b)}] and points[${Math.max(a, b)}] share x \`${(points[a] as KneedlePoint).x}\`: expected distinct x values\n` +
          'Note: aggregate repeated measurements at one load level first (e.g. their median)',
      );
    }
  }
  const count = order.length;
  if (count < 3) return null;
  const xs = order.map((i) => (points[i] as KneedlePoint).x);
  const ys = order.map((i) => (points[i] as KneedlePoint).y);
  const xNorm = normalise(xs);
  const yNorm = normalise(ys);
  if (xNorm === null || yNorm === null) return null;

  const mirrored = (direction === 'increasing' && curve === 'convex') || (direction === 'decreasing' && curve === 'concave');
  const yFlat = curve === 'convex' ? yNorm.map((v) => 1 - v) : yNorm;
  const yT = mirrored ? [...yFlat].reverse() : yFlat;
  const xT = mirrored ? xNorm.map((v) => 1 - v).reverse() : xNorm;
  const diff = yT.map((v, i) => v - (xT[i] as number));

  const at = (i: number): number => diff[Math.min(Math.max(i, 0), count - 1)] as number;
  // Only maxima above the chord (d > 0) are knees; see "Differs from kneed" above.
  const isMax = (i: number): boolean => at(i) > 0 && at(i) >= at(i - 1) && at(i) >= at(i + 1);
  const isMin = (i: number): boolean => at(i) <= at(i - 1) && at(i) <= at(i + 1);
  // |mean of the x steps| as numpy's np.diff(x).mean(): summed step by step, not taken as 1/(count − 1).
  let steps = 0;
  for (let i = 1; i < count; i++) steps += (xT[i] as number) - (xT[i - 1] as number);
  const drop = sensitivity * Math.abs(steps / (count - 1));

  let first = 0;
  while (first < count && !isMax(first)) first++;
  let threshold = 0;
  let peak = -1;
  let active = true;
  for (let i = first; i < count - 1; i++) {
    if (isMax(i)) {
      threshold = (diff[i] as number) - drop;
      peak = i;
      active = true;
    }
    if (isMin(i)) active = false;
    if (active && (diff[i + 1] as number) < threshold) {
      const sorted = mirrored ? count - 1 - peak : peak;
      const index = order[sorted] as number;
      const point = points[index] as KneedlePoint;
      return { index, x: point.x, y: point.y, difference: diff[peak] as number, threshold };
    }
  }
  return null;
}

export interface KneedlePoint {
  readonly x: number;
  readonly y: number;
}

export interface KneedleOptions {
  /** S: how far (in mean x steps of the normalised curve) the difference curve must drop below a maximum; default 1. */
  sensitivity?: number;
  /** `convex` (default) for an elbow that bends upwards, like latency against load; `concave` for a knee that flattens out, like throughput. */
  curve?: 'convex' | 'concave';
  /** Whether y grows (default) or shrinks with x. */
  direction?: 'increasing' | 'decreasing';
}

export interface Knee {
  /** Position of the knee in the `points` given (not in x order). */
  index: number;
  x: number;
  y: number;
  /** The difference curve at the knee: its local maximum, in normalised units. */
  difference: number;
  /** The threshold the curve fell below, `difference` − S·(mean normalised x step). */
  threshold: number;
}

/** (v − min)/(max − min), or null when all values are equal. */
function normalise(values: readonly number[]): number[] | null {
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (max === min) return null;
  return values.map((v) => (v - min) / (max - min));
}
