/**
 * CPU and memory per pod (or replica process), and of k6 itself where the sweep sampled it, from the
 * captures taken while each run sent load.
 */
import { section } from '../report/section.ts';
import { t } from '../report/text.ts';
import { runRows, type AnalysisDefinition } from './context.ts';

interface UsageRow {
  readonly run: string;
  readonly pod: string;
  readonly role: 'target' | 'loadgen';
  readonly captures: number;
  readonly cpu_mean_m: number | null;
  readonly cpu_max_m: number | null;
  readonly memory_max_bytes: number | null;
  readonly memory_source: 'cgroup' | 'pods' | null;
}

export const resourcesAnalysis: AnalysisDefinition = {
  id: 'resources',
  run(context) {
    const usage = context.usage.objects() as UsageRow[];
    if (usage.length === 0) return null;
    const label = new Map(runRows(context).map((run) => [run.run, run.label]));
    return section({
      id: 'resources',
      title: 'Resources',
      summary: [t`CPU and memory per pod (or replica process), and of k6 itself where the sweep sampled it, from the captures taken while each run sent load (captures before and after are left out); means are over captures.`],
      tables: [
        {
          id: 'resources',
          columns: [
            { key: 'run', label: 'Run' },
            { key: 'pod', label: 'Pod' },
            { key: 'captures', label: 'Captures', unit: 'count', align: 'right' },
            { key: 'cpu_mean_m', label: 'CPU mean (m)', unit: 'millicores', align: 'right' },
            { key: 'cpu_max_m', label: 'CPU max (m)', unit: 'millicores', align: 'right' },
            { key: 'memory_max_bytes', label: 'Memory max (MiB)', unit: 'mib', align: 'right' },
          ],
          rows: usage.map((row) => ({ ...row, run: label.get(row.run) ?? row.run })),
        },
      ],
      notes: [
        ...(usage.some((row) => row.memory_source === 'cgroup')
          ? [t`Memory of replicas that ran in cgroups is the cgroup's working set (usage less inactive file pages: what a pod's memory metric and its limit count); of other processes, resident memory (RSS), which also counts shared pages.`]
          : []),
      ],
      data: usage,
    });
  },
};
