/**
 * The compiled NDJSON scanner (`wasm/ndjson-scan.ts`, AssemblyScript): built with the project's
 * `assemblyscript` the first time it is needed and kept in `node_modules/.cache/k6-capacity/`
 * (ignored, wiped by `npm ci`), as scripts/run-bundled.mjs keeps its bundles. The file is named by a
 * hash of the source, the compiler's version and its flags, so an edited source is never run stale;
 * two processes building at once each write a file of their own and rename it in place.
 *
 * If the scanner cannot be built or loaded (no compiler installed, a read-only checkout without the
 * cached build, a WebAssembly without SIMD), the loaders read with the JS path, which gives the same
 * results more slowly, and say so once.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../scripts/lib/cli.ts';
import { Scanner } from './ndjson-scanner.ts';

const SOURCE = path.join(repoRoot, 'analysis', 'ingest', 'wasm', 'ndjson-scan.ts');
const CACHE_DIR = path.join(repoRoot, 'node_modules', '.cache', 'k6-capacity', 'ndjson-scan');
const execFileAsync = promisify(execFile);
const FLAGS = [
  '-O3', // speed: the scanner is the hot loop of ingest
  '--runtime', 'stub', // no garbage collector: the module manages its memory by hand
  '--noAssert', // no assertion code in the hot loop
  '--use', 'abort=', // no `env.abort` import: the module calls nothing but `env.parseSecond`
  '--enable', 'simd', // the newline search reads 16 bytes at a time
];

let compiled: Promise<WebAssembly.Module | undefined> | undefined;

/**
 * The scanner's compiled module, or `undefined` (with one warning per process) when it cannot be
 * had; the same promise for every caller of a process.
 */
export function ndjsonScanner(): Promise<WebAssembly.Module | undefined> {
  compiled ??= load().catch((error: unknown) => {
    process.emitWarning(
      `k6 ndjson: the WebAssembly line scanner is not available (${(error as Error).message.split('\n')[0]}): reading k6 NDJSON with the JS reader, several times slower\nNote: \`npm ci\` installs the AssemblyScript compiler that builds it`,
      { code: 'K6C_NDJSON_SCANNER' },
    );
    return undefined;
  });
  return compiled;
}

async function load(): Promise<WebAssembly.Module> {
  const source = readFileSync(SOURCE, 'utf8');
  const version = ascVersion();
  const hash = createHash('sha256').update(JSON.stringify({ version, flags: FLAGS })).update(source).digest('hex').slice(0, 16);
  const file = path.join(CACHE_DIR, `ndjson-scan-${hash}.wasm`);
  if (!existsSync(file)) await build(file);
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(readFileSync(file));
  } catch {
    // A damaged cache file (files are renamed in place whole, so hardly ever): built again.
    await build(file);
    module = await WebAssembly.compile(readFileSync(file));
  }
  // Instantiated once here, so that a module this Node cannot run is found before any reader uses it.
  new Scanner(module, () => Number.NaN);
  return module;
}

function ascVersion(): string {
  const manifest = path.join(repoRoot, 'node_modules', 'assemblyscript', 'package.json');
  if (!existsSync(manifest)) throw new Error('the AssemblyScript compiler is not installed');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/**
 * Compiles the scanner into `file`. In a Node process of its own: loaded through tsx or vitest's
 * transforms, the compiler (binaryen's 10 MB of JavaScript) took 10 s to import instead of 0.7.
 */
async function build(file: string): Promise<void> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const asc = path.join(repoRoot, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  try {
    await execFileAsync(process.execPath, [asc, path.relative(repoRoot, SOURCE), '--outFile', temporary, ...FLAGS], {
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: '' },
      maxBuffer: 1 << 22,
    });
  } catch (error) {
    const { stderr = '', message } = error as Error & { stderr?: string };
    throw new Error(`compiling ${path.relative(repoRoot, SOURCE)} failed: ${(stderr.trim() || message).split('\n').slice(0, 6).join(' ')}`);
  }
  renameSync(temporary, file);
}
