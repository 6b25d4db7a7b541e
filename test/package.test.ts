// The published package: what `npm pack` puts in the tarball, and that the tarball installs into a
// fresh project and works from CommonJS, from ES modules and from TypeScript (node16 and bundler
// resolution, skipLibCheck off). Runs on the dist/ that `npm run build` made (the test script
// builds before jest); `npm pack --ignore-scripts` leaves dist/ alone while other suites use it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = join(__dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: { ...process.env, npm_config_update_notifier: 'false' },
      maxBuffer: 16 * 1024 * 1024,
      shell: process.platform === 'win32',
    });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/** Every file under `dir`, relative to `base`, with forward slashes. */
async function listFiles(dir: string, base: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(base, join(entry.parentPath, entry.name)).replaceAll('\\', '/'));
}

/** A TypeScript program that uses the package's public types. */
const PROGRAM = `import passport from 'passport';
import {
  JustLoginRefresher,
  JustLoginStrategy,
  JustLoginTokenError,
  keepTokensFresh,
  toTokenSet,
  type JustLoginProfile,
  type JustLoginTokenSet,
  type JustLoginVerifyWithParams,
  type JustLoginVerifyWithRequestAndParams,
} from 'passport-justlogin';

interface AppUser {
  id: string;
  tokens: JustLoginTokenSet;
}

const verify: JustLoginVerifyWithParams = (accessToken, refreshToken, params, profile, done) => {
  const user: AppUser = { id: profile.id, tokens: toTokenSet(accessToken, refreshToken, params) };
  done(null, user);
};
const strategy = new JustLoginStrategy({ clientID: 'c', clientSecret: 's', callbackURL: '/cb' }, verify);
passport.use(strategy);

new JustLoginStrategy(
  { clientID: 'c', clientSecret: 's', callbackURL: '/cb', environment: 'sandbox' },
  (accessToken, refreshToken, profile, done) => {
    const p: JustLoginProfile = profile;
    done(null, { id: p.id, accessToken, refreshToken });
  },
);

const withRequest: JustLoginVerifyWithRequestAndParams = (req, accessToken, refreshToken, params, profile, done) =>
  done(null, { id: profile.id, ip: req.ip, expiresIn: params.expires_in });
new JustLoginStrategy({ clientID: 'c', clientSecret: 's', callbackURL: '/cb', passReqToCallback: true }, withRequest);

// @ts-expect-error 'staging' is not a JustLogin environment
new JustLoginStrategy({ clientID: 'c', clientSecret: 's', callbackURL: '/cb', environment: 'staging' }, verify);

const refresher = JustLoginRefresher.fromStrategy(strategy);
export const renewed: Promise<JustLoginTokenSet> = refresher.refresh({ refreshToken: 'r', accessToken: 'a' });
export const middleware = keepTokensFresh(refresher, {
  get: (req) => (req.user as AppUser | undefined)?.tokens,
  set: (req, tokens) => {
    (req.user as AppUser).tokens = tokens;
  },
});
export const isRefused = (err: unknown): boolean => err instanceof JustLoginTokenError && err.code === 'invalid_grant';
`;

/** Type-checks `files` in `dir` with the repository's tsc and `compilerOptions` (strict, skipLibCheck off). */
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
  await run(process.execPath, [TSC, '-p', `tsconfig.${name}.json`], dir);
}

let workDir: string;
let consumer: string;
let packed: PackResult;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  workDir = await mkdtemp(join(tmpdir(), 'passport-justlogin-package-'));
  [packed] = JSON.parse(
    await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], ROOT),
  ) as PackResult[];

  consumer = join(workDir, 'consumer');
  await mkdir(consumer);
  await writeFile(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
  );
  await run(
    NPM,
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--prefer-offline',
      '--prefix',
      consumer,
      join(workDir, packed.filename),
      'passport@0.7',
    ],
    consumer,
  );
}, 120_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describe('the tarball', () => {
  it('holds package.json, README.md, LICENSE, CHANGELOG.md and the build of every lib/ module, nothing else', async () => {
    const paths = packed.files.map((file) => file.path).sort();
    expect(paths.filter((path) => !path.startsWith('dist/'))).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'package.json',
    ]);

    const modules = (await listFiles(join(ROOT, 'lib'), join(ROOT, 'lib')))
      .filter((path) => path.endsWith('.ts'))
      .map((path) => path.slice(0, -'.ts'.length));
    const expected = modules.flatMap((module) => [`dist/${module}.d.ts`, `dist/${module}.js`]).sort();
    expect(paths.filter((path) => path.startsWith('dist/'))).toEqual(expected);
  });

  it('installs into a fresh project with passport-oauth2 and its types', async () => {
    const installed = await listFiles(
      join(consumer, 'node_modules', 'passport-justlogin'),
      join(consumer, 'node_modules', 'passport-justlogin'),
    );
    expect(installed).toContain('dist/index.js');
    expect(existsSync(join(consumer, 'node_modules', 'passport-oauth2', 'package.json'))).toBe(true);
    expect(existsSync(join(consumer, 'node_modules', '@types', 'passport-oauth2', 'package.json'))).toBe(true);
  });
});

describe('a fresh project that installed the tarball', () => {
  it('uses it from CommonJS (require)', async () => {
    await writeFile(
      join(consumer, 'check.cjs'),
      `const assert = require('node:assert/strict');
const path = require('node:path');
const passport = require('passport');
const { JustLoginStrategy, Strategy, JustLoginRefresher, toTokenSet } = require('passport-justlogin');

assert.equal(require.resolve('passport-justlogin'), path.join(__dirname, 'node_modules', 'passport-justlogin', 'dist', 'index.js'));
assert.equal(require('passport-justlogin/package.json').name, 'passport-justlogin');
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
    expect(await run(process.execPath, ['check.cjs'], consumer)).toBe('cjs ok\n');
  });

  it('uses it from an ES module (import), with every export named', async () => {
    await writeFile(
      join(consumer, 'check.mjs'),
      `import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import passport from 'passport';
import { JustLoginStrategy, JustLoginRefresher, toTokenSet } from 'passport-justlogin';
import * as namespace from 'passport-justlogin';
import justlogin from 'passport-justlogin';

const cjs = createRequire(import.meta.url)('passport-justlogin');
assert.equal(justlogin, cjs);
const named = Object.keys(namespace).filter((name) => name !== 'default' && name !== '__esModule');
assert.deepEqual(named.sort(), Object.keys(cjs).sort());
assert.equal(JustLoginStrategy, cjs.JustLoginStrategy);

const strategy = new JustLoginStrategy(
  { clientID: 'client', clientSecret: 'secret', callbackURL: '/cb', environment: 'sandbox' },
  (accessToken, refreshToken, profile, done) => done(null, { id: profile.id }),
);
passport.use(strategy);
assert.ok(JustLoginRefresher.fromStrategy(strategy) instanceof JustLoginRefresher);
assert.equal(toTokenSet('at', undefined, { expires_in: '30' }, 1000).expiresAt, 31);
console.log('esm ok');
`,
    );
    expect(await run(process.execPath, ['check.mjs'], consumer)).toBe('esm ok\n');
  });

  describe('from TypeScript, skipLibCheck off', () => {
    // Both compilations run at once; each test waits for its own.
    const checks: Partial<Record<'node16' | 'bundler', Promise<void>>> = {};
    beforeAll(async () => {
      await writeFile(join(consumer, 'program.ts'), PROGRAM);
      await writeFile(join(consumer, 'program.mts'), PROGRAM);
      checks.node16 = typecheck(consumer, 'node16', { module: 'node16', moduleResolution: 'node16' }, [
        'program.ts',
        'program.mts',
      ]);
      checks.bundler = typecheck(consumer, 'bundler', { module: 'esnext', moduleResolution: 'bundler' }, [
        'program.ts',
      ]);
      // Reported by the tests below, not as unhandled rejections.
      for (const check of Object.values(checks)) void check.catch(() => undefined);
    });

    it('compiles with moduleResolution node16 (CommonJS .ts and ESM .mts)', async () => {
      await checks.node16;
    }, 60_000);

    it('compiles with moduleResolution bundler', async () => {
      await checks.bundler;
    }, 60_000);
  });
});

// pnpm and `npm --install-strategy=linked` give each package only its own dependencies: the types
// that dist/*.d.ts import must be dependencies of this package, not of one of its dependencies.
// dist/*.d.ts import 'express', so @types/express is a dependency.

describe('an isolated (pnpm-style) install of the tarball', () => {
  it('compiles a TypeScript consumer with skipLibCheck off', async () => {
    const isolated = join(workDir, 'isolated');
    await mkdir(isolated);
    await writeFile(
      join(isolated, 'package.json'),
      JSON.stringify({ name: 'isolated', version: '1.0.0', private: true }),
    );
    await run(
      NPM,
      [
        'install',
        '--install-strategy=linked',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--prefer-offline',
        '--prefix',
        isolated,
        join(workDir, packed.filename),
        'passport@0.7',
        // What the consumer itself uses: passport's types, and Node's (which undici-types references).
        '@types/passport',
        '@types/node@20',
      ],
      isolated,
    );
    await writeFile(join(isolated, 'program.ts'), PROGRAM);
    await typecheck(isolated, 'node16', { module: 'node16', moduleResolution: 'node16' }, ['program.ts']);
  }, 90_000);
});
