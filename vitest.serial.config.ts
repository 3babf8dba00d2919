/**
 * The tests that measure the sample service and judge the numbers (a comparison that must find a
 * 50% costlier /predict worse and the same settings twice unchanged, a sweep past the knee): they
 * need the machine to themselves, so `npm test` runs them after the rest, one file at a time.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/serial/**/*.test.ts'],
    exclude: ['node_modules/**'],
    fileParallelism: false,
  },
});
