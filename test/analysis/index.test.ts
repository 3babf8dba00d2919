import { describe, expect, it } from 'vitest';
import * as api from '../../analysis/index.ts';

describe('the analysis barrel', () => {
  // Pinned, so nothing is added to or dropped from the public API by accident.
  it('exports exactly this', () => {
    expect(Object.keys(api).sort()).toEqual([
      'Aggregator',
      'AnalysisError',
      'LogHistogram',
      'PERCENTILE_METHOD',
      'analyze',
      'eventsTable',
      'groupsTable',
      'inputFindings',
      'loadK6Csv',
      'loadK6Ndjson',
      'loadK6Summary',
      'loadRuns',
      'parseSnapshot',
      'readManifest',
      'readSnapshots',
      'renderMarkdown',
      'replicasTable',
      'reportTree',
      'resourcesTable',
      'runFindings',
      'runNumbers',
      'seriesTable',
      'toAnalysisJson',
    ]);
  });
});
