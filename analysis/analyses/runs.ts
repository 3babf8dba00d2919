/**
 * The runs: one row per run with its whole-run numbers (what k6 itself would report), the status the
 * sweep gave it, and its steady-state rate where the capacity analysis used one.
 */
import { section } from '../report/section.ts';
import { code, t } from '../report/text.ts';
import { runRows, type AnalysisDefinition } from './context.ts';

export const runsAnalysis: AnalysisDefinition = {
  id: 'runs',
  run(context) {
    const rows = runRows(context);
    const withReplicas = rows.some((row) => row.replicas !== null);
    const levels = (run: string): string => {
      const found = context.analysis.runs.find((r) => r.id === run);
      return found === undefined || found.levels.length === 0 ? '—' : `${found.levels[0]}–${found.levels[found.levels.length - 1]}`;
    };
    return section({
      id: 'runs',
      title: 'Runs',
      summary: rows.length === 0 ? [['No runs: the inputs hold no k6 output or summary.']] : [],
      tables:
        rows.length === 0
          ? []
          : [
              {
                id: 'runs',
                columns: [
                  { key: 'label', label: 'Run' },
                  ...(withReplicas ? [{ key: 'replicas', label: 'Replicas', unit: 'count' as const, align: 'right' as const }] : []),
                  { key: 'scenario', label: 'Scenario' },
                  { key: 'level', label: 'Target /s', unit: 'rate', align: 'right' },
                  { key: 'rps', label: 'Achieved /s', unit: 'rate', align: 'right' },
                  { key: 'p50_ms', label: 'p50 ms', unit: 'ms', align: 'right' },
                  { key: 'p95_ms', label: 'p95 ms', unit: 'ms', align: 'right' },
                  { key: 'p99_ms', label: 'p99 ms', unit: 'ms', align: 'right' },
                  { key: 'error_rate', label: 'Errors', unit: 'share', align: 'right' },
                  { key: 'dropped', label: 'Dropped', unit: 'count', align: 'right' },
                  { key: 'status', label: 'Status' },
                ],
                rows: rows.map((row) => ({
                  label: row.label,
                  replicas: row.replicas,
                  scenario: row.scenario,
                  level: row.level ?? levels(row.run),
                  rps: row.rps,
                  p50_ms: row.p50_ms,
                  p95_ms: row.p95_ms,
                  p99_ms: row.p99_ms,
                  error_rate: row.error_rate,
                  dropped: row.source === 'none' ? null : row.dropped_iterations,
                  status: row.status,
                })),
              },
            ],
      notes: rows.length === 0 ? [] : [t`Whole runs, as k6 reports them (warm-up included); the capacity above uses each level's steady state.`],
      data: null,
      // k6's own verdicts, one check per threshold per run.
      checks: context.analysis.runs.flatMap((run) =>
        (run.summary?.thresholds ?? []).map((threshold) => ({
          suite: 'k6 thresholds',
          kind: 'thresholds-failed',
          name: t`${run.label}: ${code(threshold.metric)} ${code(threshold.expression)}`,
          outcome: threshold.ok ? ('pass' as const) : ('fail' as const),
          message: threshold.ok ? t`passed` : t`failed (k6 judged it on the whole run)`,
        })),
      ),
    });
  },
};
