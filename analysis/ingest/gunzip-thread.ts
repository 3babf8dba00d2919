/**
 * Gunzip on a thread of its own, into a ring of shared memory that this thread reads.
 *
 * Why: Node's zlib stream makes a new 256 KiB Buffer for every chunk it outputs. Under
 * `npm run analyze`'s flags (a 2 MB young generation, `--optimize-for-size`) and with a heap that
 * holds the aggregates and the report's libraries, that stream of external allocations sets off a
 * full GC every few MB: measured, gunzip alone ran at 115 MB/s with 20 MB of live objects beside it
 * and at 860 without. The worker's heap holds nothing but the stream, and this thread copies each chunk
 * out of the ring, allocating nothing per chunk; gunzip and parsing also run on two cores at once.
 */
import { Worker } from 'node:worker_threads';

/** Bytes per slot of the ring (zlib's output chunk), and slots: 1 MiB of shared memory. */
const SLOT = 1 << 18;
const SLOTS = 4;
/** Bytes zlib may decompress ahead of the ring (in the worker's memory). */
const AHEAD = 4 << 20;
// Control words: chunks written and read so far, the worker's state, then each slot's length.
const WRITTEN = 0;
const READ = 1;
const STATE = 2;
const LENGTHS = 3;
const RUNNING = 0;
const DONE = 1;
const FAILED = 2;

/** ES2024's `Atomics.waitAsync` (in Node since 16), which this project's ES2023 library does not declare. */
const waitAsync = (Atomics as unknown as { waitAsync: (array: Int32Array, index: number, value: number, timeout?: number) => { async: boolean; value: unknown } }).waitAsync.bind(Atomics);

interface Setup {
  readonly file: string;
  readonly data: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
}

/**
 * The decompressed bytes of the gzip file `file` in chunks, each valid until the next is asked for.
 * A zlib error (a stream cut off: `Z_BUF_ERROR`) is thrown with zlib's message and code.
 */
export async function* gunzipOnThread(file: string): AsyncGenerator<Buffer> {
  const data = new SharedArrayBuffer(SLOT * SLOTS);
  const control = new SharedArrayBuffer(4 * (LENGTHS + SLOTS));
  const ctrl = new Int32Array(control);
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { file, data, control } satisfies Setup,
    // A young generation of 16 MB: zlib makes a Buffer per chunk (measured: 4 MB made it 30% slower).
    resourceLimits: { maxYoungGenerationSizeMb: 16 },
  });
  let failure: Error | undefined;
  worker.on('message', (message: { message: string; code?: string }) => {
    failure = Object.assign(new Error(message.message), { code: message.code });
  });
  worker.on('error', (error) => {
    failure ??= error;
  });
  worker.on('exit', (code) => {
    if (Atomics.load(ctrl, STATE) === RUNNING) failure ??= new Error(`gunzip: the thread stopped (exit code ${code})`);
  });
  let read = 0;
  try {
    for (;;) {
      const written = Atomics.load(ctrl, WRITTEN);
      if (written > read) {
        const slot = read % SLOTS;
        yield Buffer.from(data, slot * SLOT, ctrl[LENGTHS + slot] as number);
        read += 1;
        Atomics.store(ctrl, READ, read);
        Atomics.notify(ctrl, READ);
        continue;
      }
      const state = Atomics.load(ctrl, STATE);
      // The worker stores its state after its last chunk: chunks written meanwhile are read first.
      if (state !== RUNNING && Atomics.load(ctrl, WRITTEN) > read) continue;
      if (state === DONE) return;
      if (state === FAILED || failure !== undefined) {
        // Its message (sent before the state was stored) arrives through the event loop.
        while (failure === undefined) await new Promise((resolve) => setImmediate(resolve));
        throw failure;
      }
      // The timeout lets the event loop report a thread that died without saying so.
      const wait = waitAsync(ctrl, WRITTEN, written, 200);
      if (wait.async) await wait.value;
    }
  } finally {
    void worker.terminate();
  }
}

/**
 * The worker, as source text run with `eval` (CommonJS: nothing to resolve or bundle, and no compiler
 * between this text and what runs, so that no helper a transpiler adds can be missing in the worker).
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createReadStream } = require('node:fs');
const { createGunzip } = require('node:zlib');
const { file, data, control } = workerData;
const ring = new Uint8Array(data);
const ctrl = new Int32Array(control);
// An Atomics.waitAsync does not keep the event loop alive by itself.
const alive = setInterval(() => {}, 1 << 30);
async function run() {
  const raw = createReadStream(file, { highWaterMark: 1 << 17 });
  // zlib keeps decompressing while the ring is full, up to this many bytes ahead.
  const gunzip = createGunzip({ chunkSize: ${SLOT}, readableHighWaterMark: ${AHEAD} });
  raw.on('error', (error) => gunzip.destroy(error));
  for await (const chunk of raw.pipe(gunzip)) {
    for (let at = 0; at < chunk.length; ) {
      // Wait while every slot holds a chunk not read yet.
      for (;;) {
        const read = Atomics.load(ctrl, ${READ});
        if (Atomics.load(ctrl, ${WRITTEN}) - read < ${SLOTS}) break;
        const wait = Atomics.waitAsync(ctrl, ${READ}, read, 1000);
        if (wait.async) await wait.value;
      }
      const written = Atomics.load(ctrl, ${WRITTEN});
      const slot = written % ${SLOTS};
      const n = Math.min(${SLOT}, chunk.length - at);
      ring.set(chunk.subarray(at, at + n), slot * ${SLOT});
      ctrl[${LENGTHS} + slot] = n;
      Atomics.store(ctrl, ${WRITTEN}, written + 1);
      Atomics.notify(ctrl, ${WRITTEN});
      at += n;
    }
  }
}
run().then(
  () => Atomics.store(ctrl, ${STATE}, ${DONE}),
  (error) => {
    parentPort.postMessage({ message: error.message, code: error.code });
    Atomics.store(ctrl, ${STATE}, ${FAILED});
  },
).finally(() => {
  Atomics.notify(ctrl, ${WRITTEN});
  clearInterval(alive);
});
`;
