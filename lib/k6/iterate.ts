/// <reference types="k6" />
/**
 * The iteration built from setup()'s data (lib/iteration.ts). This is all the code a VU that only
 * iterates runs: the bundles keep everything else inside a function only k6's first VU calls
 * (scripts/build.ts), so keep this file's imports to the few small functions it needs.
 */
import { check } from 'k6';
import exec from 'k6/execution';
import http, { type Params } from 'k6/http';
import { isIterationData, type IterationData } from '../iteration.ts';
import { pickIndex } from '../mix.ts';
import { levelLookup } from '../schedule.ts';

/** Sends one request of the mix: a closure built once per VU with only the arguments it needs. */
type Send = () => { status: number };

const STATUS_CHECK = { 'status is 2xx': (r: { status: number }) => r.status >= 200 && r.status < 300 };

/**
 * The default function: the iteration built from setup()'s data at a VU's first call. Given other
 * data, or none (`k6 run --no-setup`), it iterates as `fallback` builds instead, once per VU.
 */
export function iterationFrom(fallback: (data: unknown) => () => void): (data?: unknown) => void {
  const { get } = http;
  let seen: unknown;
  let iteration: (() => void) | null = null;
  // An iteration that is one plain GET is made right here: a JS call more per request costs k6
  // about 1% more CPU per request (npm run bench -- lib-overhead), as much as the GET's own script.
  let plainUrl: string | null = null;
  return (data) => {
    if (iteration === null || data !== seen) {
      seen = data;
      const built = isIterationData(data) ? iterationOf(data, __ENV) : { iteration: fallback(data), plainUrl: null };
      ({ iteration, plainUrl } = built);
    }
    if (plainUrl !== null) get(plainUrl);
    else iteration();
  };
}

export interface Iteration {
  readonly iteration: () => void;
  /** The URL when the iteration is nothing but one GET with k6's default params, else `null`. */
  readonly plainUrl: string | null;
}

/** The iteration: the request's sender itself when it is one request with nothing else to do. */
export function iterationOf(data: IterationData, env: Readonly<Record<string, string | undefined>>): Iteration {
  const token = data.auth ? env.AUTH_TOKEN?.trim() : undefined;
  const senders = data.requests.map((request) => sender(request, data.timeout, token));
  const { bounds, checks } = data;
  const single = senders.length === 1 ? senders[0] : undefined;
  if (single !== undefined && data.levels === null && !checks) return { iteration: single.send, plainUrl: single.plainUrl };
  const sends = senders.map((s) => s.send);
  const only = single?.send;
  const levelAtElapsed = data.levels === null ? null : levelLookup(data.levels);
  let currentLevel = '';

  // The iteration runs thousands of times a second per VU: no work in it that init could do.
  const iteration = function iteration(): void {
    if (levelAtElapsed !== null) {
      const level = levelAtElapsed((Date.now() - exec.scenario.startTime) / 1000);
      // VU tags stick to every later sample of this VU, so they only need setting on a change.
      if (level !== currentLevel) {
        exec.vu.metrics.tags.level = level;
        currentLevel = level;
      }
    }
    const response = (only ?? (sends[pickIndex(bounds, Math.random())] as Send))();
    if (checks) check(response, STATUS_CHECK);
  };
  return { iteration, plainUrl: null };
}

/**
 * k6 converts every argument of an `http` call from JS to Go on every request, which costs it more
 * CPU than the script's own code (npm run bench): a plain GET is `http.get(url)`, and `params`
 * carries only what differs from k6's defaults. The `name` tag stays k6's default, the URL, which is
 * stable because catalog paths carry no ids.
 */
function sender(request: IterationData['requests'][number], timeout: string | null, token: string | undefined): { send: Send; plainUrl: string | null } {
  const { get, request: send } = http;
  const headers: Record<string, string> = { ...request.headers };
  if (token !== undefined && token !== '') headers.Authorization = `Bearer ${token}`;
  const params: Params = {};
  if (Object.keys(headers).length > 0) params.headers = headers;
  if (timeout !== null) params.timeout = timeout;
  const { method, url, body } = request;
  if (Object.keys(params).length > 0) return { send: () => send(method, url, body, params), plainUrl: null };
  if (method === 'GET') return { send: () => get(url), plainUrl: url };
  return { send: () => send(method, url, body), plainUrl: null };
}
