// Three layers, one config: `unit` is pure and fast (the inner loop), `integration` talks to the
// real servers of test/env, `e2e` drives the real control plane and spawned processes.
const transform = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
};

import { existsSync } from 'node:fs';

// The server-backed layers share one environment, brought up by test/env.
const envHooks = existsSync(new URL('./test/env/jest-global-setup.ts', import.meta.url))
  ? {
      globalSetup: '<rootDir>/test/env/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/env/jest-global-teardown.ts',
    }
  : {};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform,
  // Sources import siblings as `./x.ts`; ts-jest rewrites them to `./x.js`, map them back.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};
export default {
  testTimeout: 30_000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/{contract,destinations,inputs,operator,agent,cli}/**/*.test.ts',
        '<rootDir>/test/unit/**/*.test.ts',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      ...envHooks,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      ...envHooks,
    },
    {
      // Sluice as users run it: the chart on the real node, with the images built from the
      // Dockerfiles. Its own stage, after e2e: it removes kwok's fake nodes.
      ...common,
      displayName: 'installed',
      testMatch: ['<rootDir>/test/installed/**/*.test.ts'],
      ...envHooks,
    },
  ],
};
