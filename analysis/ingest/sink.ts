/**
 * What loaders feed: samples and metric declarations. The NDJSON and CSV loaders both write into a
 * `SampleSink` (normally the aggregator), so merging, bucketing and percentiles are done in one place.
 */

/** k6 metric types (`Metric` lines of `--out json`); `unknown` when neither declared nor built in. */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend' | 'unknown';

/** What a metric's values are: plain numbers, milliseconds, or bytes. */
export type MetricContains = 'default' | 'time' | 'data';

/** Tag values are strings in every k6 output. */
export type Tags = Readonly<Record<string, string>>;

export interface SampleSink {
  /** A metric's type, from a `Metric` line or the loader's knowledge of k6's built-ins. */
  declareMetric(name: string, type: MetricType, contains: MetricContains): void;
  /**
   * One sample. `timeMs` is Unix time in milliseconds (fractions keep µs precision). `tagsKey` is a
   * string that is equal for equal tag sets within one loader; `tags` is called only the first time a
   * key is seen, so loaders can skip building objects for repeated tag sets.
   */
  sample(metric: string, timeMs: number, value: number, tagsKey: string, tags: () => Tags): void;
  /**
   * Set by a loader while it feeds the sink: called once for a metric that is neither declared nor a
   * k6 built-in, so the loader can report it with the line it first appeared on.
   */
  onUnknownMetric?: ((metric: string) => void) | undefined;
}
