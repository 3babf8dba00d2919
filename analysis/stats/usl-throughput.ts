/**
 * The throughput that Gunther's Universal Scalability Law predicts at concurrency (or replica count) n:
 *
 *   X(n) = λ·n / (1 + σ·(n − 1) + κ·n·(n − 1))
 *
 * with λ the throughput of one unit without interference (X(1) = λ), σ the contention (serialisation:
 * the Amdahl fraction) and κ the coherency (crosstalk: every pair of units exchanging data, which makes
 * throughput fall after a peak). σ = κ = 0 is linear scaling, κ = 0 is Amdahl's law. n counts units
 * of work, so it is at least 1 (below, the denominator can reach 0 when σ ≥ 1).
 *
 * Sources: N. J. Gunther, Guerrilla Capacity Planning, Springer, 2007, ch. 4 (written there for the
 * relative capacity C(N) = X(N)/X(1), so X(N) = λ·C(N)); N. J. Gunther, "A General Theory of
 * Computational Scalability Based on Rational Functions", arXiv:0808.1431, 2008; "How to Quantify
 * Scalability", http://www.perfdynamics.com/Manifesto/USLscalability.html.
 */
export function uslThroughput(params: UslParameters, n: number): number {
  const { lambda, sigma, kappa } = params;
  if (!(typeof lambda === 'number' && Number.isFinite(lambda) && lambda > 0)) {
    throw new RangeError(`uslThroughput: lambda \`${String(lambda)}\` is out of range: expected a finite number > 0`);
  }
  for (const [name, value] of [['sigma', sigma], ['kappa', kappa]] as const) {
    if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      throw new RangeError(`uslThroughput: ${name} \`${String(value)}\` is out of range: expected a finite number ≥ 0`);
    }
  }
  if (!(typeof n === 'number' && Number.isFinite(n) && n >= 1)) {
    throw new RangeError(`uslThroughput: n \`${String(n)}\` is out of range: expected a finite number ≥ 1`);
  }
  return (lambda * n) / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

/** The three coefficients of the Universal Scalability Law; `uslFit` returns them (and more). */
export interface UslParameters {
  /** Throughput of one unit (X(1)), in the unit of the measured throughput; > 0. */
  readonly lambda: number;
  /** Contention, ≥ 0. */
  readonly sigma: number;
  /** Coherency, ≥ 0. */
  readonly kappa: number;
}
