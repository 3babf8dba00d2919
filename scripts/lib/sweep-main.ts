/**
 * The edge of `npm run sweep`, `npm run matrix` and `npm run demo`: arguments, signals, exit codes.
 */
import path from 'node:path';
import { progressSink } from './progress.ts';
import { runSweep } from './sweep.ts';
import { MATRIX_HELP, SWEEP_HELP, parseSweepArgs } from './sweep-cli.ts';

/** Exit code of an interrupted sweep (128 + SIGINT), as shells report Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/**
 * SIGINT and SIGTERM both stop a sweep the same way (a CI job's timeout or `kill` sends SIGTERM, a
 * terminal sends SIGINT): the current level is stopped and marked interrupted, finished levels are
 * kept. A second signal stops k6 at once.
 */
export function sweepSignals(mode: string): { signal: AbortSignal; hardStop: AbortSignal } {
  const soft = new AbortController();
  const hard = new AbortController();
  const on = (name: NodeJS.Signals): void => {
    if (soft.signal.aborted) {
      if (!hard.signal.aborted) process.stderr.write(`\n${mode}: ${name} again: killing k6 now\n`);
      hard.abort(name);
      return;
    }
    process.stderr.write(`\n${mode}: ${name}: stopping the current level; finished levels are kept (${name} again kills k6 at once)\n`);
    soft.abort(name);
  };
  process.on('SIGINT', () => on('SIGINT'));
  process.on('SIGTERM', () => on('SIGTERM'));
  return { signal: soft.signal, hardStop: hard.signal };
}

export async function runSweepCli(mode: 'sweep' | 'matrix', argv: readonly string[]): Promise<void> {
  // `npm run` starts scripts in the package folder; paths are meant from where the user typed them.
  if (process.env.INIT_CWD !== undefined) process.chdir(process.env.INIT_CWD);
  const parsed = parseSweepArgs(argv, mode);
  if (parsed === 'help') {
    process.stdout.write(mode === 'sweep' ? SWEEP_HELP : MATRIX_HELP);
    return;
  }
  const shown = path.relative(process.cwd(), parsed.outDir) || '.';
  if (parsed.ignored.length > 0) {
    process.stderr.write(`${mode}: --resume continues the plan in ${path.join(shown, 'manifest.json')}: ignoring ${parsed.ignored.join(', ')}\n`);
  }
  const { signal, hardStop } = sweepSignals(mode);
  const progress = progressSink();
  const result = await runSweep({ ...parsed, signal, hardStop, progress });
  if (result.interrupted) {
    process.stderr.write(`${mode}: resume with: npm run ${mode} -- --resume ${shown}\n`);
    process.exitCode = EXIT_INTERRUPTED;
  }
}
