import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'infra/**/*.test.ts',
      'deploy/**/*.test.ts',
      'web/**/*.test.ts',
      'bench/**/*.test.ts',
      'scripts/**/*.test.mjs',
    ],
    // Browser tests need Chromium: `npm run test:browser`, which .ci/run calls.
    exclude: ['**/node_modules/**', '**/*.browser.test.ts'],
    // Each file starts its own embedded engines on ephemeral ports; two cores cap useful parallelism.
    maxWorkers: 2,
    globalSetup: ['vitest.global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
