/**
 * What an input file is, from its content (names are only hints: `k6.json` may be NDJSON or a
 * summary, `.gz` may hold either).
 */
import { gunzipSync, constants } from 'node:zlib';
import { detectKind } from '../snapshots/index.ts';
import { isManifest } from '../model/manifest.ts';
import { jtlKindOf, type JtlKind } from './jmeter.ts';
import { locustKindOf, type LocustFileKind } from './locust.ts';
import { isGzip, peek } from './open.ts';

export type InputKind = 'k6-ndjson' | 'k6-csv' | 'other-csv' | 'json-document' | 'manifest' | 'snapshot' | 'empty' | 'unknown' | LocustFileKind | JtlKind;

const HEAD_BYTES = 1 << 16;

/** The first bytes of a file, gunzipped when it is gzip (a partial stream is fine here). */
export function head(file: string): string {
  const raw = peek(file, HEAD_BYTES);
  if (!isGzip(raw)) return raw.toString('utf8');
  try {
    return gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }).subarray(0, HEAD_BYTES).toString('utf8');
  } catch {
    return '';
  }
}

export function detectInput(file: string): InputKind {
  const text = head(file);
  const trimmed = text.trimStart();
  if (trimmed === '') return 'empty';
  const firstLine = trimmed.split('\n', 1)[0]?.replace(/\r$/, '') ?? '';
  if (isK6CsvHeader(firstLine)) return 'k6-csv';
  // Other load tools' results, by their headers: Locust's CSV files, JMeter's JTL (CSV or XML).
  const other = trimmed.startsWith('{') ? null : (locustKindOf(firstLine) ?? jtlKindOf(trimmed));
  if (other !== null) return other;
  // A `.csv` whose header is not k6's: the CSV loader refuses it, saying which header it expected.
  if (/\.csv(\.gz)?$/i.test(file) && !trimmed.startsWith('{')) return 'other-csv';
  if (trimmed.startsWith('{')) {
    // One JSON object per line with `type` Point/Metric is k6 NDJSON; a JSON document spans the file.
    try {
      const first = JSON.parse(firstLine) as { type?: unknown; captured_at?: unknown };
      if (first.type === 'Point' || first.type === 'Metric') return 'k6-ndjson';
      // The sweep's capture log: one `{"captured_at": …, "stdout": …}` per line.
      if (typeof first.captured_at === 'string') return 'snapshot';
    } catch {
      // not a complete object on the first line: a pretty-printed document
    }
    try {
      if (isManifest(JSON.parse(text))) return 'manifest';
    } catch {
      // too long for the head, or not JSON: the loaders tell
    }
    if (/"(PodMetricsList|PodMetrics|NodeMetricsList|NodeMetrics|HorizontalPodAutoscaler)"/.test(text.slice(0, 4096))) return 'snapshot';
    if (/"(type|metric)"\s*:\s*"(Point|Metric)"/.test(firstLine)) return 'k6-ndjson';
    // Several lines that each are a JSON object: JSON lines, if not k6's then the NDJSON loader says so.
    const objectLines = trimmed.split('\n', 3).filter((line) => /^\{.*\}\r?$/.test(line));
    return objectLines.length >= 2 ? 'k6-ndjson' : 'json-document';
  }
  return detectKind(text) === 'unknown' ? 'unknown' : 'snapshot';
}

/**
 * k6 CSV headers name their columns; the loader reads them by name, so any order (a file re-sorted
 * by a spreadsheet, a future k6) is a k6 CSV as long as the three sample columns are there.
 */
function isK6CsvHeader(line: string): boolean {
  if (line.startsWith('{')) return false;
  const names = line.replace(/^\ufeff/, '').split(',').map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
  return names.includes('metric_name') && names.includes('timestamp') && names.includes('metric_value');
}
