/**
 * The WebAssembly scanner of k6 NDJSON lines (`wasm/ndjson-scan.ts`, AssemblyScript) as JS sees it:
 * its memory, the input area JS writes the file's bytes into, and the records one `scan` call writes,
 * one per line, read here through typed arrays. `NdjsonReader` drives it; `ndjson-scanner-build.ts`
 * compiles the module (main thread only: the compiler is large, worker threads get the module).
 */

// The record layout and flags of wasm/ndjson-scan.ts: keep them in step.
/** Int32 fields per record (64 bytes; the time and the value are Float64 fields 6 and 7). */
export const RECORD_INTS = 16;
export const R_LINE_START = 1;
export const R_LINE_END = 2;
export const R_PAIR = 3;
export const R_METRIC = 4;
export const R_TAGS = 5;
export const R_NAME_START = 6;
export const R_NAME_END = 7;
export const R_KEY_START = 8;
export const R_KEY_END = 9;
export const R_VALUE_START = 10;
export const R_VALUE_END = 11;
/** Float64 fields, counted in Float64 units from the record's start. */
export const R_TIME = 6;
export const R_VALUE = 7;

/** The line is for the JS reader (another layout, a check that failed, a blank line). */
export const KIND_JS = 1;
/** The unterminated end of the data. */
export const FLAG_LAST = 2;
export const FLAG_NEW_METRIC = 4;
export const FLAG_NEW_TAGS = 8;
/** The value is not a decimal the scanner converts exactly: JS runs `Number()` on its bytes. */
export const FLAG_VALUE_BY_JS = 16;

/** Records per `scan` call: a few thousand lines, so that the records stay in the CPU's cache. */
const RECORDS = 4096;

interface ScanExports {
  readonly memory: WebAssembly.Memory;
  init(records: number): number;
  reserve(capacity: number, keep: number): number;
  scan(from: number, to: number, final: number): number;
  scannedTo(): number;
}

export class Scanner {
  /** The whole memory as bytes; views are made again when the memory grows. */
  bytes: Buffer;
  ints: Int32Array;
  floats: Float64Array;
  /** Where the input area starts, and its size. */
  input = 0;
  capacity = 0;
  readonly recordCapacity = RECORDS;
  private readonly exports: ScanExports;
  private readonly records: number;

  /** `parseSecond(prefix, zone)`: Unix ms of a `YYYY-MM-DDTHH:MM:SS` and zone, NaN when invalid. */
  constructor(module: WebAssembly.Module, parseSecond: (prefix: string, zone: string) => number) {
    const instance = new WebAssembly.Instance(module, {
      env: {
        parseSecond: (start: number, zone: number, end: number): number => {
          const bytes = this.view();
          return parseSecond(bytes.toString('latin1', start, start + 19), bytes.toString('latin1', zone, end));
        },
      },
    });
    this.exports = instance.exports as unknown as ScanExports;
    this.records = this.exports.init(RECORDS);
    this.bytes = Buffer.alloc(0);
    this.ints = new Int32Array(0);
    this.floats = new Float64Array(0);
    this.view();
    this.reserve(1 << 20, 0);
  }

  /** Makes the input area at least `capacity` bytes, keeping its first `keep`. */
  reserve(capacity: number, keep: number): void {
    this.input = this.exports.reserve(capacity, keep);
    this.capacity = capacity;
    this.view();
  }

  /** Scans [from, to) of the input area; returns the records written (see `scannedTo`). */
  scan(from: number, to: number, final: boolean): number {
    const count = this.exports.scan(this.input + from, this.input + to, final ? 1 : 0);
    this.view();
    return count;
  }

  /** Where the last scan stopped, relative to the input area. */
  scannedTo(): number {
    return this.exports.scannedTo() - this.input;
  }

  /** The current views (a grown memory has a new buffer). */
  view(): Buffer {
    const buffer = this.exports.memory.buffer;
    if (this.bytes.buffer !== buffer) {
      this.bytes = Buffer.from(buffer);
      this.ints = new Int32Array(buffer, this.records, RECORDS * RECORD_INTS);
      this.floats = new Float64Array(buffer, this.records, (RECORDS * RECORD_INTS) / 2);
    }
    return this.bytes;
  }
}
