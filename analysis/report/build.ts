/**
 * The report `npm run analyze` writes: a line on what was read, the overview, then each analysis's
 * section in order (analysis/analyses/index.ts). Custom reports compose their own cells instead.
 */
import { ANALYSES } from '../analyses/index.ts';
import type { AnalysisContext, AnalysisDefinition } from '../analyses/context.ts';
import { overviewItems } from '../analyses/overview.ts';
import type { Cell, Report } from './section.ts';
import { t } from './text.ts';

export function analysisReport(context: AnalysisContext, options: { toolVersion: string; now?: Date; analyses?: readonly AnalysisDefinition[] }): Report {
  const { toolVersion, now = new Date(), analyses = ANALYSES } = options;
  const { runs, inputs } = context.analysis;
  const cells: Cell[] = [
    { kind: 'text', text: t`${runs.length} ${runs.length === 1 ? 'run' : 'runs'} from ${inputs.length} ${inputs.length === 1 ? 'input' : 'inputs'}; generated ${now.toISOString()} by k6-capacity ${toolVersion}.` },
    { kind: 'list', items: overviewItems(context) },
  ];
  for (const analysis of analyses) {
    const section = analysis.run(context);
    if (section !== null) cells.push({ kind: 'section', section });
  }
  return { title: 'k6-capacity report', cells };
}
