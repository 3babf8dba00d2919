/**
 * A TPS sweep with captures of the target's state.
 *
 *   npm run sweep -- --target sample --tps-levels 10,25,50 --duration 1m
 */
import { fail, isMain } from './lib/cli.ts';
import { runSweepCli } from './lib/sweep-main.ts';

if (isMain(import.meta.url)) runSweepCli('sweep', process.argv.slice(2)).catch(fail);
