import { defineConfig } from 'vitest/config'

// Two projects: `unit` needs nothing running; `integration` talks to a real Kafka broker and the
// ClickHouse engine, started by test/support/global-setup.ts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/test/**/*.test.ts',
            'services/*/test/**/*.test.ts',
            'dashboards/test/**/*.test.ts',
          ],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.integration.test.ts', '**/test/**/*.integration.test.ts'],
          exclude: ['**/node_modules/**'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 240_000,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
})
