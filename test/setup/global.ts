/**
 * Once per `npm test`: make sure k6 exists (building it on a first run) and bundle the scenarios,
 * so integration tests run exactly what `k6 run dist/<name>.js` runs; build the NDJSON line scanner
 * (a few seconds on a fresh clone), so that test files do not each build it at once.
 */
import type { TestProject } from 'vitest/node';
import { ndjsonScanner } from '../../analysis/ingest/ndjson-scanner-build.ts';
import { buildScenarios } from '../../scripts/build.ts';
import { ensureK6 } from '../../scripts/lib/k6.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    k6: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const k6 = await ensureK6({ log: (line) => process.stderr.write(`[global setup] ensure-k6: ${line}\n`) });
  await buildScenarios();
  await ndjsonScanner();
  project.provide('k6', k6);
}
