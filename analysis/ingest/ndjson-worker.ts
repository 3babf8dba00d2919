/**
 * A worker thread of the parallel NDJSON loader (`ndjson-parallel.ts`): parses the blocks of whole lines
 * it is sent into its own Aggregator with the same reader as the single-threaded loader, reports each
 * block's line counts and problems as soon as it is done (line numbers relative to the block), and at
 * the end sends its aggregates to be merged.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Aggregator, type AggregatorOptions } from './aggregate.ts';
import { NdjsonReader } from './ndjson-reader.ts';
import { ProblemLog, type Problem } from './problems.ts';
import type { MetricContains, MetricType } from './sink.ts';

export interface WorkerSetup {
  readonly file: string;
  readonly keepProblems: number;
  readonly aggregator: AggregatorOptions;
  /** The compiled line scanner, if there is one. */
  readonly scanner: WebAssembly.Module | undefined;
}

export interface Declaration {
  readonly name: string;
  readonly type: MetricType;
  readonly contains: MetricContains;
}

export type ToWorker =
  | { readonly kind: 'block'; readonly seq: number; readonly bytes: Uint8Array; readonly final: boolean; readonly declarations: readonly Declaration[] }
  | { readonly kind: 'finish' };

export interface BlockDone {
  readonly kind: 'block';
  readonly seq: number;
  readonly lines: number;
  readonly used: number;
  readonly skipped: number;
  readonly problems: readonly Problem[];
  readonly problemCount: number;
  /** Metrics this worker met first in this block with neither a declaration nor a built-in type. */
  readonly unknown: readonly { readonly metric: string; readonly line: number }[];
  /** The block's buffer, given back to be filled again. */
  readonly bytes: Uint8Array;
}

export type FromWorker = BlockDone | { readonly kind: 'done'; readonly aggregates: unknown } | { readonly kind: 'error'; readonly message: string };

/** Sub-chunks handed to the JS reader: its strings stay small (see `readChunks`). */
const PIECE = 1 << 16;
const SCAN_PIECE = 1 << 17;

function serve(): void {
  const port = parentPort;
  if (port === null) throw new Error('ndjson-worker: not started as a worker thread');
  const setup = workerData as WorkerSetup;
  const aggregator = new Aggregator(setup.aggregator);
  const reader = new NdjsonReader(aggregator, new ProblemLog(setup.file, setup.keepProblems), { scanner: setup.scanner });
  let unknown: { metric: string; line: number }[] = [];
  aggregator.onUnknownMetric = (metric) => unknown.push({ metric, line: reader.lines });
  port.on('message', (message: ToWorker) => {
    try {
      if (message.kind === 'finish') {
        port.postMessage({ kind: 'done', aggregates: aggregator.toTransfer() } satisfies FromWorker);
        port.close();
        return;
      }
      for (const d of message.declarations) aggregator.declareMetric(d.name, d.type, d.contains);
      const problems = new ProblemLog(setup.file, setup.keepProblems);
      reader.startBlock(problems);
      unknown = [];
      const used = reader.used;
      const skipped = reader.skipped;
      const bytes = Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength);
      // The scanner takes 128 KiB at a time: its input area stays in the CPU's cache.
      const piece = setup.scanner === undefined ? PIECE : SCAN_PIECE;
      for (let at = 0; at < bytes.length; at += piece) reader.push(bytes.subarray(at, Math.min(bytes.length, at + piece)));
      if (message.final) reader.end();
      port.postMessage({
        kind: 'block',
        seq: message.seq,
        lines: reader.lines,
        used: reader.used - used,
        skipped: reader.skipped - skipped,
        problems: problems.first,
        problemCount: problems.count,
        unknown,
        bytes: message.bytes,
      } satisfies FromWorker, [message.bytes.buffer as ArrayBuffer]);
    } catch (error) {
      port.postMessage({ kind: 'error', message: (error as Error).stack ?? String(error) } satisfies FromWorker);
    }
  });
}

serve();
