import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const shim = (name: string): string => fileURLToPath(new URL(`./test/shims/${name}.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // lib/'s k6 adapters import k6's built-in modules, which exist only inside k6; unit tests see
    // recording shims instead. Real behaviour is covered by the tests that run the k6 binary.
    alias: [
      { find: /^k6$/, replacement: shim('k6') },
      { find: /^k6\/http$/, replacement: shim('k6-http') },
      { find: /^k6\/execution$/, replacement: shim('k6-execution') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Tests whose verdicts depend on a quiet machine run afterwards, one at a time:
    // vitest.serial.config.ts.
    exclude: ['test/serial/**', 'node_modules/**'],
    globalSetup: ['test/setup/global.ts'],
    // Integration tests start k6 and services; generous but bounded.
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
