/**
 * A report as `npm run analyze` makes them, built by hand: a sweep of four levels with its runs,
 * capacity (four charts), endpoints and findings. Its run label, an endpoint name and a finding carry
 * markup that must come out as text (SCRIPT, IMG), the way a hostile or careless tag value would.
 */
import type { TopLevelSpec } from 'vega-lite';
import { finding } from '../../../analysis/findings.ts';
import { section, type ChartSpec, type Report } from '../../../analysis/report/section.ts';
import { code, t, value } from '../../../analysis/report/text.ts';

export const SCRIPT = '<script>alert(1)</script>';
export const IMG = '"><img src=x onerror=alert(1)>';
/** How hast-util-to-html writes them in text: `<` as a character reference, the rest as it is. */
export const SCRIPT_ESCAPED = '&#x3C;script>alert(1)&#x3C;/script>';
export const IMG_ESCAPED = '">&#x3C;img src=x onerror=alert(1)>';

const LABEL = `tps-80 ${SCRIPT}`;
const ENDPOINT = `GET /predict${IMG}`;
const levels = [
  { label: 'tps-10', offered: 10, achieved: 10, p50: 8.1, p95: 12.4, p99: 19.8, errors: 0 },
  { label: 'tps-20', offered: 20, achieved: 20, p50: 8.4, p95: 13.9, p99: 22.5, errors: 0 },
  { label: 'tps-40', offered: 40, achieved: 39.8, p50: 11.2, p95: 31.7, p99: 58.3, errors: 0.0021 },
  { label: LABEL, offered: 80, achieved: 61.3, p50: 240, p95: 812, p99: 1240, errors: 0.0914 },
];

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const size = { width: 560, height: 260 };

export const CHARTS: readonly ChartSpec[] = [
  {
    id: 'sweep-latency-vs-rate',
    title: 'Latency vs offered rate — sweep',
    caption: t`p50, p95 and p99 per level; the dashed line is the SLO (p95 < ${value(500, 'ms')})`,
    spec: {
      $schema: SCHEMA,
      ...size,
      layer: [
        {
          data: { values: levels.flatMap((l) => [{ offered: l.offered, percentile: 'p50', ms: l.p50 }, { offered: l.offered, percentile: 'p95', ms: l.p95 }, { offered: l.offered, percentile: 'p99', ms: l.p99 }]) },
          mark: { type: 'line', point: true, clip: true },
          encoding: {
            x: { field: 'offered', type: 'quantitative', title: 'offered rate (req/s)' },
            y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: { type: 'log' } },
            color: { field: 'percentile', type: 'nominal', title: null, sort: ['p50', 'p95', 'p99'] },
          },
        },
        { data: { values: [{ bound: 500 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#b22222' }, encoding: { y: { field: 'bound', type: 'quantitative' } } },
      ],
    } as TopLevelSpec,
  },
  {
    id: 'sweep-achieved-vs-offered',
    title: `Achieved vs offered rate — ${LABEL}`,
    spec: {
      $schema: SCHEMA,
      title: `Achieved vs offered rate — ${LABEL}`,
      ...size,
      layer: [
        { data: { values: levels.map((l) => ({ offered: l.offered, achieved: l.offered })) }, mark: { type: 'line', strokeDash: [4, 4], color: '#999' }, encoding: { x: { field: 'offered', type: 'quantitative' }, y: { field: 'achieved', type: 'quantitative' } } },
        {
          data: { values: levels.map((l) => ({ offered: l.offered, achieved: l.achieved })) },
          mark: { type: 'line', point: true },
          encoding: { x: { field: 'offered', type: 'quantitative', title: 'offered rate (req/s)' }, y: { field: 'achieved', type: 'quantitative', title: 'achieved rate (req/s)' } },
        },
      ],
    } as TopLevelSpec,
  },
  {
    id: 'sweep-errors-vs-rate',
    title: 'Error rate vs offered rate — sweep',
    spec: {
      $schema: SCHEMA,
      ...size,
      data: { values: levels.map((l) => ({ offered: l.offered, error_rate: l.errors })) },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'offered', type: 'quantitative', title: 'offered rate (req/s)' },
        y: { field: 'error_rate', type: 'quantitative', title: 'error rate', axis: { format: '.2~%' } },
      },
    },
  },
  {
    id: 'sweep-latency-over-time',
    title: 'p95 per second over each level — sweep',
    spec: {
      $schema: SCHEMA,
      ...size,
      data: {
        values: levels.flatMap((l, i) =>
          Array.from({ length: 30 }, (_, s) => ({ run: l.label, t: s, p95_ms: Number((l.p95 * (1 + 0.15 * Math.sin(s + i)) * (i === 3 ? 1 + s / 20 : 1)).toFixed(2)) })),
        ),
      },
      mark: { type: 'line' },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'seconds into the level' },
        y: { field: 'p95_ms', type: 'quantitative', title: 'p95 (ms)', scale: { type: 'log' } },
        color: { field: 'run', type: 'nominal', title: null, sort: levels.map((l) => l.label) },
      },
    },
  },
];

const levelColumns = [
  { key: 'run', label: 'Run' },
  { key: 'level', label: 'Offered /s', unit: 'rate', align: 'right' },
  { key: 'rps', label: 'Achieved /s', unit: 'rate', align: 'right' },
  { key: 'p50_ms', label: 'p50 ms', unit: 'ms', align: 'right' },
  { key: 'p95_ms', label: 'p95 ms', unit: 'ms', align: 'right' },
  { key: 'p99_ms', label: 'p99 ms', unit: 'ms', align: 'right' },
  { key: 'error_rate', label: 'Errors', unit: 'share', align: 'right' },
  { key: 'verdict', label: 'SLO' },
] as const;

export function sampleReport(): Report {
  const fail = finding('slo', 'tps-80', 'fail', t`${LABEL}: breaks the SLO`, t`p95 ${value(812, 'ms')} > ${value(500, 'ms')} and errors ${value(0.0914, 'share')} on ${code(ENDPOINT)}`, 'tps-80');
  const warn = finding('rate-below-target', 'tps-80', 'warn', t`${LABEL}: achieved ${value(61.3, 'rate')} of ${value(80, 'rate')}`, t`${value(61.3 / 80, 'share')} of the target rate, below ${value(0.95, 'share')}: the load generator or the target could not keep the rate`, 'tps-80');
  const info = finding('missing-resource-data', 'tps-10', 'info', t`tps-10: no resource data`, ['no cluster or process captures were given for this run, so CPU and memory are not reported'], 'tps-10');
  return {
    title: 'k6-capacity report',
    cells: [
      { kind: 'text', text: t`4 runs from 9 inputs; generated 2026-11-24T12:00:00.000Z by k6-capacity 0.1.0.` },
      { kind: 'list', items: [t`**Sweep**: ${code('sweep')} (4 levels)`, t`**Target**: ${code('sample (process)')}`, t`**k6**: ${code('v2.2.0')}`] },
      {
        kind: 'section',
        section: section({
          id: 'runs',
          title: 'Runs',
          tables: [
            {
              id: 'runs',
              columns: levelColumns,
              rows: levels.map((l) => ({ run: l.label, level: l.offered, rps: l.achieved, p50_ms: l.p50, p95_ms: l.p95, p99_ms: l.p99, error_rate: l.errors, verdict: l.offered === 80 ? 'breaks: p95, errors' : l.offered === 40 ? 'holds (max sustainable)' : 'holds' })),
            },
          ],
        }),
      },
      {
        kind: 'section',
        section: section({
          id: 'capacity',
          title: 'Capacity',
          summary: [t`**sweep** holds ${value(40, 'rate')} under p95 < ${value(500, 'ms')} and errors < ${value(0.01, 'share')}; it breaks at ${value(80, 'rate')} (${LABEL}). The knee is at ${value(40, 'rate')}.`],
          findings: [fail, warn],
          charts: CHARTS,
          notes: [t`SLO from ${code('--slo-p95-ms')} and the defaults; a level holds when every bound holds and the achieved rate is at least ${value(0.95, 'share')} of the offered one.`, t`Knee: kneedle on p95 over the offered rate.`],
        }),
      },
      {
        kind: 'section',
        section: section({
          id: 'endpoints',
          title: 'Latency per endpoint',
          tables: [
            {
              id: 'endpoints',
              columns: [
                { key: 'run', label: 'Run' },
                { key: 'endpoint', label: 'Endpoint' },
                { key: 'share', label: 'Share', unit: 'share', align: 'right' },
                { key: 'p95_ms', label: 'p95 ms', unit: 'ms', align: 'right' },
              ],
              rows: [
                { run: LABEL, endpoint: [code(ENDPOINT)], share: 0.8, p95_ms: 1020 },
                { run: LABEL, endpoint: [code('GET /healthz')], share: 0.2, p95_ms: 3.1 },
              ],
            },
          ],
          notes: [t`Each run's steady window; endpoints are k6's \`name\` tag with the method.`],
        }),
      },
      { kind: 'findings', findings: [info] },
    ],
  };
}
