/** How the numbers are made, stated in every report. */
import { PERCENTILE_METHOD } from '../report/analysis-json.ts';
import { section } from '../report/section.ts';
import type { AnalysisDefinition } from './context.ts';

export const methodAnalysis: AnalysisDefinition = {
  id: 'method',
  run() {
    return section({
      id: 'method',
      title: 'Method',
      notes: [
        [`Latency is \`http_req_duration\`; ${PERCENTILE_METHOD}.`],
        ["Achieved rate = requests ÷ duration, where the duration is k6's test run duration when a summary is present, else the span of the samples; a level's steady rate is its requests ÷ its steady window."],
        ['Error rate = `http_req_failed` samples equal to 1 ÷ requests. Dropped = `dropped_iterations`: iterations k6 could not start on time.'],
      ],
      data: null,
    });
  },
};
