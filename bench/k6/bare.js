// The baseline for bench/lib-overhead.ts: the simplest k6 script making the same request as
// dist/constant.js with MIX=health. Same response-body handling as the library, nothing else:
// no tags, no checks, no thresholds, no handleSummary.
import http from 'k6/http';

const url = `${__ENV.BASE_URL}/health`;

export const options = { discardResponseBodies: true };

export default function () {
  http.get(url);
}
