/**
 * Runs one of the project's TypeScript programs from an esbuild bundle of it instead of through tsx:
 *   node scripts/run-bundled.mjs analysis/cli.ts ARGS…
 *
 * Why: `npm run analyze` must stay within 200 MB whatever it reads (issue 10). tsx compiles every
 * module on load and keeps its loader in a thread of its own; that alone is about 50 MB of a process
 * that otherwise starts at about 45. A bundle of the program starts at Node's own cost, measured in
 * `npm run bench -- memory`. Its packages are in it too (all but esbuild), so that Node does not
 * resolve and compile their hundreds of modules one by one at every launch.
 *
 * The bundle lives in `node_modules/.cache/k6-capacity/`, ignored and wiped by `npm ci`, so that its
 * one package import (esbuild) resolves to the project's. It is rebuilt when any source it was made from
 * has changed (size or modification time) or esbuild's version has, so an edited source is never run
 * stale. Two launches at once may both build; each writes to a file of its own and renames it in place.
 * Where the cache cannot be written (a read-only checkout) the program runs through tsx as before.
 *
 * Plain JavaScript on purpose: this file runs before anything can compile TypeScript.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// K6_CAPACITY_BUNDLE_DIR moves it (tests do); it must stay inside the repository, where the bundle's
// package imports find node_modules.
const cacheDir = path.resolve(root, process.env.K6_CAPACITY_BUNDLE_DIR ?? path.join('node_modules', '.cache', 'k6-capacity', 'bundled'));

/** What a bundle was made from: each input's size and mtime (packages' and this file's too), and the esbuild that made it. */
function isFresh(metaFile, esbuildVersion) {
  if (!existsSync(metaFile)) return false;
  let meta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8'));
  } catch {
    return false;
  }
  if (meta.esbuild !== esbuildVersion || !Array.isArray(meta.inputs)) return false;
  for (const input of meta.inputs) {
    let stat;
    try {
      stat = statSync(path.join(root, input.path));
    } catch {
      return false;
    }
    if (stat.size !== input.size || stat.mtimeMs !== input.mtimeMs) return false;
  }
  return true;
}

function esbuildVersion() {
  return JSON.parse(readFileSync(path.join(root, 'node_modules', 'esbuild', 'package.json'), 'utf8')).version;
}

async function bundle(entry, outFile, metaFile, version) {
  const { build } = await import('esbuild');
  const started = Date.now();
  const result = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The packages too: Node resolving and compiling the ~700 modules of vega, arquero and the rest
    // one by one was half of a small analysis's time (0.9 → 0.5 s measured). esbuild stays a package:
    // the ingest builds its worker with it at run time, and it finds its binary from its own files.
    external: ['esbuild'],
    // CommonJS packages in an ESM bundle call `require` for Node's built-ins: give them one.
    banner: { js: "import { createRequire as __k6cCreateRequire } from 'node:module'; const require = __k6cCreateRequire(import.meta.url);" },
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked', // a bug's stack trace (exit 70) names the TypeScript line, with --enable-source-maps
    sourcesContent: false,
    metafile: true,
    write: false,
    outfile: outFile,
    logLevel: 'error',
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) => {
    const stat = statSync(path.resolve(root, input));
    // A source changed while it was being bundled may not be in the bundle: record it as unseen,
    // so that the next launch builds again.
    return { path: path.relative(root, path.resolve(root, input)), size: stat.size, mtimeMs: stat.mtimeMs >= started ? -1 : stat.mtimeMs };
  });
  // This file's build options are part of what the bundle was made from.
  const self = statSync(fileURLToPath(import.meta.url));
  inputs.push({ path: path.relative(root, fileURLToPath(import.meta.url)), size: self.size, mtimeMs: self.mtimeMs });
  mkdirSync(cacheDir, { recursive: true });
  const suffix = `.${process.pid}.tmp`;
  for (const file of result.outputFiles) {
    writeFileSync(file.path + suffix, file.contents);
    renameSync(file.path + suffix, file.path);
  }
  writeFileSync(metaFile + suffix, `${JSON.stringify({ esbuild: version, entry, inputs }, null, 1)}\n`);
  renameSync(metaFile + suffix, metaFile);
}

async function main() {
  const [entry, ...args] = process.argv.slice(2);
  if (entry === undefined || !entry.endsWith('.ts') || !existsSync(path.join(root, entry))) {
    process.stderr.write(`usage: node scripts/run-bundled.mjs PROGRAM.ts [ARGS…] (a program of this repository, e.g. analysis/cli.ts), got \`${entry ?? ''}\`\n`);
    process.exit(1);
  }
  const name = entry.replace(/\.ts$/, '').replace(/[\\/]/g, '--');
  const outFile = path.join(cacheDir, `${name}.mjs`);
  const metaFile = path.join(cacheDir, `${name}.inputs.json`);
  let target = outFile;
  try {
    const version = esbuildVersion();
    if (!isFresh(metaFile, version)) await bundle(entry, outFile, metaFile, version);
  } catch (error) {
    if (!['EACCES', 'EROFS', 'EPERM'].includes(error?.code)) throw error;
    // Read-only: run the sources through tsx, at tsx's cost in memory.
    process.stderr.write(`note: cannot write ${path.relative(root, cacheDir)} (${error.code}): running ${entry} through tsx\n`);
    const { register } = await import('tsx/esm/api');
    register();
    target = path.join(root, entry);
  }
  if (target !== outFile) {
    // tsx: the program runs as its own main module, as `node --import tsx PROGRAM.ts` would.
    process.argv = [process.argv[0], target, ...args];
    await import(pathToFileURL(target).href);
    return;
  }
  // The bundle: the program's arguments as if run directly, `argv[1]` naming its source (so that no
  // module of the bundle takes itself for the main one), and its exported `main` run here.
  process.argv = [process.argv[0], path.join(root, entry), ...args];
  const program = await import(pathToFileURL(outFile).href);
  if (typeof program.main !== 'function') {
    process.stderr.write(`run-bundled: ${entry} exports no \`main\` function to run\n`);
    process.exit(1);
  }
  try {
    await program.main();
  } catch (error) {
    // As the program's own entry does: a bug's stack trace and exit 70.
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  }
}

await main();
