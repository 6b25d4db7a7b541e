// Two sets of tests. "unit" runs in the jest process alone, against servers it starts on 127.0.0.1:
// no redis-server, no Chromium, no sandbox or example-app process (`npm run test:unit`). "programs"
// is every other test file; it starts those programs, so jest first checks that they are installed
// (test/support/check-programs.js) and stops at once with the install command of a missing one.
// A new test file belongs to "programs" until it is listed here.
const UNIT_NAMES = [
  'api',
  'check-programs',
  'client',
  'cookie-state-store',
  'discovery',
  'docs',
  'endpoints',
  'errors',
  'fresh-tokens',
  'http',
  'id-token',
  'id-token-signature',
  'id-token-signature-algorithms',
  'lazy-loading',
  'local-path',
  'nonce',
  'options',
  'profile',
  'programs',
  'proxy',
  'random-token',
  'readme-types',
  'refresh',
  'refresh-work',
  'renewal-memory',
  'renewal-memory-order',
  'sealed',
  'secrets',
  'sign-in-start',
  'single-flight',
  'strategy',
  'token-set',
  'transport',
  'transport-targets',
  'typed-errors',
];

/** What both sets share. */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  moduleNameMapper: {
    '^passport-justlogin$': '<rootDir>/lib/index.ts',
    '^passport-justlogin/(fastify|koa)$': '<rootDir>/lib/$1.ts',
  },
};

/** @type {import('jest').Config} */
module.exports = {
  collectCoverageFrom: ['lib/**/*.ts'],
  coverageThreshold: { global: { lines: 90 } },
  coverageReporters: ['text-summary', 'text'],
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: UNIT_NAMES.map((name) => `<rootDir>/test/${name}.test.ts`) },
    {
      ...common,
      displayName: 'programs',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...UNIT_NAMES.map((name) => `/test/${name}\\.test\\.ts$`)],
      globalSetup: '<rootDir>/test/support/check-programs.js',
    },
  ],
};
