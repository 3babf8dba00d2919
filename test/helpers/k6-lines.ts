/**
 * k6 `--out json` lines in the layout k6 v2 writes (k6-facts §2: `metric` first on Point lines, tag
 * keys sorted), for tests that need exact control over samples. Real k6 output is used where the
 * test is about k6 itself (test/integration).
 */
export function metricLine(name: string, type: 'counter' | 'gauge' | 'rate' | 'trend', contains: 'default' | 'time' | 'data' = 'default'): string {
  return JSON.stringify({ type: 'Metric', data: { name, type, contains, thresholds: [], submetrics: null }, metric: name });
}

export function pointLine(metric: string, timeMs: number, value: number, tags: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(tags).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ metric, type: 'Point', data: { time: new Date(timeMs).toISOString(), value, tags: sorted } });
}

export interface RequestSpec {
  readonly timeMs: number;
  readonly durationMs: number;
  readonly failed?: boolean;
  readonly tags: Record<string, string>;
}

/** The lines k6 writes for one request of one iteration: http_reqs, http_req_duration, http_req_failed, iterations. */
export function requestLines(request: RequestSpec): string[] {
  const { timeMs, durationMs, failed = false, tags } = request;
  const http = { ...tags, expected_response: failed ? 'false' : 'true', status: failed ? '500' : '200', method: 'GET' };
  return [
    pointLine('http_reqs', timeMs, 1, http),
    pointLine('http_req_duration', timeMs, durationMs, http),
    pointLine('http_req_failed', timeMs, failed ? 1 : 0, http),
    pointLine('iterations', timeMs, 1, tags),
  ];
}

export const DECLARATIONS = [
  metricLine('http_reqs', 'counter'),
  metricLine('http_req_duration', 'trend', 'time'),
  metricLine('http_req_failed', 'rate'),
  metricLine('iterations', 'counter'),
  metricLine('vus', 'gauge'),
  metricLine('dropped_iterations', 'counter'),
];
