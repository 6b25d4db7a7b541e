// The published package: what `npm pack` puts in the tarball, what installing it adds to a
// JavaScript app, and that it works from CommonJS, from ES modules and from TypeScript (node16
// and bundler resolution, skipLibCheck off, an isolated install that sees only declared
// dependencies and peers). Runs on the dist/ that `npm run build` made (the test script builds
// before jest); `npm pack --ignore-scripts` leaves dist/ alone while other suites use it. The
// other packages come from the lock file, with no network (test/support/fresh-project.ts).
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { freshProject, pack, run, type Packed } from './support/fresh-project';

const ROOT = join(__dirname, '..');

/** What passport-oauth2 and passport install (8 packages), plus this package and at most two more. */
const MAX_PACKAGES = 11;
/** What passport-justlogin/nestjs needs besides the package, as optional peers: NestJS, and Passport's types. */
const NESTJS_PEERS = ['@nestjs/common', '@nestjs/core', '@nestjs/passport', 'passport'];
/** 1.5 MB, in bytes (10^6: stricter than MiB). */
const MAX_BYTES = 1_500_000;

/** Every file under `dir`, relative to `base`, with forward slashes. */
async function listFiles(dir: string, base: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(base, join(entry.parentPath, entry.name)).replaceAll('\\', '/'));
}

/** Bytes of all files under `dir`. */
async function bytesUnder(dir: string): Promise<number> {
  let bytes = 0;
  for (const file of await listFiles(dir, dir)) bytes += (await stat(join(dir, file))).size;
  return bytes;
}

/** A TypeScript program that uses the package's public types as the README does, with no annotations. */
const PROGRAM = `import passport from 'passport';
import type { Request } from 'express';
import {
  JustLoginRefresher,
  JustLoginStrategy,
  JustLoginTokenError,
  keepTokensFresh,
  toTokenSet,
  type JustLoginProfile,
  type JustLoginTokenSet,
  type JustLoginVerifyWithProfile,
} from 'passport-justlogin';
import { RedisRefreshCoordinator } from 'passport-justlogin/redis';

interface AppUser {
  id: string;
  tokens: JustLoginTokenSet;
}

const strategy = new JustLoginStrategy(
  {
    clientID: process.env.JUSTLOGIN_CLIENT_ID,
    clientSecret: process.env.JUSTLOGIN_CLIENT_SECRET,
    callbackURL: process.env.JUSTLOGIN_CALLBACK_URL,
    baseURL: process.env.JUSTLOGIN_BASE_URL,
  },
  (accessToken, refreshToken, params, profile, done) => {
    const user: AppUser = { id: profile.id, tokens: toTokenSet(accessToken, refreshToken, params) };
    done(null, user);
  },
);
passport.use(strategy);

const withProfile: JustLoginVerifyWithProfile = (accessToken, refreshToken, profile, done) => {
  const p: JustLoginProfile = profile;
  done(null, { id: p.id, accessToken, refreshToken });
};
new JustLoginStrategy({ clientID: 'c', clientSecret: 's', callbackURL: '/cb', environment: 'staging' }, withProfile);

new JustLoginStrategy(
  { clientID: 'c', clientSecret: 's', callbackURL: '/cb', passReqToCallback: true },
  (req: Request, accessToken, refreshToken, params, profile, done) =>
    done(null, { id: profile.id, ip: req.ip, expiresIn: params.expires_in }),
);

// @ts-expect-error 'test' is not a JustLogin environment
new JustLoginStrategy({ clientID: 'c', clientSecret: 's', callbackURL: '/cb', environment: 'test' }, withProfile);

const refresher = JustLoginRefresher.fromStrategy(strategy);
export const renewed: Promise<JustLoginTokenSet> = refresher.refresh({ refreshToken: 'r', accessToken: 'a' });
export const middleware = keepTokensFresh(refresher, {
  get: (req) => (req.user as AppUser | undefined)?.tokens,
  set: (req, tokens) => {
    (req.user as AppUser).tokens = tokens;
  },
});
export const isRefused = (err: unknown): boolean => err instanceof JustLoginTokenError && err.code === 'invalid_grant';
export type Coordinator = RedisRefreshCoordinator;
`;

/** Type-checks `files` in `dir` with this repository's tsc and `compilerOptions` (strict, skipLibCheck off). */
async function typecheck(
  dir: string,
  name: string,
  compilerOptions: Record<string, unknown>,
  files: string[],
): Promise<void> {
  const config = {
    compilerOptions: { target: 'ES2022', strict: true, skipLibCheck: false, noEmit: true, ...compilerOptions },
    files,
  };
  await writeFile(join(dir, `tsconfig.${name}.json`), JSON.stringify(config, null, 2));
  await run(
    process.execPath,
    [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${name}.json`],
    dir,
  );
}

let workDir: string;
let tarball: string;
let packed: Packed;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  workDir = await mkdtemp(join(tmpdir(), 'passport-justlogin-package-'));
  packed = await pack(workDir);
  tarball = packed.tarball;
}, 60_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('holds package.json, README.md, LICENSE, CHANGELOG.md and the build of every lib/ module, nothing else', async () => {
    const paths = [...packed.files].sort();
    expect(paths.filter((path) => !path.startsWith('dist/'))).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'package.json',
    ]);

    const sources = await listFiles(join(ROOT, 'lib'), join(ROOT, 'lib'));
    const modules = sources.filter((path) => path.endsWith('.ts')).map((path) => path.slice(0, -'.ts'.length));
    // A folder's package.json says its modules are ES modules (nestjs/): the build copies it beside them.
    const moduleTypes = sources.filter((path) => path.endsWith('/package.json')).map((path) => `dist/${path}`);
    const expected = [
      ...modules.flatMap((module) => [`dist/${module}.d.ts`, `dist/${module}.js`]),
      ...moduleTypes,
    ].sort();
    expect(paths.filter((path) => path.startsWith('dist/'))).toEqual(expected);
  });

  it('declares no internal member: nothing marked @internal, no token endpoint, no client operations', async () => {
    const declarations = (await listFiles(join(ROOT, 'dist'), join(ROOT, 'dist'))).filter((path) =>
      path.endsWith('.d.ts'),
    );
    const leaks: string[] = [];
    for (const path of declarations) {
      const text = await readFile(join(ROOT, 'dist', path), 'utf8');
      for (const name of [
        '@internal',
        '_tokenEndpoint',
        '_appVerify',
        '_callback',
        '_signIn',
        'clientOperations',
        'clientPartRules',
        'CLIENT_RULES',
        'clientOf',
        'operationsOf',
      ]) {
        if (text.includes(name)) leaks.push(`${path}: ${name}`);
      }
      // A type-only import of a package the app may not have installed: Node's own modules come with @types/node
      // and passport-oauth2's types with @types/passport-oauth2, both in the README's install line;
      // passport-justlogin/nestjs may import its peers, which docs/nestjs.md installs.
      const allowed = ['passport-oauth2', ...(path.startsWith('nestjs/') ? NESTJS_PEERS : [])];
      for (const match of text.matchAll(/from '([^'.][^']*)'/g)) {
        if (!match[1].startsWith('node:') && !allowed.includes(match[1])) leaks.push(`${path}: imports ${match[1]}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});

describe('a JavaScript project that installed passport and the tarball', () => {
  let app: string;
  beforeAll(async () => {
    app = join(workDir, 'javascript');
    await freshProject(app, tarball, { dependencies: ['passport'] });
  }, 120_000);

  it(`adds at most ${MAX_PACKAGES} packages and ${MAX_BYTES / 1e6} MB, and no @types`, async () => {
    const lock = JSON.parse(await readFile(join(app, 'node_modules', '.package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    const installed = Object.keys(lock.packages).map((path) => path.replace(/^node_modules\//, ''));
    expect(installed.filter((name) => name.startsWith('@types/') || name === 'undici-types')).toEqual([]);
    expect(installed.length).toBeLessThanOrEqual(MAX_PACKAGES);
    expect(await bytesUnder(join(app, 'node_modules'))).toBeLessThanOrEqual(MAX_BYTES);
  });

  it('uses it from CommonJS (require), the main entry, passport-justlogin/redis and passport-justlogin/api', async () => {
    await writeFile(
      join(app, 'check.cjs'),
      `const assert = require('node:assert/strict');
const path = require('node:path');
const passport = require('passport');
const { JustLoginStrategy, Strategy, JustLoginRefresher, toTokenSet } = require('passport-justlogin');
const { RedisRefreshCoordinator } = require('passport-justlogin/redis');

assert.equal(require.resolve('passport-justlogin'), path.join(__dirname, 'node_modules', 'passport-justlogin', 'dist', 'index.js'));
assert.equal(require('passport-justlogin/package.json').name, 'passport-justlogin');
assert.equal(typeof RedisRefreshCoordinator, 'function');
assert.equal(require('passport-justlogin').RedisRefreshCoordinator, undefined);
assert.deepEqual(Object.keys(require('passport-justlogin/api')), []);
assert.equal(Strategy, JustLoginStrategy);
const strategy = new JustLoginStrategy(
  { clientID: 'client', clientSecret: 'secret', callbackURL: '/cb', baseURL: 'http://127.0.0.1:9' },
  (accessToken, refreshToken, params, profile, done) => done(null, { id: profile.id }),
);
assert.equal(strategy.name, 'justlogin');
passport.use(strategy);
assert.ok(JustLoginRefresher.fromStrategy(strategy) instanceof JustLoginRefresher);
assert.equal(toTokenSet('at', 'rt', { expires_in: 60 }, 0).expiresAt, 60);
console.log('cjs ok');
`,
    );
    expect(await run(process.execPath, ['check.cjs'], app)).toBe('cjs ok\n');
  });

  it('uses it from an ES module (import), with every export named', async () => {
    await writeFile(
      join(app, 'check.mjs'),
      `import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import passport from 'passport';
import {
  JustLoginStrategy,
  JustLoginRefresher,
  JustLoginApi,
  keepTokensFresh,
  toTokenSet,
  CookieStateStore,
} from 'passport-justlogin';
import * as namespace from 'passport-justlogin';
import justlogin from 'passport-justlogin';
import { RedisRefreshCoordinator } from 'passport-justlogin/redis';

const cjs = createRequire(import.meta.url)('passport-justlogin');
assert.equal(justlogin, cjs);
// Node 23 and later also name the whole CommonJS exports 'module.exports'.
const named = Object.keys(namespace).filter((name) => !['default', '__esModule', 'module.exports'].includes(name));
assert.deepEqual(named.sort(), Object.keys(cjs).sort());
assert.equal(JustLoginStrategy, cjs.JustLoginStrategy);
for (const value of [JustLoginApi, keepTokensFresh, CookieStateStore, RedisRefreshCoordinator]) assert.equal(typeof value, 'function');
assert.equal('RedisRefreshCoordinator' in namespace, false);

const strategy = new JustLoginStrategy(
  { clientID: 'client', clientSecret: 'secret', callbackURL: '/cb', environment: 'staging' },
  (accessToken, refreshToken, profile, done) => done(null, { id: profile.id }),
);
passport.use(strategy);
assert.ok(JustLoginRefresher.fromStrategy(strategy) instanceof JustLoginRefresher);
assert.equal(toTokenSet('at', undefined, { expires_in: '30' }, 1000).expiresAt, 31);
console.log('esm ok');
`,
    );
    expect(await run(process.execPath, ['check.mjs'], app)).toBe('esm ok\n');
  });
});

// pnpm and `npm --install-strategy=linked` give each package only its own dependencies and peers:
// every type dist/*.d.ts needs must come from a dependency or a peer of this package. The types
// only TypeScript users need are optional peers, installed here as a TypeScript app would.
describe('a TypeScript project (isolated install, skipLibCheck off)', () => {
  const checks: Partial<Record<'node16' | 'bundler', Promise<void>>> = {};
  beforeAll(async () => {
    const app = join(workDir, 'typescript');
    await freshProject(
      app,
      tarball,
      {
        dependencies: ['passport'],
        devDependencies: ['@types/passport', '@types/passport-oauth2', '@types/express', '@types/node'],
      },
      true,
    );
    await writeFile(join(app, 'program.ts'), PROGRAM);
    await writeFile(join(app, 'program.mts'), PROGRAM);
    const node = ['node'];
    checks.node16 = typecheck(app, 'node16', { module: 'node16', moduleResolution: 'node16', types: node }, [
      'program.ts',
      'program.mts',
    ]);
    checks.bundler = typecheck(app, 'bundler', { module: 'esnext', moduleResolution: 'bundler', types: node }, [
      'program.ts',
    ]);
    // Reported by the tests below, not as unhandled rejections.
    for (const check of Object.values(checks)) void check.catch(() => undefined);
  }, 180_000);

  it('compiles with moduleResolution node16 (CommonJS .ts and ESM .mts)', async () => {
    await checks.node16;
  }, 60_000);

  it('compiles with moduleResolution bundler', async () => {
    await checks.bundler;
  }, 60_000);
});
