// The two published packages as a user installs them: both tarballs from `npm pack` go into a
// fresh project, with what the recipes of docs/testing-your-app.md need (jest, supertest, express,
// express-session, passport, playwright-core, NestJS, typescript) in one `npm install`, and nothing
// from this repository's folders. There the three recipes run as the guide shows them: the Jest one
// as it is, beside the README's app.js; the Playwright and NestJS ones compiled with tsc, with their one
// `declare` line (the user's app, "import it from … instead") replaced by an import of the TypeScript
// guide's app.ts, or of a small NestJS module written here.
// `npx justlogin-sandbox --help` works there too. Runs on the dist/ that `npm run build` made (the
// test script builds before jest); `npm pack --ignore-scripts` leaves dist/ alone.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { readmeSnippet } from './support/readme';
import { CHROMIUM, requireProgram } from './support/programs';

const execFileAsync = promisify(execFile);
const ROOT = join(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** What the recipes need besides the two tarballs, at the versions this repository tests with. */
const RECIPE_PACKAGES = [
  'jest',
  'supertest',
  'express',
  'express-session',
  'passport',
  'playwright-core',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/passport',
  'reflect-metadata',
  'rxjs',
  'typescript',
  '@types/node',
  '@types/express',
  '@types/express-session',
  '@types/passport',
  '@types/supertest',
];
const DEV_DEPENDENCIES = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies;

/** The fresh project's tsconfig.json: what a NestJS project compiles with. */
const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    types: ['node'],
    strict: true,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    outDir: 'dist',
  },
  include: ['*.ts', '*.mts'],
};

/** The user's NestJS root module that the NestJS recipe imports: JustLogin sign-in and a protected /profile. */
const NEST_APP_MODULE = `import { Controller, Get, Injectable, Module, Req, UnauthorizedException, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AuthGuard, PassportSerializer, PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { JustLoginStrategy, type JustLoginProfile } from 'passport-justlogin';

interface User { id: string; name?: string }

@Injectable()
class JustLoginAuth extends PassportStrategy(JustLoginStrategy, 'justlogin') {
  constructor() {
    super({
      clientID: process.env.JUSTLOGIN_CLIENT_ID!,
      clientSecret: process.env.JUSTLOGIN_CLIENT_SECRET!,
      callbackURL: process.env.JUSTLOGIN_CALLBACK_URL!,
      baseURL: process.env.JUSTLOGIN_BASE_URL,
    });
  }
  validate(_accessToken: string, _refreshToken: string, profile: JustLoginProfile): User {
    return { id: profile.id, name: profile.displayName };
  }
}

@Injectable()
class SessionSerializer extends PassportSerializer {
  serializeUser(user: User, done: (err: null, user: User) => void): void {
    done(null, user);
  }
  deserializeUser(user: User, done: (err: null, user: User) => void): void {
    done(null, user);
  }
}

@Injectable()
class JustLoginGuard extends AuthGuard('justlogin') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const result = (await super.canActivate(context)) as boolean;
    await super.logIn(context.switchToHttp().getRequest<Request>());
    return result;
  }
}

@Injectable()
class SignedInGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!context.switchToHttp().getRequest<Request>().isAuthenticated()) throw new UnauthorizedException();
    return true;
  }
}

@Controller()
class AuthController {
  @Get('auth/justlogin')
  @UseGuards(JustLoginGuard)
  signIn(): void {}

  @Get('auth/justlogin/callback')
  @UseGuards(JustLoginGuard)
  callback(): string {
    return 'Signed in';
  }

  @Get('profile')
  @UseGuards(SignedInGuard)
  profile(@Req() req: Request): User {
    return req.user as User;
  }
}

@Module({ controllers: [AuthController], providers: [JustLoginAuth, SessionSerializer] })
export class AppModule {}
`;

/** The guide's recipe `name`, with its `declare` of the user's app (matched by `declaration`) replaced by `replacement`. */
function recipeWithApp(name: string, declaration: RegExp, replacement: string): string {
  const recipe = readmeSnippet(name);
  if (!declaration.test(recipe)) throw new Error(`the recipe "${name}" no longer declares ${String(declaration)}`);
  return recipe.replace(declaration, replacement);
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: { ...process.env, npm_config_update_notifier: 'false', NODE_OPTIONS: '', ...env },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 60_000,
      shell: process.platform === 'win32',
    });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/** `npm pack` of the package in `dir` into `destination`; resolves with the tarball's path. */
async function pack(dir: string, destination: string): Promise<string> {
  const [packed] = JSON.parse(
    await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], dir),
  ) as Array<{ filename: string }>;
  return join(destination, packed.filename);
}

/**
 * Runs the project's jest with `args`; resolves with the counts of its JSON report, whether the tests
 * passed or not. A jest that does not exit on its own (something left running) is killed and fails.
 */
async function jest(args: string[], env: Record<string, string> = {}): Promise<[passed: number, failed: number]> {
  const bin = join(project, 'node_modules', 'jest', 'bin', 'jest.js');
  const output = await run(
    process.execPath,
    [bin, '--ci', '--json', '--testTimeout', '30000', ...args],
    project,
    env,
  ).catch((error: Error & { cause?: { stdout?: string; killed?: boolean } }) =>
    error.cause?.killed
      ? Promise.reject(new Error(`jest did not exit within 60 s: ${args.join(' ')}`))
      : error.cause?.stdout || Promise.reject(error),
  );
  const result = JSON.parse(output) as { numPassedTests: number; numFailedTests: number };
  return [result.numPassedTests, result.numFailedTests];
}

let project: string;
let chromium: string;
beforeAll(async () => {
  chromium = requireProgram(CHROMIUM);
  project = await mkdtemp(join(tmpdir(), 'justlogin-sandbox-user-'));
  const tarballs = [await pack(ROOT, project), await pack(join(ROOT, 'sandbox'), project)];
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'my-app', version: '1.0.0', private: true }));
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  await writeFile(join(project, 'sign-in.test.js'), readmeSnippet('testing-your-app-jest'));
  await writeFile(join(project, 'app.js'), readmeSnippet('express'));
  await writeFile(join(project, 'app.ts'), readmeSnippet('express-ts'));
  await writeFile(
    join(project, 'browser.test.ts'),
    recipeWithApp(
      'testing-your-app-playwright',
      /^declare function createApp\([\s\S]*?\): Express;$/m,
      "import { createApp } from './app';",
    ),
  );
  await writeFile(join(project, 'app.module.mts'), NEST_APP_MODULE);
  await writeFile(
    join(project, 'app.e2e-spec.mts'),
    recipeWithApp(
      'testing-your-app-nest',
      /^declare const AppModule: .*;$/m,
      "import { AppModule } from './app.module.mjs';",
    ),
  );
  const packages = RECIPE_PACKAGES.map((name) => `${name}@${DEV_DEPENDENCIES[name]}`);
  await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs, ...packages], project);
}, 240_000);
afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

test('installs both packages from their tarballs, not from this repository', async () => {
  const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { resolved?: string; link?: boolean }>;
  };
  for (const name of ['passport-justlogin', 'justlogin-sandbox']) {
    const entry = lock.packages[`node_modules/${name}`];
    expect(entry.link).toBeUndefined();
    expect(entry.resolved).toMatch(new RegExp(`^file:${name}-\\d+\\.\\d+\\.\\d+\\.tgz$`));
  }
});

test("the guide's Jest recipe passes there", async () => {
  expect(await jest(['sign-in.test.js'])).toEqual([3, 0]);
}, 120_000);

test("the guide's Playwright and NestJS recipes compile there under --strict", async () => {
  await run(NPX, ['tsc', '-p', '.'], project);
}, 120_000);

test("the guide's Playwright recipe signs alice in with Chromium there", async () => {
  const env = { CHROMIUM_PATH: chromium, PORT: String(await freePort()) };
  expect(await jest(['dist/browser.test.js'], env)).toEqual([1, 0]);
}, 120_000);

test('when Chromium cannot start, the Playwright recipe fails and still stops its sandbox and app (jest exits)', async () => {
  const env = { CHROMIUM_PATH: join(project, 'no-such-chromium'), PORT: String(await freePort()) };
  expect(await jest(['dist/browser.test.js'], env)).toEqual([0, 1]);
}, 120_000);

test("the guide's NestJS recipe signs alice in and reaches the protected route there", async () => {
  // NestJS 12 is ES modules only: the recipe runs with Jest's ES module support, as the guide says.
  const env = { NODE_OPTIONS: '--experimental-vm-modules' };
  expect(await jest(['--testRegex', '\\.e2e-spec\\.mjs$'], env)).toEqual([2, 0]);
}, 120_000);

test('npx justlogin-sandbox --help works there', async () => {
  const help = await run(NPX, ['justlogin-sandbox', '--help'], project);
  expect(help).toMatch(/^usage: justlogin-sandbox \[options\]/);
  expect(help).toContain('--client <id>:<secret>:<redirect-uri>');
});
