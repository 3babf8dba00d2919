/**
 * Named requests a mix chooses from. A scenario for another service defines its own catalog; this one
 * fits the bundled sample service (scripts/sample-service.ts).
 */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface RequestSpec {
  readonly method: Method;
  /** Path (and query) appended to `BASE_URL`. */
  readonly path: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type Catalog = Readonly<Record<string, RequestSpec>>;

export const SAMPLE_SERVICE_REQUESTS = {
  /** The CPU-costly endpoint, shaped like a model-inference call. */
  predict: {
    method: 'POST',
    path: '/predict',
    body: '{"features":[0.42,1.7,3.14,2.72]}',
    headers: { 'Content-Type': 'application/json' },
  },
  /** A light JSON endpoint. */
  light: { method: 'GET', path: '/api/light' },
  health: { method: 'GET', path: '/health' },
  ready: { method: 'GET', path: '/ready' },
  metrics: { method: 'GET', path: '/metrics' },
} as const satisfies Catalog;
