/**
 * The edge of `npm run sweep` and `npm run matrix`: arguments, signals, exit codes.
 */
import path from 'node:path';
import { progressSink } from './progress.ts';
import { runSweep } from './sweep.ts';
import { MATRIX_HELP, SWEEP_HELP, parseSweepArgs } from './sweep-cli.ts';

/** Exit code of an interrupted sweep (128 + SIGINT), as shells report Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

export async function runSweepCli(mode: 'sweep' | 'matrix', argv: readonly string[]): Promise<void> {
  // `npm run` starts scripts in the package folder; paths are meant from where the user typed them.
  if (process.env.INIT_CWD !== undefined) process.chdir(process.env.INIT_CWD);
  const parsed = parseSweepArgs(argv, mode);
  if (parsed === 'help') {
    process.stdout.write(mode === 'sweep' ? SWEEP_HELP : MATRIX_HELP);
    return;
  }
  const controller = new AbortController();
  const stop = (signal: string): void => {
    if (controller.signal.aborted) return;
    process.stderr.write(`\n${mode}: ${signal}: stopping the current level; finished levels are kept\n`);
    controller.abort();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const progress = progressSink();
  progress.log(`${mode}: ${parsed.resume ? 'resuming' : 'writing'} ${path.relative(process.cwd(), parsed.outDir) || '.'}`);
  const result = await runSweep({ ...parsed, signal: controller.signal, progress });
  const shown = path.relative(process.cwd(), result.outDir) || '.';
  if (result.interrupted) {
    process.stderr.write(`${mode}: resume with: npm run ${mode} -- --resume ${shown}\n`);
    process.exitCode = EXIT_INTERRUPTED;
  }
}
