/**
 * SLO thresholds from configuration. A breached threshold makes k6 exit with code 99
 * (ThresholdsHaveFailed), which is what sweeps and CI gates key on.
 */
import type { Options } from 'k6/options';

export interface Slo {
  /** 95th percentile of `http_req_duration`, in ms. */
  readonly p95Ms: number;
  /** Optional 99th percentile bound, in ms. */
  readonly p99Ms?: number | undefined;
  /** Largest acceptable share of failed requests (`http_req_failed`), 0..1. */
  readonly errorRate: number;
}

export interface AbortPolicy {
  /** Stop the run as soon as the SLO is breached (k6 evaluates every 2 s); still exit code 99. */
  readonly abortOnFail: boolean;
  /** Grace period before the first evaluation, so the cold start does not abort the run. */
  readonly delayAbortEval?: string | undefined;
}

type ThresholdEntry = string | { threshold: string; abortOnFail: boolean; delayAbortEval?: string };

export function sloThresholds(slo: Slo, policy: AbortPolicy = { abortOnFail: false }): NonNullable<Options['thresholds']> {
  const entry = (threshold: string): ThresholdEntry => {
    if (!policy.abortOnFail) return threshold;
    return policy.delayAbortEval === undefined
      ? { threshold, abortOnFail: true }
      : { threshold, abortOnFail: true, delayAbortEval: policy.delayAbortEval };
  };
  const latency = [entry(`p(95)<${slo.p95Ms}`)];
  if (slo.p99Ms !== undefined) latency.push(entry(`p(99)<${slo.p99Ms}`));
  return {
    http_req_duration: latency,
    http_req_failed: [entry(`rate<${slo.errorRate}`)],
  } as NonNullable<Options['thresholds']>;
}
