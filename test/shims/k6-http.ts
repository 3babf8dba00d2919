/** Test double for `k6/http`: records requests and answers with a configurable status. */
export const requests: { method: string; url: string; body: unknown; params: unknown }[] = [];
export const responder = { status: 200 };

function request(method: string, url: string, body?: unknown, params?: unknown): { status: number } {
  requests.push({ method, url, body, params });
  return { status: responder.status };
}

export type Params = Record<string, unknown>;
function get(url: string, params?: unknown): { status: number } {
  return request('GET', url, null, params);
}

export default { request, get };
