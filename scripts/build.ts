/**
 * Bundles every `scenarios/*.ts` into `dist/<name>.js` for `k6 run`. A new scenario is one new file in
 * scenarios/; nothing here changes.
 *
 *   npm run build [-- --outdir DIR]
 */
import { readdirSync } from 'node:fs';
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
  await esbuild.build({
    entryPoints,
    outdir,
    // One self-contained file per scenario: k6 resolves no node_modules and no bare imports.
    bundle: true,
    // k6 runs ES modules natively.
    format: 'esm',
    // k6's runtime (Sobek) is neither Node nor a browser; `neutral` keeps esbuild from assuming either.
    platform: 'neutral',
    // Sobek supports ES2020 syntax fully; newer syntax is lowered.
    target: 'es2020',
    // k6's built-in modules are provided by k6 at run time.
    external: ['k6', 'k6/*'],
    // Readable bundles: stack traces in k6 errors point at recognisable code, and size does not matter.
    minify: false,
    // Stack traces from k6 map back to lib/ and scenarios/ lines.
    sourcemap: sourceMap ? 'inline' : false,
    // The `// lib/…` comments above each module name it relative to this: the repository, wherever
    // the build was started from (a path of the building machine would end up in the bundle).
    absWorkingDir: repoRoot,
    // Quiet on success, loud on anything suspicious.
    logLevel: 'warning',
  });
  return entryPoints.map((entry) => path.join(outdir, `${path.basename(entry, '.ts')}.js`));
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
