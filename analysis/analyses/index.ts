/**
 * The analyses of a report, in the order they appear. Adding an analysis is one file in this folder
 * (a pure `(context) => Section | null`), one line here, and its test.
 */
import { capacityAnalysis } from './capacity.ts';
import type { AnalysisDefinition } from './context.ts';
import { endpointsAnalysis } from './endpoints.ts';
import { horizontalAnalysis } from './horizontal.ts';
import { hpaAnalysis } from './hpa.ts';
import { inputsAnalysis } from './inputs.ts';
import { methodAnalysis } from './method.ts';
import { resourcesAnalysis } from './resources.ts';
import { findingsAnalysis } from './run-findings.ts';
import { rightsizingAnalysis } from './rightsizing.ts';
import { runsAnalysis } from './runs.ts';
import { soakAnalysis } from './soak.ts';
import { stressAnalysis } from './stress.ts';
import { resilienceAnalysis } from './resilience.ts';
import { verticalAnalysis } from './vertical.ts';

export const ANALYSES: readonly AnalysisDefinition[] = [
  capacityAnalysis,
  verticalAnalysis,
  horizontalAnalysis,
  hpaAnalysis,
  soakAnalysis,
  stressAnalysis,
  resilienceAnalysis,
  rightsizingAnalysis,
  runsAnalysis,
  findingsAnalysis,
  endpointsAnalysis,
  resourcesAnalysis,
  inputsAnalysis,
  methodAnalysis,
];

export { analysisContext, type AnalysisContext, type AnalysisDefinition, type ReportOptions } from './context.ts';
