/**
 * Bundles every `scenarios/*.ts` into `dist/<name>.js` for `k6 run`. A new scenario is one new file in
 * scenarios/; nothing here changes.
 *
 *   npm run build [-- --outdir DIR]
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { commandFlags, fail, isMain, repoRoot } from './lib/cli.ts';
import { flagHelp } from './lib/flags.ts';

export interface BuildOptions {
  /**
   * An inline source map in each bundle (default `true`). Without it a bundle is a fraction of the
   * size and names no path of the machine that built it: what a copy for elsewhere (a ConfigMap) needs.
   */
  readonly sourceMap?: boolean;
}

export async function buildScenarios(outdir = path.join(repoRoot, 'dist'), options: BuildOptions = {}): Promise<string[]> {
  const { sourceMap = true } = options;
  const scenarioDir = path.join(repoRoot, 'scenarios');
  const entryPoints = readdirSync(scenarioDir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .sort()
    .map((name) => path.join(scenarioDir, name));
  mkdirSync(outdir, { recursive: true });
  const outputs: string[] = [];
  for (const entry of entryPoints) {
    const output = path.join(outdir, `${path.basename(entry, '.ts')}.js`);
    writeFileSync(output, await bundleScenario(entry, sourceMap));
    outputs.push(output);
  }
  return outputs;
}

const COMMON: esbuild.BuildOptions = {
  // One self-contained file per scenario: k6 resolves no node_modules and no bare imports.
  bundle: true,
  // k6's runtime (Sobek) is neither Node nor a browser; `neutral` keeps esbuild from assuming either.
  platform: 'neutral',
  // Sobek supports ES2020 syntax fully; newer syntax is lowered.
  target: 'es2020',
  // k6's built-in modules are provided by k6 at run time.
  external: ['k6', 'k6/*'],
  // Readable bundles: stack traces in k6 errors point at recognisable code, and size does not matter.
  minify: false,
  // The `// lib/…` comments above each module name it relative to this: the repository, wherever
  // the build was started from (a path of the building machine would end up in the bundle).
  absWorkingDir: repoRoot,
  // Quiet on success, loud on anything suspicious.
  logLevel: 'warning',
  write: false,
};

/** What a scenario built on defineScenario exports, and all it may export to be split. */
const SPLIT_EXPORTS = ['default', 'handleSummary', 'options', 'setup'];
const SPLIT_MARK = 'lib/k6/scenario.ts';
const INLINE_MAP = /\n\/\/# sourceMappingURL=data:[^\n]*\n?$/;

/**
 * One scenario's bundle, as ES module text. A scenario built on defineScenario is split: its whole
 * bundle becomes the body of a function that only k6's first VU calls (lib/k6/split.ts), so the VUs
 * that iterate create none of the planning code. k6 evaluates a script's top level in every VU and
 * keeps what it creates live for the whole run; a few hundred VUs' worth of it costs the Go garbage
 * collector, and so the load generator, CPU (npm run bench -- lib-overhead). Any other file is
 * bundled as it is.
 */
async function bundleScenario(entry: string, sourceMap: boolean): Promise<string> {
  // Stack traces from k6 map back to lib/ and scenarios/ lines.
  const sourcemap = sourceMap ? ('inline' as const) : false;
  const plain = await esbuild.build({ ...COMMON, entryPoints: [entry], format: 'esm', sourcemap, metafile: true, outdir: 'dist' });
  const [output] = Object.values(plain.metafile.outputs);
  const splittable =
    output !== undefined &&
    Object.keys(plain.metafile.inputs).includes(SPLIT_MARK) &&
    [...output.exports].sort().join(',') === SPLIT_EXPORTS.join(',');
  const plainText = plain.outputFiles?.[0]?.text ?? '';
  if (!splittable) return plainText;

  const inner = await esbuild.build({ ...COMMON, entryPoints: [entry], format: 'cjs', sourcemap, metafile: true, outdir: 'dist' });
  const innerText = inner.outputFiles?.[0]?.text ?? '';
  const modules = [...new Set(Object.values(inner.metafile.outputs).flatMap((out) => out.imports.filter((i) => i.external).map((i) => i.path)))].sort();
  const map = INLINE_MAP.exec(innerText)?.[0] ?? '';
  // esbuild drops the `// lib/plan.ts` comments that name each module when it bundles the body a
  // second time; as legal comments (`//!`) they stay, for a reader of a bundle without its map.
  const body = (map === '' ? innerText : innerText.slice(0, innerText.length - map.length)).replace(/^(\s*)\/\/ (\S+\.ts)$/gm, '$1//! $2');
  // The body starts on the wrapper's first line, so its lines keep their numbers for the source map.
  const full = `export function full(require) { var module = { exports: {} }, exports = module.exports; ${body}\nreturn module.exports;\n}\n${map.trim()}\n`;
  const imports = modules.map((name, i) => `import * as m${i} from ${JSON.stringify(name)};`).join('\n');
  const table = modules.map((name, i) => `${JSON.stringify(name)}: m${i}`).join(', ');
  const outer = [
    imports,
    "import { full } from 'k6-capacity:full';",
    "import { k6Require, splitEntry } from './lib/k6/split.ts';",
    `const entry = splitEntry(() => full(k6Require({ ${table} })));`,
    'export const options = entry.options;',
    'export const setup = entry.setup;',
    'export default entry.iteration;',
    'export const handleSummary = entry.handleSummary;',
    '',
  ].join('\n');
  const split = await esbuild.build({
    ...COMMON,
    legalComments: 'inline',
    stdin: { contents: outer, resolveDir: repoRoot, sourcefile: `${path.relative(repoRoot, entry)} (split)`, loader: 'js' },
    format: 'esm',
    sourcemap,
    outdir: 'dist',
    plugins: [
      {
        name: 'k6-capacity-full',
        setup(build) {
          build.onResolve({ filter: /^k6-capacity:full$/ }, () => ({ path: path.relative(repoRoot, entry), namespace: 'full' }));
          build.onLoad({ filter: /.*/, namespace: 'full' }, () => ({ contents: full, loader: 'js', resolveDir: repoRoot }));
        },
      },
    ],
  });
  return split.outputFiles?.[0]?.text ?? '';
}

const FLAGS = {
  outdir: { type: 'string', value: 'DIR', help: 'where the bundles go (default dist/)' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const;

async function main(): Promise<void> {
  const values = commandFlags('build', FLAGS);
  if (values.help) {
    process.stdout.write(`Usage: npm run build [-- --outdir DIR]\n\nBundles scenarios/*.ts to DIR/<name>.js (default dist/) for \`k6 run\`.\n\nOptions:\n${flagHelp(FLAGS)}`);
    return;
  }
  const outputs = await buildScenarios(values.outdir === undefined ? undefined : path.resolve(values.outdir));
  for (const output of outputs) process.stdout.write(`${path.relative(process.cwd(), output)}\n`);
}

if (isMain(import.meta.url)) main().catch(fail);
