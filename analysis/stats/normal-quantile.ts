/**
 * The standard normal quantile Φ⁻¹(p): the z with P(Z ≤ z) = p, accurate to about 1 part in 10^16.
 * `normalQuantile(0.975)` is the 1.959964… of a two-sided 95% interval.
 *
 * Method: M. J. Wichura, "Algorithm AS 241: The Percentage Points of the Normal Distribution",
 * Applied Statistics 37(3), 1988, pp. 477–484 (PPND16): a rational function in (p − ½)² for
 * |p − ½| ≤ 0.425, and two in r = √(−ln min(p, 1 − p)) for the tails. This is R's `qnorm` and agrees
 * with scipy's `ndtri`. simple-statistics' `probit` goes through an approximate inverse error
 * function whose error is near 1e-3, too coarse for interval ranks.
 *
 * p = 0 and p = 1 give −∞ and +∞; NaN gives NaN; anything else outside [0, 1] throws.
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p)) return Number.NaN;
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile: p \`${p}\` is out of range: expected 0 ≤ p ≤ 1`);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * rational(CENTRAL_NUM, r)) / rational(CENTRAL_DEN, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = rational(NEAR_NUM, r) / rational(NEAR_DEN, r);
  } else {
    r -= 5;
    value = rational(FAR_NUM, r) / rational(FAR_DEN, r);
  }
  return q < 0 ? -value : value;
}

/** Horner evaluation of c[0] + c[1]·r + … + c[7]·r⁷. */
function rational(c: readonly number[], r: number): number {
  let sum = 0;
  for (let i = c.length - 1; i >= 0; i--) sum = sum * r + (c[i] as number);
  return sum;
}

// Wichura (1988), PPND16 coefficients, lowest degree first.
const CENTRAL_NUM = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457,
  67265.770927008700853, 33430.575583588128105, 2509.0809287301226727,
];
const CENTRAL_DEN = [
  1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061,
  28729.085735721942674, 5226.495278852854561,
];
const NEAR_NUM = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258,
  0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
];
const NEAR_DEN = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
];
const FAR_NUM = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093,
  0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
];
const FAR_DEN = [
  1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4,
  1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15,
];
