/**
 * Files the tools write are written whole: to a temporary name beside the target, then renamed over
 * it, so a crash or a reader at the wrong moment sees the old file or the new one, never half of one.
 */
import { renameSync, writeFileSync } from 'node:fs';

export function writeAtomically(file: string, content: string): void {
  const temp = `${file}.tmp-${process.pid}`;
  writeFileSync(temp, content);
  renameSync(temp, file);
}
