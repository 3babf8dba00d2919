/**
 * Bundles every `scenarios/*.ts` into `dist/<name>.js` for `k6 run`. A new scenario is one new file in
 * scenarios/; nothing here changes.
 *
 *   npm run build [-- --outdir DIR]
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { fail, isMain, repoRoot } from './lib/cli.ts';

export async function buildScenarios(outdir = path.join(repoRoot, 'dist')): Promise<string[]> {
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
    sourcemap: 'inline',
    // Quiet on success, loud on anything suspicious.
    logLevel: 'warning',
  });
  return entryPoints.map((entry) => path.join(outdir, `${path.basename(entry, '.ts')}.js`));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { outdir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write('Usage: npm run build [-- --outdir DIR]\n\nBundles scenarios/*.ts to DIR/<name>.js (default dist/) for `k6 run`.\n');
    return;
  }
  const outputs = await buildScenarios(values.outdir === undefined ? undefined : path.resolve(values.outdir));
  for (const output of outputs) process.stdout.write(`${path.relative(process.cwd(), output)}\n`);
}

if (isMain(import.meta.url)) main().catch(fail);
