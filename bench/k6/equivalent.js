// A hand-written equivalent of dist/constant.js with MIX=health: the same k6 options the library sets
// (SLO thresholds, the standard tags, summary stats, bodies discarded) and the same request, but none
// of the library's code. Comparing the library with this isolates the cost of the library's own
// JavaScript; comparing this with bare.js shows what the thresholds and tags cost k6.
import http from 'k6/http';

const url = `${__ENV.BASE_URL}/health`;

export const options = {
  discardResponseBodies: true,
  thresholds: { http_req_duration: ['p(95)<500'], http_req_failed: ['rate<0.01'] },
  tags: { run_id: '20261124T010000Z-800000', target: '127.0.0.1:18080', level: '10' },
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
};

export default function () {
  http.get(url);
}
