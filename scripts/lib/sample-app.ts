/**
 * The bundled sample service's request handling, one replica's worth. It stands in for the services
 * our users run (an inference API): health and readiness probes, a light JSON endpoint, a CPU-costly
 * `/predict`, a Prometheus-style `/metrics`, and knobs to inject latency and errors, and the aging a
 * soak test must find (a leak, latency growing with uptime: sample-aging.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { addedDelayMs, Leak } from './sample-aging.ts';

export interface AppOptions {
  /** Index of this replica (0-based), reported in every response. */
  readonly replica: number;
  /** CPU work per `/predict`, in units of WORK_UNIT_ROUNDS mixing rounds; `?cost=` overrides it. */
  readonly predictCost: number;
  /** Added delay for `/predict` and `/api/light`, in ms; `?delay_ms=` overrides it. */
  readonly latencyMs: number;
  /** Share of `/predict` and `/api/light` requests answered 500; `?error_rate=` overrides it. */
  readonly errorRate: number;
  /** `/ready` answers 503 until this many ms after start (a slow warm-up, as real services have). */
  readonly readyAfterMs: number;
  /** When set, `/predict` and `/api/light` answer 401 without `Authorization: Bearer <token>`. */
  readonly requireToken?: string | undefined;
  /** KiB kept, never freed, per answered `/predict` and `/api/light` (200 or injected 500). */
  readonly leakKbPerRequest: number;
  /** KiB kept per second of uptime, whatever the load: ⌊uptime in s⌋ × this, counted each second. */
  readonly leakKbPerSecond: number;
  /** Where the leak stops (leakCapBytes in sample-aging.ts). */
  readonly leakCapBytes: number;
  /** `/predict` and `/api/light` wait this many ms more per minute of uptime (addedDelayMs), on top of `latencyMs`. */
  readonly degradeMsPerMinute: number;
}

/** One unit of `/predict` work: integer mixing rounds, cheap to compute, impossible to optimise away. */
export const WORK_UNIT_ROUNDS = 10_000;

/** Bounds on per-request overrides, so a query cannot make a replica spin for minutes. */
const MAX_COST = 100_000;
const MAX_DELAY_MS = 60_000;

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * One replica's handler. Its uptime, which the warm-up, the leak per second and the degradation go
 * by, starts here. With `leakKbPerSecond` it keeps a 1 s timer (unref'd: it holds no process open).
 */
export function createApp(options: AppOptions, now: () => number = Date.now): Handler {
  const startedAt = now();
  const counts = new Map<string, number>();
  const count = (key: string): void => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };
  const leak = new Leak(options.leakCapBytes);
  const aging: Aging = {
    uptimeMs: () => now() - startedAt,
    afterAnswer: () => {
      if (options.leakKbPerRequest > 0) leak.retain(options.leakKbPerRequest * 1024);
    },
  };
  // Counted from uptime, not ticks: a late timer catches up, and /metrics catches up before it
  // reports, so what it says is ⌊uptime⌋ × N (plus the requests' share) at the uptime it says.
  let leakedSeconds = 0;
  const leakUntil = (uptimeMs: number): void => {
    const due = Math.floor(uptimeMs / 1000);
    if (options.leakKbPerSecond === 0 || due <= leakedSeconds) return;
    leak.retain((due - leakedSeconds) * options.leakKbPerSecond * 1024);
    leakedSeconds = due;
  };
  if (options.leakKbPerSecond > 0) setInterval(() => leakUntil(aging.uptimeMs()), 1000).unref();

  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://sample');
    const method = request.method ?? 'GET';
    const route = ROUTES[url.pathname];
    if (route === undefined) {
      return send(response, 404, { error: `no such path: ${url.pathname}` }, options.replica);
    }
    if (!route.methods.includes(method)) {
      response.setHeader('Allow', route.methods.join(', '));
      return send(response, 405, { error: `method ${method} not allowed on ${url.pathname}` }, options.replica);
    }
    // Bodies are read to the end (keep-alive needs it) but their content is not used.
    request.resume();
    request.on('end', () => {
      count(url.pathname);
      switch (url.pathname) {
        case '/health':
          return send(response, 200, { status: 'ok' }, options.replica);
        case '/ready': {
          const ready = now() - startedAt >= options.readyAfterMs;
          return send(response, ready ? 200 : 503, { ready }, options.replica);
        }
        case '/metrics': {
          const uptimeMs = aging.uptimeMs();
          leakUntil(uptimeMs);
          return sendText(response, metricsText(counts, options, leak, uptimeMs), options.replica);
        }
        default:
          return handleWork(url, options, response, request.headers.authorization, aging);
      }
    });
  };
}

/** What a replica's age does to a work request: the delay it adds, and the leak after the answer. */
interface Aging {
  readonly uptimeMs: () => number;
  readonly afterAnswer: () => void;
}

function handleWork(url: URL, options: AppOptions, response: ServerResponse, authorization: string | undefined, aging: Aging): void {
  if (options.requireToken !== undefined && authorization !== `Bearer ${options.requireToken}`) {
    send(response, 401, { error: 'missing or wrong bearer token' }, options.replica);
    return;
  }
  const query = url.searchParams;
  const cost = bounded(query.get('cost'), options.predictCost, MAX_COST);
  // `?delay_ms=` replaces `latencyMs`; the degradation comes on top, as the replica's age is not the request's.
  const delayMs = bounded(query.get('delay_ms'), options.latencyMs, MAX_DELAY_MS) + addedDelayMs(options.degradeMsPerMinute, aging.uptimeMs());
  const errorRate = bounded(query.get('error_rate'), options.errorRate, 1);
  const respond = (): void => {
    if (errorRate > 0 && Math.random() < errorRate) {
      send(response, 500, { error: 'injected error' }, options.replica);
    } else if (url.pathname === '/predict') {
      send(response, 200, { prediction: work(cost, options.replica), cost }, options.replica);
    } else {
      send(response, 200, { items: [1, 2, 3], time: new Date().toISOString() }, options.replica);
    }
    aging.afterAnswer();
  };
  if (delayMs > 0) setTimeout(respond, delayMs);
  else respond();
}

/**
 * Deterministic CPU work: `units × WORK_UNIT_ROUNDS` rounds of 32-bit integer mixing (an xorshift
 * with a multiply). The result is returned so the loop cannot be dropped as dead code.
 */
export function work(units: number, seed: number): number {
  let x = (seed + 0x9e3779b9) | 0;
  const rounds = units * WORK_UNIT_ROUNDS;
  for (let i = 0; i < rounds; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x = Math.imul(x, 0x2545f491) | 0;
  }
  return (x >>> 0) / 0x100000000;
}

const ROUTES: Readonly<Record<string, { methods: readonly string[] }>> = {
  '/health': { methods: ['GET', 'HEAD'] },
  '/ready': { methods: ['GET', 'HEAD'] },
  '/metrics': { methods: ['GET'] },
  '/api/light': { methods: ['GET'] },
  '/predict': { methods: ['GET', 'POST'] },
};

function bounded(raw: string | null, fallback: number, max: number): number {
  if (raw === null) return fallback;
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? Math.min(value, max) : fallback;
}

function send(response: ServerResponse, status: number, body: Record<string, unknown>, replica: number): void {
  const text = JSON.stringify({ ...body, replica });
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'X-Replica': String(replica),
  });
  response.end(text);
}

function sendText(response: ServerResponse, text: string, replica: number): void {
  response.writeHead(200, {
    'Content-Type': 'text/plain; version=0.0.4',
    'Content-Length': Buffer.byteLength(text),
    'X-Replica': String(replica),
  });
  response.end(text);
}

/** The replica's counters, and its age: uptime, bytes leaked and the cap, the delay degradation adds now (in base units, as Prometheus names them). */
function metricsText(counts: ReadonlyMap<string, number>, options: AppOptions, leak: Leak, uptimeMs: number): string {
  const { replica } = options;
  const lines = ['# HELP sample_requests_total Requests served by this replica, by path.', '# TYPE sample_requests_total counter'];
  for (const [key, value] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`sample_requests_total{replica="${replica}",path="${key}"} ${value}`);
  }
  const gauge = (name: string, help: string, value: number): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name}{replica="${replica}"} ${value}`);
  };
  gauge('sample_uptime_seconds', 'Time since this replica started.', uptimeMs / 1000);
  gauge('sample_leaked_bytes', 'Memory this replica keeps and never frees (--leak-kb-per-request, --leak-kb-per-s).', leak.bytes);
  gauge('sample_leak_cap_bytes', 'Where the leak stops: the enforced memory limit, else 1 GiB.', leak.capBytes);
  gauge('sample_added_delay_seconds', 'Delay --degrade-ms-per-min adds to /predict and /api/light at this uptime.', addedDelayMs(options.degradeMsPerMinute, uptimeMs) / 1000);
  return `${lines.join('\n')}\n`;
}
