/**
 * A run's requests, failures, dropped iterations and latency histogram per second from a given start
 * (stress and resilience judge seconds; a run of coarser buckets has one entry per bucket, at its
 * first second).
 */
import { LogHistogram } from '../stats/log-histogram.ts';
import { groupsOf, type Run } from './run.ts';

export interface Second {
  requests: number;
  failed: number;
  dropped: number;
  hist: LogHistogram;
}

/** Seconds from `startMs` (negative before it) → that second's totals; empty without raw data. */
export function perSecondOf(run: Run, startMs: number): Map<number, Second> {
  const out = new Map<number, Second>();
  if (run.aggregator === null) return out;
  const bucketMs = run.aggregator.bucketMs;
  const at = (bucket: number): Second => {
    const s = Math.floor((bucket * bucketMs - startMs) / 1000);
    let entry = out.get(s);
    if (entry === undefined) {
      entry = { requests: 0, failed: 0, dropped: 0, hist: new LogHistogram() };
      out.set(s, entry);
    }
    return entry;
  };
  for (const group of groupsOf(run, 'http_reqs')) for (const [bucket, stats] of group.buckets) at(bucket).requests += stats.count;
  for (const group of groupsOf(run, 'http_req_failed')) for (const [bucket, stats] of group.buckets) at(bucket).failed += stats.nonzero;
  for (const group of groupsOf(run, 'dropped_iterations')) for (const [bucket, stats] of group.buckets) at(bucket).dropped += stats.sum;
  for (const group of groupsOf(run, 'http_req_duration')) for (const [bucket, stats] of group.buckets) if (stats.hist !== null) at(bucket).hist.merge(stats.hist);
  return out;
}

