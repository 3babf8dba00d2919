/**
 * What a reader must not miss about each run and input (analysis/findings.ts): failed thresholds,
 * errored or interrupted levels, the rate not held, the load generator as the limit, missing resource
 * data with kubectl's own reason, input problems.
 */
import { inputFindings, runFindings } from '../findings.ts';
import { section } from '../report/section.ts';
import type { AnalysisDefinition } from './context.ts';

export const findingsAnalysis: AnalysisDefinition = {
  id: 'findings',
  run(context) {
    const findings = [...context.analysis.runs.flatMap(runFindings), ...inputFindings(context.inputs)];
    const order = { fail: 0, warn: 1, info: 2 } as const;
    return section({
      id: 'findings',
      title: 'Findings',
      summary: findings.length === 0 ? [['No findings.']] : [],
      findings: [...findings].sort((a, b) => order[a.severity] - order[b.severity]),
      data: null,
    });
  },
};
