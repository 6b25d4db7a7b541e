// Two sets of tests. "unit" runs in the jest process alone, against servers it starts on 127.0.0.1:
// no redis-server, no Chromium, no sandbox or example-app process (`npm run test:unit`). "programs"
// is every other test file; it starts those programs, so jest first checks that they are installed
// (test/support/check-programs.js) and stops at once with the install command of a missing one.
// A new test file belongs to "programs" until it is listed here.
const UNIT_NAMES = [
  'api/api',
  'api/signed-in-user',
  'bench-alarm',
  'check-programs',
  'client/client',
  'client/discovery',
  'client/end-session',
  'client/endpoints',
  'client/id-token',
  'client/id-token-signature',
  'client/id-token-signature-algorithms',
  'client/logout-token',
  'client/options',
  'client/proxy',
  'client/revocation',
  'client/token-endpoint',
  'client/transport',
  'client/transport-targets',
  'debug-log-lines',
  'diagnostics',
  'docs',
  'doctor/identity-server',
  'errors',
  'frameworks/express',
  'layout',
  'local-path',
  'oauth-error',
  'options-read-once',
  'programs',
  'readme-types',
  'redact',
  'renewal/forget',
  'renewal/memory',
  'renewal/memory-order',
  'renewal/refresher',
  'renewal/refresher-work',
  'renewal/renewal-channel',
  'renewal/single-flight',
  'sealed',
  'secrets',
  'sign-in/access-token-profile',
  'sign-in/cookie-state-store',
  'sign-in/nonce',
  'sign-in/profile',
  'sign-in/random-token',
  'sign-in/sign-in-start',
  'sign-in/strategy',
  'sign-out/deadline',
  'sign-out/handlers',
  'surface',
  'token-set',
  'troubleshooting',
  'typed-errors',
];

/** What both sets share. */
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  moduleNameMapper: {
    '^passport-justlogin$': '<rootDir>/lib/index.ts',
    '^passport-justlogin/(fastify|koa)$': '<rootDir>/lib/frameworks/$1.ts',
    '^passport-justlogin/(api|redis)$': '<rootDir>/lib/$1/index.ts',
    '^passport-justlogin/nestjs$': '<rootDir>/lib/nestjs/index.ts',
  },
};

/** @type {import('jest').Config} */
module.exports = {
  // lib/nestjs is ES modules (NestJS 12 is ESM only), which Jest here cannot load: the NestJS example apps and the
  // guide's recipe run it in their own processes (test/nest.test.ts, test/nest-fastify.test.ts, test/nestjs-guide.test.ts).
  collectCoverageFrom: ['lib/**/*.ts', '!lib/nestjs/**'],
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
