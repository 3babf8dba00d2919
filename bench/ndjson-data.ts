/**
 * A k6 `--out json` file of a given size, shaped like real k6 output of our scenarios: per request the
 * nine built-in HTTP metrics with k6's tag set (keys sorted, as k6 writes them) plus our standard tags;
 * per iteration `data_sent`, `data_received`, `iterations`, `iteration_duration`; `vus` and `vus_max`
 * every second; each metric's `Metric` line just before its first point; times in RFC 3339 with
 * nanoseconds. Latencies are log-normal, 1% of requests fail with a 500. Deterministic (seeded), so
 * every run of the benchmark reads the same bytes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { gaussian, mulberry32 } from '../analysis/stats/random.ts';

export interface GeneratedData {
  readonly bytes: number;
  readonly requests: number;
}

const METRIC_TYPES: Record<string, [string, string]> = {
  http_reqs: ['counter', 'default'],
  http_req_failed: ['rate', 'default'],
  data_sent: ['counter', 'data'],
  data_received: ['counter', 'data'],
  iterations: ['counter', 'default'],
  vus: ['gauge', 'default'],
  vus_max: ['gauge', 'default'],
};

/** The request mix of both generators (this one and csv-data.ts): the constant scenario's default. */
const ENDPOINTS = [
  { method: 'POST', path: '/predict', weight: 0.8, medianMs: 12 },
  { method: 'GET', path: '/health', weight: 0.1, medianMs: 0.6 },
  { method: 'GET', path: '/metrics', weight: 0.1, medianMs: 0.9 },
];

/**
 * Writes requests at `rate` per second until the file has `targetBytes`, or (with `seconds`) until
 * that much time of the run is written, whichever comes first.
 */
export function generateNdjson(file: string, targetBytes: number, options: { rate?: number; seed?: number; seconds?: number; runId?: string } = {}): GeneratedData {
  const { rate = 100, seed = 1, seconds = Number.POSITIVE_INFINITY, runId = '20261124T010000Z-3f9c2a' } = options;
  const random = mulberry32(seed);
  const fd = openSync(file, 'w');
  const declared = new Set<string>();
  const out = new LineWriter(fd);
  const emit = (line: string): void => out.line(line);
  let requests = 0;
  const point = (metric: string, timeNs: bigint, value: number, tags: string): void => {
    if (!declared.has(metric)) {
      declared.add(metric);
      const [type, contains] = METRIC_TYPES[metric] ?? ['trend', 'time'];
      emit(`{"type":"Metric","data":{"name":"${metric}","type":"${type}","contains":"${contains}","thresholds":[],"submetrics":null},"metric":"${metric}"}`);
    }
    emit(`{"metric":"${metric}","type":"Point","data":{"time":"${rfc3339(timeNs)}","value":${value},"tags":${tags}}}`);
  };

  const start = 1_795_000_000_000_000_000n; // 2026-11-19, in ns
  const end = Number.isFinite(seconds) ? start + BigInt(Math.round(seconds * 1e9)) : null;
  const stepNs = BigInt(Math.round(1e9 / rate));
  let now = start;
  let nextSecond = start;
  try {
    while (out.bytes < targetBytes && (end === null || now < end)) {
      if (now >= nextSecond) {
        const vusTags = `{"level":"${rate}","run_id":"${runId}","target":"sample"}`;
        point('vus', nextSecond, 5 + Math.floor(random() * 3), vusTags);
        point('vus_max', nextSecond, 20, vusTags);
        nextSecond += 1_000_000_000n;
      }
      const endpoint = pick(random());
      const failed = random() < 0.01;
      const status = failed ? '500' : '200';
      const url = `http://127.0.0.1:18080${endpoint.path}`;
      // k6 writes tag keys sorted (a Go map marshalled to JSON).
      const tags =
        `{"expected_response":"${failed ? 'false' : 'true'}","group":"","level":"${rate}","method":"${endpoint.method}",` +
        `"name":"${url}","proto":"HTTP/1.1","run_id":"${runId}","scenario":"constant","status":"${status}","target":"sample","url":"${url}"}`;
      const waiting = round6(endpoint.medianMs * Math.exp(0.5 * gaussian(random)));
      const blocked = round6(random() < 0.02 ? 0.2 + random() : 0.002 + random() * 0.01);
      const sending = round6(0.01 + random() * 0.03);
      const receiving = round6(0.02 + random() * 0.05);
      const duration = round6(sending + waiting + receiving);
      const t = now + BigInt(Math.round(duration * 1e6));
      point('http_reqs', t, 1, tags);
      point('http_req_duration', t, duration, tags);
      point('http_req_blocked', t, blocked, tags);
      point('http_req_connecting', t, blocked > 0.1 ? round6(blocked * 0.6) : 0, tags);
      point('http_req_tls_handshaking', t, 0, tags);
      point('http_req_sending', t, sending, tags);
      point('http_req_waiting', t, waiting, tags);
      point('http_req_receiving', t, receiving, tags);
      point('http_req_failed', t, failed ? 1 : 0, tags);
      const iterationTags = `{"group":"","level":"${rate}","run_id":"${runId}","scenario":"constant","target":"sample"}`;
      point('data_sent', t, endpoint.method === 'POST' ? 217 : 96, iterationTags);
      point('data_received', t, 180 + Math.floor(random() * 40), iterationTags);
      point('iterations', t, 1, iterationTags);
      point('iteration_duration', t, round6(duration + blocked + 0.05), iterationTags);
      requests += 1;
      now += stepNs;
    }
    out.flush();
  } finally {
    closeSync(fd);
  }
  return { bytes: out.bytes, requests };
}

/** The endpoint a uniform draw `u` in [0, 1) falls on, by weight. */
export function pick(u: number): (typeof ENDPOINTS)[number] {
  let cumulative = 0;
  for (const endpoint of ENDPOINTS) {
    cumulative += endpoint.weight;
    if (u < cumulative) return endpoint;
  }
  return ENDPOINTS[0] as (typeof ENDPOINTS)[number];
}

/** Lines of ASCII text written through a 4 MiB buffer; `bytes` counts the written and the pending ones. */
export class LineWriter {
  bytes = 0;
  private buffer: string[] = [];
  private pending = 0;

  constructor(private readonly fd: number) {}

  line(text: string): void {
    this.buffer.push(text, '\n');
    this.bytes += text.length + 1;
    this.pending += text.length + 1;
    if (this.pending > 1 << 22) this.flush();
  }

  flush(): void {
    writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.pending = 0;
  }
}

/** RFC 3339 with nanoseconds and trailing zeros trimmed, as Go's time.RFC3339Nano prints it. */
function rfc3339(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const seconds = new Date(ms).toISOString().slice(0, 19);
  return fraction === '' ? `${seconds}Z` : `${seconds}.${fraction}Z`;
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
