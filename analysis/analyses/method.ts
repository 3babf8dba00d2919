/** How the numbers are made, stated in every report. */
import { PERCENTILE_METHOD } from '../report/analysis-json.ts';
import { BUCKET_BUDGET } from '../ingest/aggregate.ts';
import { ANALYSIS_BUCKET_BUDGET } from '../model/load.ts';
import type { Run } from '../model/run.ts';
import { section } from '../report/section.ts';
import { join, t, value, type Phrase } from '../report/text.ts';
import { toolNotes } from './compare.ts';
import type { AnalysisDefinition } from './context.ts';

export const methodAnalysis: AnalysisDefinition = {
  id: 'method',
  run(context) {
    return section({
      id: 'method',
      title: 'Method',
      notes: [
        [`Latency is \`http_req_duration\`; ${PERCENTILE_METHOD}.`],
        ...resolutionNotes(context.analysis.runs),
        ["Achieved rate = requests ÷ duration, where the duration is k6's test run duration when a summary is present, else the span of the samples; a level's steady rate is its requests ÷ its steady window."],
        ['Error rate = `http_req_failed` samples equal to 1 ÷ requests. Dropped = `dropped_iterations`: iterations k6 could not start on time.'],
        // Runs of Locust or JMeter (analysis/ingest/locust.ts, jmeter.ts): what their numbers are.
        ...toolNotes(context.analysis.runs),
      ],
      data: null,
    });
  },
};

/**
 * The time bucket of every run that did not keep 1 s ones (long runs: ingest/aggregate.ts), so a
 * reader knows what a point of a chart, a window and the warm-up are made of; nothing when all did.
 */
function resolutionNotes(runs: readonly Run[]): Phrase[] {
  const coarse = runs.filter((run) => run.aggregator !== null && run.aggregator.bucketMs !== 1000);
  if (coarse.length === 0) return [];
  const each = join(coarse.map((run) => t`${run.label} ${value((run.aggregator?.bucketMs ?? 0) / 1000, 'seconds')}`), ', ');
  return [
    t`Time buckets are 1 s, except: ${each}. A run keeps at most ${value(BUCKET_BUDGET, 'count')} buckets per metric and tag set, and the runs of an analysis ${value(ANALYSIS_BUCKET_BUDGET, 'count')} together (an equal share each, at least ${value(BUCKET_BUDGET, 'count')}), so a longer run gets coarser ones (2 s, 10 s, 30 s, 60 s …, merged exactly); its series, windows and warm-up are whole buckets, and rates stay per second.`,
  ];
}
