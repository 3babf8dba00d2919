/**
 * The baseline the ingest benchmark compares against: what one writes first — read lines with
 * readline, JSON.parse each, feed the same Aggregator (tag sets keyed by JSON.stringify).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Aggregator } from '../analysis/ingest/aggregate.ts';
import type { MetricContains, MetricType, Tags } from '../analysis/ingest/sink.ts';

interface Line {
  type: string;
  metric: string;
  data: { type?: MetricType; contains?: MetricContains; time?: string; value?: number; tags?: Tags | null };
}

export async function naiveNdjson(file: string, sink: Aggregator): Promise<void> {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  for await (const text of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    if (text === '') continue;
    const line = JSON.parse(text) as Line;
    if (line.type === 'Metric') sink.declareMetric(line.metric, line.data.type ?? 'unknown', line.data.contains ?? 'default');
    else if (line.type === 'Point') {
      const tags = line.data.tags ?? {};
      sink.sample(line.metric, Date.parse(line.data.time ?? ''), line.data.value ?? Number.NaN, JSON.stringify(tags), () => tags);
    }
  }
}
