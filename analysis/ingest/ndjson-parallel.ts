/**
 * k6 NDJSON read by several threads: this thread reads the file (gunzipping it when it is gzip: zlib
 * runs on libuv's thread pool) and cuts it into blocks of whole lines, worker threads parse the blocks
 * (`ndjson-worker.ts`, the same reader as the single-threaded loader) into their own Aggregators, and
 * the aggregates are merged exactly at the end, as runners of a distributed test are.
 *
 * What would differ from reading the file in order, and how it is kept the same:
 * - line numbers: each block is numbered from 1 by its worker; here they are shifted by the lines of
 *   the blocks before it, so problems name the file's own lines;
 * - `Metric` declarations: a worker must know a metric's type before it meets its points in a later
 *   block, so every block is searched for `Metric` lines here (a native byte search), and each block
 *   carries the declarations of the blocks before it;
 * - metrics with neither a declaration nor a built-in type are reported once, at their first line in
 *   the file.
 */
import path from 'node:path';
import { buildSync } from 'esbuild';
import { Worker } from 'node:worker_threads';
import { repoRoot } from '../../scripts/lib/cli.ts';
import { AnalysisError } from '../errors.ts';
import { Aggregator } from './aggregate.ts';
import { SCAN_CHUNK, ndjsonReport, truncatedMessage, unknownMetricMessage } from './k6-ndjson.ts';
import type { BlockDone, Declaration, FromWorker, ToWorker, WorkerSetup } from './ndjson-worker.ts';
import { ndjsonScanner } from './ndjson-scanner-build.ts';
import { isTruncatedGzip, readChunks } from './open.ts';
import { ProblemLog, type InputReport, type Problem } from './problems.ts';
import type { MetricContains, MetricType } from './sink.ts';

/**
 * Bytes per block: enough that messages are few (a thousand per GB), few enough that the blocks in
 * flight stay small (measured: 4 MiB blocks doubled peak RSS against 1 MiB).
 */
const BLOCK_BYTES = 1 << 20;
/** Blocks sent to a worker and not yet parsed: bounds memory when reading outpaces parsing. */
const IN_FLIGHT = 2;
const METRIC_NEEDLE = Buffer.from('Metric"', 'latin1');
const TYPE_PREFIX = Buffer.from('"type":"', 'latin1');
const METRIC_TYPES: readonly string[] = ['counter', 'gauge', 'rate', 'trend'];
const CONTAINS: readonly string[] = ['default', 'time', 'data'];

export interface ParallelOptions {
  readonly keepProblems?: number | undefined;
  readonly workers: number;
  /** Bytes per block (default 1 MiB); tests use small blocks to cut small files into many. */
  readonly blockBytes?: number | undefined;
  /** Whether the workers scan with the WebAssembly scanner (default true). */
  readonly wasm?: boolean | undefined;
}

export async function loadK6NdjsonParallel(file: string, sink: Aggregator, options: ParallelOptions): Promise<InputReport> {
  const { keepProblems = 20, workers: count, blockBytes = BLOCK_BYTES, wasm = true } = options;
  // Each worker aggregates as the sink would (same buckets, budgets and tag-set limit), and gets the
  // scanner compiled here (a WebAssembly.Module crosses to a worker without being compiled again).
  const setup: WorkerSetup = {
    file,
    keepProblems,
    scanner: wasm ? await ndjsonScanner() : undefined,
    aggregator: { bucketMs: sink.baseBucketMs, bucketBudget: sink.bucketBudget, totalBucketBudget: sink.totalBucketBudget, maxTagSets: sink.maxTagSets },
  };
  const pool = Array.from({ length: count }, () => new Pool(setup, (bytes) => spare.push(bytes)));
  const done: Omit<BlockDone, 'bytes'>[] = [];
  const declarations: Declaration[] = [];
  const sent = pool.map(() => 0);
  let seq = 0;
  let totalLines = 0;
  let truncated = false;
  const lastBlock = { bytes: Buffer.alloc(0) };
  // Blocks come back from the workers once parsed and are filled again: memory stays a few blocks.
  const spare: Buffer[] = [];

  const send = async (bytes: Buffer, final: boolean): Promise<void> => {
    if (bytes.length === 0) return;
    // To the least busy worker. (Runs of consecutive blocks per worker would keep each worker's
    // buckets to its stretches of the run, but the file is read in order: measured, the other worker
    // then waits, and it was slower and no smaller.)
    let index = 0;
    for (;;) {
      index = leastBusy(pool);
      if ((pool[index] as Pool).inFlight < IN_FLIGHT) break;
      await Promise.race(pool.map((p) => p.next()));
    }
    const worker = pool[index] as Pool;
    const message: ToWorker = { kind: 'block', seq, bytes, final, declarations: declarations.slice(sent[index]) };
    sent[index] = declarations.length;
    seq += 1;
    // Declarations of this block reach the other workers with the blocks after it.
    declarations.push(...declarationsIn(bytes));
    worker.post(message, bytes);
  };

  try {
    try {
      for await (const block of lineBlocks(file, blockBytes, lastBlock, spare)) await send(block, false);
    } catch (error) {
      if (error instanceof AnalysisError) throw error;
      if (!isTruncatedGzip(error)) throw new AnalysisError('unreadable', `k6 ndjson: cannot read \`${file}\`: ${(error as Error).message}`);
      truncated = true;
    }
    await send(lastBlock.bytes, true);
    // One worker's aggregates at a time: only one copy is in flight.
    for (const p of pool) sink.merge(Aggregator.fromTransfer((await p.finish()) as never));
    for (const p of pool) done.push(...p.blocks);
  } finally {
    for (const p of pool) p.terminate();
  }

  // Line numbers of the file: each block's shifted by the lines before it.
  done.sort((a, b) => a.seq - b.seq);
  const problems = new ProblemLog(file, keepProblems);
  const found: { line: number; message: string }[] = [];
  let problemCount = 0;
  const firstUnknown = new Map<string, number>();
  let used = 0;
  let skipped = 0;
  for (const block of done) {
    used += block.used;
    skipped += block.skipped;
    problemCount += block.problemCount;
    for (const problem of block.problems) found.push(shift(problem, totalLines));
    for (const u of block.unknown) {
      const line = u.line + totalLines;
      if (!firstUnknown.has(u.metric) || (firstUnknown.get(u.metric) as number) > line) firstUnknown.set(u.metric, line);
    }
    totalLines += block.lines;
  }
  for (const [metric, line] of firstUnknown) found.push({ line, message: unknownMetricMessage(metric, line) });
  found.sort((a, b) => a.line - b.line);
  for (const p of found) problems.add(p.line, p.message);
  // Problems past the ones kept are counted, not listed.
  problems.count += problemCount - (found.length - firstUnknown.size);
  if (truncated) problems.add(null, truncatedMessage(file, totalLines));
  return ndjsonReport(file, problems, { lines: totalLines, used, skipped });
}

/** One worker and its bookkeeping. */
class Pool {
  readonly blocks: Omit<BlockDone, 'bytes'>[] = [];
  inFlight = 0;
  private readonly worker: Worker;
  private waiters: (() => void)[] = [];
  private result: Promise<unknown> | undefined;
  private resolveResult: ((aggregates: unknown) => void) | undefined;
  private failure: Error | undefined;

  constructor(setup: WorkerSetup, giveBack: (bytes: Buffer) => void) {
    this.worker = startWorker(setup);
    this.worker.on('message', (message: FromWorker) => {
      if (message.kind === 'block') {
        const { bytes, ...done } = message;
        this.blocks.push(done);
        giveBack(Buffer.from(bytes.buffer, 0, bytes.buffer.byteLength));
        this.inFlight -= 1;
      } else if (message.kind === 'done') this.resolveResult?.(message.aggregates);
      else this.fail(new Error(`k6 ndjson: a reader thread failed: ${message.message}`));
      this.wake();
    });
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => {
      if (this.resolveResult !== undefined || code !== 0) this.fail(new Error(`k6 ndjson: a reader thread stopped (exit code ${code})`));
    });
  }

  post(message: ToWorker, bytes: Buffer): void {
    this.check();
    this.inFlight += 1;
    this.worker.postMessage(message, [bytes.buffer as ArrayBuffer]);
  }

  /** Resolves when this worker next reports (or fails). */
  next(): Promise<void> {
    this.check();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  finish(): Promise<unknown> {
    this.check();
    this.result ??= new Promise((resolve, reject) => {
      this.resolveResult = (aggregates) => {
        this.resolveResult = undefined;
        resolve(aggregates);
      };
      this.waiters.push(() => {
        if (this.failure !== undefined) reject(this.failure);
      });
      this.worker.postMessage({ kind: 'finish' } satisfies ToWorker);
    });
    return this.result;
  }

  terminate(): void {
    void this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

function leastBusy(pool: readonly Pool[]): number {
  let best = 0;
  for (let i = 1; i < pool.length; i++) if ((pool[i] as Pool).inFlight < (pool[best] as Pool).inFlight) best = i;
  return best;
}

/**
 * Starts a reader thread. The project's TypeScript runs through tsx, which a worker thread does not
 * inherit, and tsx in every worker would cost each a second of CPU and tens of MB: the worker module is
 * bundled once per process with esbuild (a dependency already, for the k6 scenarios) into one
 * CommonJS script, evaluated by each worker.
 */
function startWorker(setup: WorkerSetup): Worker {
  bundled ??= buildSync({
    entryPoints: [path.join(repoRoot, 'analysis', 'ingest', 'ndjson-worker.ts')], // the source, also when this runs from a bundle
    bundle: true, // the reader, the aggregator and the histogram: one script, no module loading
    platform: 'node', // node: built-ins stay imports
    format: 'cjs', // what `eval: true` runs
    target: 'node20',
    write: false, // kept in memory: nothing is written next to the sources
    logLevel: 'silent',
  }).outputFiles[0]?.text;
  if (bundled === undefined) throw new Error('k6 ndjson: bundling the reader thread gave no output');
  // A small young generation: the reader makes short-lived strings, and peak RSS counts every thread.
  return new Worker(bundled, { eval: true, workerData: setup, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } });
}

let bundled: string | undefined;
const YOUNG_MB = Number(process.env.K6C_YOUNG ?? 8);

/**
 * The file's bytes (gunzipped when gzip) in blocks of whole lines, each in an ArrayBuffer of its own
 * (transferred to a worker without a copy). Plain files are read straight into the block; the part of
 * the last line that did not fit moves to the next block. What follows the last newline is left in
 * `last` when the generator ends (or throws: a truncated gzip stream keeps it too).
 */
async function* lineBlocks(file: string, blockBytes: number, last: { bytes: Buffer }, spare: Buffer[]): AsyncGenerator<Buffer> {
  const take = (size: number): Buffer => {
    const index = spare.findIndex((b) => b.length >= size);
    return index < 0 ? Buffer.allocUnsafeSlow(size) : (spare.splice(index, 1)[0] as Buffer);
  };
  let block = take(blockBytes);
  let filled = 0;
  const cut = function* (): Generator<Buffer> {
    const end = block.lastIndexOf(10, filled - 1) + 1;
    if (end === 0) {
      // One line longer than a block: a larger block.
      if (filled === block.length) {
        const larger = Buffer.allocUnsafeSlow(block.length * 2);
        block.copy(larger, 0, 0, filled);
        block = larger;
      }
      return;
    }
    const next = take(Math.max(blockBytes, filled - end));
    block.copy(next, 0, end, filled);
    yield block.subarray(0, end);
    block = next;
    filled -= end;
  };
  try {
    // A plain file is read straight into the block, 128 KiB at a time (see SCAN_CHUNK).
    const into = (size: number): Uint8Array => block.subarray(filled, filled + Math.min(size, block.length - filled));
    for await (const chunk of readChunks(file, { chunkSize: SCAN_CHUNK, into })) {
      if (chunk.buffer === block.buffer && chunk.byteOffset === block.byteOffset + filled) {
        filled += chunk.length;
        if (filled === block.length) yield* cut();
        continue;
      }
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, block.length - filled);
        chunk.copy(block, filled, at, at + n);
        filled += n;
        at += n;
        if (filled === block.length) yield* cut();
      }
    }
  } finally {
    last.bytes = block.subarray(0, filled);
  }
}

/** The `Metric` declarations in a block (each line holding `"type":"Metric"` that parses as one). */
function declarationsIn(bytes: Buffer): Declaration[] {
  const out: Declaration[] = [];
  // `Metric"` and then the `"type":"` before it: a search for a needle that starts with a rare byte
  // ran at 13 GB/s here, one for `"type":"Metric"` (whose start is on every line) at 2.8.
  let at = bytes.indexOf(METRIC_NEEDLE);
  while (at >= 0) {
    if (at < TYPE_PREFIX.length || bytes.compare(TYPE_PREFIX, 0, TYPE_PREFIX.length, at - TYPE_PREFIX.length, at) !== 0) {
      at = bytes.indexOf(METRIC_NEEDLE, at + 1);
      continue;
    }
    const start = bytes.lastIndexOf(10, at) + 1;
    let end = bytes.indexOf(10, at);
    if (end < 0) end = bytes.length;
    const declaration = declarationOf(bytes.toString('utf8', start, end));
    if (declaration !== undefined) out.push(declaration);
    at = bytes.indexOf(METRIC_NEEDLE, end);
  }
  return out;
}

function declarationOf(line: string): Declaration | undefined {
  try {
    const entry = JSON.parse(line) as { type?: unknown; metric?: unknown; data?: { name?: unknown; type?: unknown; contains?: unknown } };
    if (entry.type !== 'Metric') return undefined;
    const name = typeof entry.metric === 'string' ? entry.metric : typeof entry.data?.name === 'string' ? entry.data.name : undefined;
    const type = entry.data?.type;
    if (name === undefined || typeof type !== 'string' || !METRIC_TYPES.includes(type)) return undefined;
    const contains = entry.data?.contains;
    return { name, type: type as MetricType, contains: typeof contains === 'string' && CONTAINS.includes(contains) ? (contains as MetricContains) : 'default' };
  } catch {
    return undefined;
  }
}

/** A block's problem with the file's line number. */
function shift(problem: Problem, before: number): { line: number; message: string } {
  const line = (problem.line ?? 0) + before;
  return { line, message: problem.message.replace(/ at line \d+$/, ` at line ${line}`) };
}
