/**
 * Gunzip on a thread of its own (analysis/ingest/gunzip-thread.ts): the same bytes as zlib on this
 * thread, through its ring many times over; a stream cut off gives everything before the cut, then
 * zlib's own error; a reader that stops early stops the thread. `readChunks` takes the thread only for
 * files of GUNZIP_THREAD_MIN_BYTES or more, and gives the same bytes and errors either way.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { gunzipOnThread } from '../../../analysis/ingest/gunzip-thread.ts';
import { GUNZIP_THREAD_MIN_BYTES, isTruncatedGzip, readChunks } from '../../../analysis/ingest/open.ts';
import { mulberry32 } from '../../../analysis/stats/random.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gunzip-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 6 MB of lines that compress about as k6 output does (many chunks of the ring's 256 KiB). */
function content(): Buffer {
  const random = mulberry32(11);
  const lines: string[] = [];
  for (let i = 0; lines.length < 60_000; i++) lines.push(`{"n":${i},"v":${random().toFixed(6)},"s":"${'x'.repeat(Math.floor(random() * 60))}"}`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function collect(file: string): Promise<{ bytes: Buffer; error: unknown }> {
  const parts: Buffer[] = [];
  try {
    // Each chunk is valid until the next is asked for: copied.
    for await (const chunk of gunzipOnThread(file)) parts.push(Buffer.from(chunk));
    return { bytes: Buffer.concat(parts), error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(parts), error };
  }
}

describe('gunzip on a thread', () => {
  const plain = content();
  const zipped = gzipSync(plain);

  it('gives the bytes zlib gives', async () => {
    const file = path.join(dir, 'whole.gz');
    writeFileSync(file, zipped);
    const { bytes, error } = await collect(file);
    expect(error).toBeUndefined();
    expect(bytes.length).toBe(plain.length);
    expect(bytes.equals(plain)).toBe(true);
  });

  it('a stream cut off: the bytes before the cut, then zlib’s error for it', async () => {
    const file = path.join(dir, 'cut.gz');
    writeFileSync(file, zipped.subarray(0, Math.floor(zipped.length * 0.6)));
    const { bytes, error } = await collect(file);
    expect(isTruncatedGzip(error)).toBe(true);
    expect((error as NodeJS.ErrnoException).code).toBe('Z_BUF_ERROR');
    expect(bytes.length).toBeGreaterThan(plain.length * 0.3);
    expect(bytes.equals(plain.subarray(0, bytes.length))).toBe(true);
  });

  it('bytes that are not gzip: zlib’s error, not a cut', async () => {
    const file = path.join(dir, 'bad.gz');
    writeFileSync(file, Buffer.concat([zipped.subarray(0, 10), Buffer.alloc(1000, 7)]));
    const { error } = await collect(file);
    expect(error).toBeInstanceOf(Error);
    expect(isTruncatedGzip(error)).toBe(false);
  });

  it('a reader that stops after the first chunk', async () => {
    const file = path.join(dir, 'early.gz');
    writeFileSync(file, zipped);
    let chunks = 0;
    for await (const chunk of gunzipOnThread(file)) {
      chunks += chunk.length > 0 ? 1 : 0;
      break;
    }
    expect(chunks).toBe(1);
  });
});

describe('readChunks with gunzipThread: this thread below GUNZIP_THREAD_MIN_BYTES, the thread from it', () => {
  async function read(file: string): Promise<{ bytes: Buffer; error: unknown }> {
    const parts: Buffer[] = [];
    try {
      for await (const chunk of readChunks(file, { gunzipThread: true })) parts.push(Buffer.from(chunk));
      return { bytes: Buffer.concat(parts), error: undefined };
    } catch (error) {
      return { bytes: Buffer.concat(parts), error };
    }
  }
  // Random bytes do not compress: their gzip is a little larger than they are.
  const random = mulberry32(5);
  const big = Buffer.alloc(GUNZIP_THREAD_MIN_BYTES + (256 << 10));
  for (let i = 0; i < big.length; i++) big[i] = Math.floor(random() * 256);
  const small = big.subarray(0, 100_000);

  it.each([
    ['below', small],
    ['above', big],
  ])('%s the threshold: the bytes zlib gives', async (_name, plain) => {
    const file = path.join(dir, `threshold-${plain.length}.gz`);
    const zipped = gzipSync(plain);
    expect(zipped.length >= GUNZIP_THREAD_MIN_BYTES).toBe(plain === big);
    writeFileSync(file, zipped);
    const { bytes, error } = await read(file);
    expect(error).toBeUndefined();
    expect(bytes.equals(plain)).toBe(true);
  });

  it.each([
    ['below', small],
    ['above', big],
  ])('%s the threshold, cut off: the bytes before the cut, then the error of a cut', async (_name, plain) => {
    const file = path.join(dir, `threshold-cut-${plain.length}.gz`);
    const zipped = gzipSync(plain);
    writeFileSync(file, zipped.subarray(0, Math.floor(zipped.length * 0.9)));
    const { bytes, error } = await read(file);
    expect(isTruncatedGzip(error)).toBe(true);
    expect(bytes.length).toBeGreaterThan(plain.length * 0.5);
    expect(bytes.equals(plain.subarray(0, bytes.length))).toBe(true);
  });
});
