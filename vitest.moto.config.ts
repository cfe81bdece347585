import { defineConfig } from 'vitest/config';

/**
 * The moto part of `npm run test:engines`: tests against moto_server (a Python AWS emulator), outside `npm test`, which
 * needs no Python. Each file starts its own moto_server on a free port.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.moto-test.ts'],
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
