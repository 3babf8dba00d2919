/**
 * k6 `--out json` (NDJSON), streamed into a SampleSink.
 *
 * A file is read on this thread, or for large files by worker threads (`ndjson-parallel.ts`); either
 * way each line goes through `NdjsonReader` (`ndjson-reader.ts`, where the fast path is described).
 */
import { statSync } from 'node:fs';
import { AnalysisError } from '../errors.ts';
import { Aggregator } from './aggregate.ts';
import { isGzip, isTruncatedGzip, peek, readChunks } from './open.ts';
import { NdjsonReader } from './ndjson-reader.ts';
import { ndjsonScanner } from './ndjson-scanner-build.ts';
import { ProblemLog, type InputReport } from './problems.ts';
import type { SampleSink } from './sink.ts';

export { NdjsonReader, parseRfc3339 } from './ndjson-reader.ts';

export interface NdjsonOptions {
  /** Problems kept with their line numbers (all are counted). */
  readonly keepProblems?: number | undefined;
  /**
   * Threads that parse the file (default 1; `threadsFor` picks by size). From 2, the file is cut into
   * blocks of whole lines parsed by worker threads, each into its own Aggregator, merged exactly at
   * the end; this needs the sink to be an Aggregator (other sinks are fed on this thread). Each
   * worker costs memory (its isolate, and aggregates of every second it saw): measured on 2 cores,
   * a 1.8 GB hour of k6 output read 1.3× as fast with 2 threads for 80 MB more peak RSS.
   */
  readonly workers?: number | undefined;
  /** Bytes per block of the threaded reader (tests). */
  readonly blockBytes?: number | undefined;
  /**
   * Whether lines are scanned by the WebAssembly scanner (default true; `ndjson-reader.ts`). Without
   * it, or when it cannot be built, the JS path reads every line: same results, several times slower.
   */
  readonly wasm?: boolean | undefined;
}

/**
 * Streams `file` (plain or gzip) into `sink`. Broken lines are counted and reported with their line
 * numbers; a file cut off mid-line or mid-gzip-stream keeps everything before the cut. Throws
 * `AnalysisError` only when nothing in the file is k6 NDJSON.
 */
export async function loadK6Ndjson(file: string, sink: SampleSink, options: NdjsonOptions = {}): Promise<InputReport> {
  const { workers = 1, wasm = true } = options;
  if (workers >= 2 && sink instanceof Aggregator) {
    const { loadK6NdjsonParallel } = await import('./ndjson-parallel.ts');
    return loadK6NdjsonParallel(file, sink, { keepProblems: options.keepProblems, workers, blockBytes: options.blockBytes, wasm });
  }
  const problems = new ProblemLog(file, options.keepProblems);
  const reader = new NdjsonReader(sink, problems, { scanner: wasm ? await ndjsonScanner() : undefined });
  let truncated: Error | undefined;
  const previous = sink.onUnknownMetric;
  sink.onUnknownMetric = (metric) => problems.add(reader.lines, unknownMetricMessage(metric, reader.lines));
  try {
    // With the scanner, plain files are read straight into its memory, 128 KiB at a time (measured on
    // Linux: larger reads from the page cache ran at a fifth of the speed); gzip files are gunzipped on
    // a thread of their own (see gunzip-thread.ts).
    const chunks = reader.scanning ? readChunks(file, { chunkSize: SCAN_CHUNK, into: (size) => reader.room(size), gunzipThread: true }) : readChunks(file);
    for await (const chunk of chunks) reader.push(chunk);
    reader.end();
  } catch (error) {
    if (error instanceof AnalysisError) throw error;
    if (!isTruncatedGzip(error)) {
      throw new AnalysisError('unreadable', `k6 ndjson: cannot read \`${file}\`: ${(error as Error).message}`);
    }
    truncated = error as Error;
    reader.end();
  } finally {
    sink.onUnknownMetric = previous;
  }
  if (truncated !== undefined) problems.add(null, truncatedMessage(file, reader.lines));
  return ndjsonReport(file, problems, reader);
}

/**
 * Threads to read `file` with when `threads` are allowed: one for files under 64 MiB (starting a
 * worker costs more than it saves there), else `threads`. Gzip files count by their size on disk
 * times 10, about what k6 output compresses by.
 */
export function threadsFor(file: string, threads: number): number {
  if (threads <= 1) return 1;
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return 1;
  }
  const bytes = isGzip(peek(file, 2)) ? size * 10 : size;
  return bytes < PARALLEL_FROM_BYTES ? 1 : threads;
}

/** Bytes per read of a plain file into the scanner. */
export const SCAN_CHUNK = 1 << 17;

/** Files from this size (decompressed, estimated) are read by several threads. */
export const PARALLEL_FROM_BYTES = 64 * 1024 * 1024;

export function unknownMetricMessage(metric: string, line: number): string {
  return `k6 ndjson: metric \`${metric}\` has no Metric line and is not a k6 built-in: its samples are kept with an unknown type at line ${line}`;
}

export function truncatedMessage(file: string, lines: number): string {
  return `k6 ndjson: the gzip stream of \`${file}\` ends early, after line ${lines}: the data up to there is used`;
}

/** The input's report; throws when the file had no line, or none of k6's. */
export function ndjsonReport(file: string, problems: ProblemLog, counts: { lines: number; used: number; skipped: number }): InputReport {
  if (counts.lines === 0) throw new AnalysisError('no-data', `k6 ndjson: \`${file}\` is empty`);
  if (counts.used === 0) {
    const first = problems.first[0];
    throw new AnalysisError(
      'unknown-format',
      first === undefined ? `k6 ndjson: no k6 data in \`${file}\`` : `${first.message.replace(/ at line \d+$/, '')} at ${file}:${first.line}`,
      { note: 'expected k6 `--out json` output: one JSON object per line with `type` Point or Metric' },
    );
  }
  return {
    path: file,
    format: 'k6-ndjson',
    lines: counts.lines,
    skipped: counts.skipped,
    problems: problems.first,
    problems_total: problems.count,
  };
}

