import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure engine tests, no servers: `npx vitest --project unit` for a fast loop) and
 * `integration` (everything else; its globalSetup starts dynalite and s3rver on ephemeral loopback ports).
 * `npm test` runs both.
 */
const UNIT_TESTS = ['test/engine/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    env: {
      // Locked SDK versions support Node 20; their notice about 2027 releases is noise in test output.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT_TESTS } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT_TESTS,
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
