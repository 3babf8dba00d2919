/**
 * Latency per endpoint (k6's `name` tag, with the method), over each run's steady window: a mix of
 * 80% costly `/predict` and 20% cheap health checks must not hide `/predict`'s p95.
 */
import { section } from '../report/section.ts';
import { t } from '../report/text.ts';
import { runRows, type AnalysisDefinition } from './context.ts';

interface EndpointRow {
  readonly run: string;
  readonly name: string;
  readonly method: string | null;
  readonly requests: number;
  readonly share: number;
  readonly error_rate: number | null;
  readonly p50_ms: number | null;
  readonly p95_ms: number | null;
  readonly p99_ms: number | null;
}

export const endpointsAnalysis: AnalysisDefinition = {
  id: 'endpoints',
  run(context) {
    const endpoints = context.endpoints.objects() as EndpointRow[];
    const runs = runRows(context);
    // One endpoint per run says nothing the runs table does not.
    const several = new Set(runs.filter((run) => endpoints.filter((e) => e.run === run.run).length > 1).map((run) => run.run));
    if (several.size === 0) return null;
    const label = new Map(runs.map((run) => [run.run, run.label]));
    const rows = endpoints.filter((e) => several.has(e.run));
    return section({
      id: 'endpoints',
      title: 'Latency per endpoint',
      tables: [
        {
          id: 'endpoints',
          columns: [
            { key: 'run', label: 'Run' },
            { key: 'endpoint', label: 'Endpoint' },
            { key: 'share', label: 'Share', unit: 'share', align: 'right' },
            { key: 'requests', label: 'Requests', unit: 'count', align: 'right' },
            { key: 'p50_ms', label: 'p50 ms', unit: 'ms', align: 'right' },
            { key: 'p95_ms', label: 'p95 ms', unit: 'ms', align: 'right' },
            { key: 'p99_ms', label: 'p99 ms', unit: 'ms', align: 'right' },
            { key: 'error_rate', label: 'Errors', unit: 'share', align: 'right' },
          ],
          rows: rows.map((e) => ({
            run: label.get(e.run) ?? e.run,
            endpoint: t`${{ code: `${e.method === null ? '' : `${e.method} `}${e.name}` }}`,
            share: e.share,
            requests: e.requests,
            p50_ms: e.p50_ms,
            p95_ms: e.p95_ms,
            p99_ms: e.p99_ms,
            error_rate: e.error_rate,
          })),
        },
      ],
      notes: [t`Each run's steady window; endpoints are k6's \`name\` tag with the method (a URL name is shown by its path).`],
      data: rows,
    });
  },
};
