/**
 * The main job on the bundled default: a short matrix of the sample service as local processes, with
 * a `/predict` three times the default cost (150 units, about 8 ms of CPU), so that one replica runs
 * out of CPU inside the sweep and the report shows a knee and a maximum sustainable rate — 1 and 2
 * replicas × four load levels of 12 s, with /proc captures of the replicas and of k6, then the
 * analysis. About two and a half minutes on 2 cores.
 *
 *   npm run demo
 */
import path from 'node:path';
import { utcStamp } from '../lib/tags.ts';
import { commandFlags, fail, isMain, repoRoot } from './lib/cli.ts';
import { flagHelp } from './lib/flags.ts';
import { progressSink } from './lib/progress.ts';
import { cellId, runSweep, type SweepPlan } from './lib/sweep.ts';
import { EXIT_INTERRUPTED, sweepSignals } from './lib/sweep-main.ts';
import { BUILTIN_TARGETS, type Target } from './lib/targets.ts';

export const DEMO_REPLICAS = [1, 2];
export const DEMO_LEVELS = [50, 150, 250, 350];
export const DEMO_PREDICT_COST = 150;
const DEMO_DURATION = '12s';

/** The sample service with a costlier `/predict`: its capacity falls inside the demo's levels. */
export const DEMO_TARGET: Target = { ...(BUILTIN_TARGETS.sample as Extract<Target, { kind: 'process' }>), name: 'sample-heavy', predictCost: DEMO_PREDICT_COST };

const FLAGS = {
  out: { type: 'string', value: 'DIR', help: 'the run directory (default runs/demo-<UTC time>); it must not hold a sweep' },
  force: { type: 'boolean', help: 'when --out holds a sweep, move it aside to DIR.replaced-<UTC time> first' },
  help: { type: 'boolean', short: 'h', help: 'this text' },
} as const;

const HELP = `Usage: npm run demo [-- --out DIR]

Starts the bundled sample service on 127.0.0.1 (1, then 2 replicas) with /predict costing
${DEMO_PREDICT_COST} units, gets k6 if missing, runs the constant scenario at ${DEMO_LEVELS.join(', ')} requests/s for
${DEMO_DURATION} each with /proc resource captures, analyses the run, prints the capacity verdicts and where
report.html is.
Equivalent to: npm run matrix -- --target sample-heavy --replicas ${DEMO_REPLICAS.join(',')} --tps-levels ${DEMO_LEVELS.join(',')} \\
  --duration ${DEMO_DURATION} --pause 3s --cooldown 3s --snapshot-interval 2s

Options:
${flagHelp(FLAGS)}`;

export function demoPlan(): SweepPlan {
  return {
    mode: 'matrix',
    scenario: 'constant',
    duration: DEMO_DURATION,
    cells: DEMO_REPLICAS.flatMap((replicas) => DEMO_LEVELS.map((level) => ({ id: cellId(level, replicas), level, replicas }))),
    pause_ms: 3000,
    cooldown_ms: 3000,
    snapshot_interval_ms: 2000,
    health_timeout_ms: 30_000,
    skip_health_wait: false,
    skip_data: true,
    vars: {},
    secret_names: [],
  };
}

async function main(): Promise<void> {
  if (process.env.INIT_CWD !== undefined) process.chdir(process.env.INIT_CWD);
  const values = commandFlags('demo', FLAGS);
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const outDir = path.resolve(values.out ?? path.join(repoRoot, 'runs', `demo-${utcStamp(new Date())}`));
  const shown = path.relative(process.cwd(), outDir) || '.';
  const { signal, hardStop } = sweepSignals('demo');
  const progress = progressSink();
  const result = await runSweep({
    target: DEMO_TARGET,
    plan: demoPlan(),
    outDir,
    secretVars: {},
    commandLine: ['npm', 'run', 'demo', ...process.argv.slice(2)],
    resume: false,
    name: 'demo',
    announce: `demo: ${DEMO_REPLICAS.length * DEMO_LEVELS.length} runs of ${DEMO_DURATION} into ${shown}`,
    force: values.force === true,
    signal,
    hardStop,
    progress,
  });
  if (result.interrupted) {
    process.stderr.write(`demo: interrupted; resume with: npm run matrix -- --resume ${shown}\n`);
    process.exitCode = EXIT_INTERRUPTED;
    return;
  }
  const report = result.reportDir === null ? null : path.relative(process.cwd(), path.join(result.reportDir, 'report.html'));
  process.stdout.write(`demo: done. Read ${report ?? 'the report'} — or analyse again with: npm run analyze -- ${shown}\n`);
}

if (isMain(import.meta.url)) main().catch(fail);
