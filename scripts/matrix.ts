/**
 * Load levels × replica counts, in one run directory.
 *
 *   npm run matrix -- --target sample --replicas 1,2 --tps-levels 20,40
 */
import { fail, isMain } from './lib/cli.ts';
import { runSweepCli } from './lib/sweep-main.ts';

if (isMain(import.meta.url)) runSweepCli('matrix', process.argv.slice(2)).catch(fail);
