import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: the web console driven in headless Chromium (Debian's `chromium`, never a
 * downloaded browser), outside `npm test`, which needs no browser. .ci/run installs Chromium with apt.
 */
export default defineConfig({
  test: {
    include: ['web/**/*.browser.test.ts'],
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
