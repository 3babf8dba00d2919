/**
 * The main job on the bundled default: start the sample service, get k6, run the constant scenario
 * against it for about 20 s, stop the service, and say where the output is.
 *
 *   npm run demo
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildScenarios } from './build.ts';
import { CliError, fail, isMain, repoRoot } from './lib/cli.ts';
import { ensureK6 } from './lib/k6.ts';
import { runK6, startSampleService } from './lib/processes.ts';

const HELP = `Usage: npm run demo [-- --out DIR --tps N --duration D]

Starts the sample service (2 replicas on 127.0.0.1), gets k6 if missing, bundles the scenarios and
runs dist/constant.js against the service (default 20 requests/s for 20s), then prints where the k6
output (k6.json.gz) and summary (summary.json) are. Default DIR: runs/demo-<UTC time>.
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      tps: { type: 'string', default: '20' },
      duration: { type: 'string', default: '20s' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const runDir = path.resolve(values.out ?? path.join(repoRoot, 'runs', `demo-${stamp}`));
  const levelDir = path.join(runDir, `tps-${values.tps}`);
  mkdirSync(levelDir, { recursive: true });

  const say = (line: string): void => {
    process.stdout.write(`demo: ${line}\n`);
  };
  const k6 = await ensureK6({ log: (line) => say(line) });
  await buildScenarios();
  say('bundled scenarios into dist/');

  const service = await startSampleService({ replicas: 2 });
  say(`sample service listening on ${service.url} (replica PIDs ${[...service.replicaPids.values()].join(', ')})`);
  let exitCode: number;
  try {
    say(`running k6: constant, ${values.tps} requests/s for ${values.duration}`);
    const result = await runK6({
      k6,
      script: path.join(repoRoot, 'dist', 'constant.js'),
      vars: {
        BASE_URL: service.url,
        TARGET: 'sample',
        TPS: values.tps,
        DURATION: values.duration,
        RUN_ID: `demo-${stamp}`,
        SUMMARY_PATH: path.join(levelDir, 'summary.json'),
      },
      jsonOut: path.join(levelDir, 'k6.json.gz'),
      cwd: levelDir,
      onOutput: (chunk) => process.stdout.write(chunk),
    });
    exitCode = result.exitCode;
  } finally {
    await service.stop();
    say('sample service stopped');
  }
  if (exitCode !== 0 && exitCode !== 99) throw new CliError(`demo: k6 exited with code ${exitCode}`);
  say(`k6 output: ${path.relative(process.cwd(), path.join(levelDir, 'k6.json.gz'))}`);
  say(`summary:   ${path.relative(process.cwd(), path.join(levelDir, 'summary.json'))}`);
  if (exitCode === 99) say('the SLO thresholds failed (k6 exit code 99); see the summary above');
}

if (isMain(import.meta.url)) main().catch(fail);
