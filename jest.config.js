/**
 * Six tiers, one config: `unit` runs anywhere (no port, no process: the lint forbids them there); `component`
 * starts one part of the local cloud on ports of its own (TEST_PORT_BASE+10 and up) against a fake Lambda,
 * and runs promtool on the alerting rules; `integration` needs the local cloud the global setup starts;
 * `e2e` drives the console in headless Chromium (/usr/bin/chromium) against a Step Functions endpoint of its own;
 * `deploy` packages the stack for the deployed stages (`sls package`, offline) and checks what would be deployed;
 * `chaos` is a short chaos run (bench/chaosRun.ts) on a cloud of its own whose functions fail on purpose.
 */
// Middy ships ES modules only: let ts-jest transpile it along with our TypeScript (type-checking is `tsc` in `npm run lint`).
const transform = {
  '^.+\\.[tj]s$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true, isolatedModules: true } }],
};
const common = {
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  clearMocks: true,
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
      setupFiles: ['<rootDir>/tests/support/unitEnvironment.ts'],
    },
    {
      ...common,
      displayName: 'component',
      testMatch: ['<rootDir>/tests/component/**/*.test.ts'],
      setupFiles: ['<rootDir>/tests/support/unitEnvironment.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/integration/support/globalSetup.ts',
      globalTeardown: '<rootDir>/tests/integration/support/globalTeardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'deploy',
      testMatch: ['<rootDir>/tests/deploy/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'chaos',
      testMatch: ['<rootDir>/tests/chaos/**/*.test.ts'],
    },
  ],
};
