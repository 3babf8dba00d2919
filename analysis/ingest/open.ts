/**
 * Opening an input: the raw bytes, gunzipped when the file starts with gzip's magic bytes (the name
 * is not trusted: `.json` files are sometimes gzip and `.gz` files sometimes are not).
 */
import { createReadStream, openSync, readSync, closeSync, fstatSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { AnalysisError } from '../errors.ts';
import { gunzipOnThread } from './gunzip-thread.ts';

export interface OpenedInput {
  readonly gzip: boolean;
  /** Size of the file on disk, in bytes. */
  readonly size: number;
  /** The decompressed bytes. A truncated gzip stream ends with an `error` event (zlib `Z_BUF_ERROR`). */
  readonly stream: Readable;
}

/** Reads the first `n` bytes of `file` (fewer when it is shorter). */
export function peek(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(n);
    const read = readSync(fd, buffer, 0, n, 0);
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Opens `file` for streaming; throws `AnalysisError('unreadable')` with the reason when it cannot. */
export function openInput(file: string, options: { highWaterMark?: number } = {}): OpenedInput {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new AnalysisError('unreadable', `input: \`${file}\` is not a file`);
    size = stat.size;
  } catch (error) {
    if (error instanceof AnalysisError) throw error;
    throw new AnalysisError('unreadable', `input: cannot read \`${file}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const gzip = isGzip(peek(file, 2));
  const raw = createReadStream(file, { highWaterMark: options.highWaterMark ?? 1 << 20 });
  if (!gzip) return { gzip, size, stream: raw };
  const gunzip = createGunzip({ chunkSize: 1 << 18 });
  raw.on('error', (error) => gunzip.destroy(error));
  // A consumer that stops early destroys the gunzip stream; the file must close with it.
  gunzip.on('close', () => raw.destroy());
  return { gzip, size, stream: raw.pipe(gunzip) };
}

export interface ReadOptions {
  /** Bytes per read of a plain file (default 64 KiB). */
  readonly chunkSize?: number | undefined;
  /**
   * Where to read each chunk of a plain file (an array of up to `size` bytes), instead of a buffer
   * reused for every chunk: a consumer that wants the bytes in memory of its own saves copying them.
   */
  readonly into?: ((size: number) => Uint8Array) | undefined;
  /**
   * Gunzip on a thread of its own (`gunzip-thread.ts`) rather than this thread's zlib stream, for
   * files of at least `GUNZIP_THREAD_MIN_BYTES` (smaller ones are decompressed here).
   */
  readonly gunzipThread?: boolean | undefined;
}

/**
 * Compressed bytes from which a gzip file is worth its own thread. The thread's start costs about
 * 40 ms; this thread's zlib costs more in GC the more it decompresses. Measured on slices of the
 * ingest bench's file (k6's ratio of about 40) with analyze's flags: 0.5 MB gzip took 25 ms here against
 * 65 ms on the thread, 2.5 MB 117 against 168, 9.9 MB 580 against 510. The demo's runs (75–515 KB) are
 * all decompressed here; the ingest bench's 26 MB on the thread.
 */
export const GUNZIP_THREAD_MIN_BYTES = 4 << 20;

/**
 * The decompressed bytes of `file` in chunks. Plain files are read synchronously (no event-loop round
 * trip per chunk: ingest is CPU-bound and nothing else runs meanwhile) into one reused buffer, so a
 * yielded chunk is valid only until the next one is requested; gzip files stream through zlib.
 * 64 KiB chunks keep the strings made from them out of V8's large-object space, which is collected
 * late: measured, peak RSS drops by a fifth against 1 MiB chunks at the same speed.
 */
export async function* readChunks(file: string, options: ReadOptions = {}): AsyncGenerator<Buffer> {
  const { chunkSize = 1 << 16, into, gunzipThread = false } = options;
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new AnalysisError('unreadable', `input: cannot read \`${file}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const buffer = Buffer.allocUnsafe(chunkSize);
  try {
    const first = readSync(fd, buffer, 0, chunkSize, null);
    if (isGzip(buffer.subarray(0, first))) {
      const onThread = gunzipThread && fstatSync(fd).size >= GUNZIP_THREAD_MIN_BYTES;
      closeSync(fd);
      fd = -1;
      if (onThread) yield* gunzipOnThread(file);
      else for await (const chunk of openInput(file, { highWaterMark: chunkSize }).stream) yield chunk as Buffer;
      return;
    }
    if (into !== undefined) {
      // The first chunk is in our buffer already; the others go where the consumer wants them.
      if (first > 0) yield buffer.subarray(0, first);
      for (;;) {
        const target = into(chunkSize);
        const read = readSync(fd, target, 0, target.length, null);
        if (read === 0) break;
        yield Buffer.from(target.buffer, target.byteOffset, read);
      }
      return;
    }
    let read = first;
    while (read > 0) {
      yield read === chunkSize ? buffer : buffer.subarray(0, read);
      read = readSync(fd, buffer, 0, chunkSize, null);
    }
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Whether a zlib error means "the stream ended early" (a file cut off while k6 was writing it). */
export function isTruncatedGzip(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(String((error as Error | undefined)?.message));
}
