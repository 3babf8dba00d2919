/**
 * The bundled sample service's request handling, one replica's worth. It stands in for the services
 * our users run (an inference API): health and readiness probes, a light JSON endpoint, a CPU-costly
 * `/predict`, a Prometheus-style `/metrics`, and knobs to inject latency and errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

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
}

/** One unit of `/predict` work: integer mixing rounds, cheap to compute, impossible to optimise away. */
export const WORK_UNIT_ROUNDS = 10_000;

/** Bounds on per-request overrides, so a query cannot make a replica spin for minutes. */
const MAX_COST = 100_000;
const MAX_DELAY_MS = 60_000;

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export function createApp(options: AppOptions, now: () => number = Date.now): Handler {
  const startedAt = now();
  const counts = new Map<string, number>();
  const count = (key: string): void => {
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };

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
        case '/metrics':
          return sendText(response, metricsText(counts, options.replica), options.replica);
        default:
          return handleWork(url, options, response, request.headers.authorization);
      }
    });
  };
}

function handleWork(url: URL, options: AppOptions, response: ServerResponse, authorization: string | undefined): void {
  if (options.requireToken !== undefined && authorization !== `Bearer ${options.requireToken}`) {
    send(response, 401, { error: 'missing or wrong bearer token' }, options.replica);
    return;
  }
  const query = url.searchParams;
  const cost = bounded(query.get('cost'), options.predictCost, MAX_COST);
  const delayMs = bounded(query.get('delay_ms'), options.latencyMs, MAX_DELAY_MS);
  const errorRate = bounded(query.get('error_rate'), options.errorRate, 1);
  const respond = (): void => {
    if (errorRate > 0 && Math.random() < errorRate) {
      send(response, 500, { error: 'injected error' }, options.replica);
      return;
    }
    if (url.pathname === '/predict') {
      send(response, 200, { prediction: work(cost, options.replica), cost }, options.replica);
    } else {
      send(response, 200, { items: [1, 2, 3], time: new Date().toISOString() }, options.replica);
    }
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

function metricsText(counts: ReadonlyMap<string, number>, replica: number): string {
  const lines = ['# HELP sample_requests_total Requests served by this replica, by path.', '# TYPE sample_requests_total counter'];
  for (const [key, value] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`sample_requests_total{replica="${replica}",path="${key}"} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}
