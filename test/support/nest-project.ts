// A new NestJS 12 project laid out as `nest new` makes it (ES modules, Vitest), with the two packed packages and
// what its guide installs, installed offline: every package at the version this repository's package-lock.json
// pins, from npm's cache, where `npm ci` put it; passport-justlogin and justlogin-sandbox from their tarballs.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** An entry of package-lock.json's `packages`. */
interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

/** What `nest new my-app` (NestJS 12's CLI: ES modules, Vitest) writes, but for the tools the recipe does not run. */
export const NEST_NEW_FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify(
    {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        resolvePackageJsonExports: true,
        esModuleInterop: true,
        isolatedModules: true,
        declaration: true,
        removeComments: true,
        emitDecoratorMetadata: true,
        experimentalDecorators: true,
        allowSyntheticDefaultImports: true,
        target: 'ES2023',
        sourceMap: true,
        outDir: './dist',
        incremental: true,
        skipLibCheck: true,
        strict: true,
        strictPropertyInitialization: false,
        types: ['vitest/globals', 'node'],
      },
    },
    null,
    2,
  ),
  'tsconfig.build.json': JSON.stringify(
    { extends: './tsconfig.json', include: ['src'], exclude: ['node_modules', 'test', 'dist', '**/*spec.ts'] },
    null,
    2,
  ),
  'vitest.config.ts': `import { defineConfig } from 'vitest/config';
import tsconfigPaths from 'vite-tsconfig-paths';

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: { globals: true, root: './', include: ['**/*.spec.ts'] },
});
`,
  'vitest.config.e2e.ts': `import { defineConfig } from 'vitest/config';
import tsconfigPaths from 'vite-tsconfig-paths';

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: { globals: true, root: './', include: ['**/*.e2e-spec.ts'] },
});
`,
  'src/main.ts': `import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  await app.listen(process.env.PORT ?? 3000);
}
await bootstrap();
`,
  'src/app.module.ts': `import { Module } from '@nestjs/common';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';

@Module({
  imports: [],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
`,
  'src/app.controller.ts': `import { Controller, Get } from '@nestjs/common';
import { AppService } from './app.service.js';

@Controller()
export class AppController {
  constructor(private readonly appService: AppService) {}

  @Get()
  getHello(): string {
    return this.appService.getHello();
  }
}
`,
  'src/app.service.ts': `import { Injectable } from '@nestjs/common';

@Injectable()
export class AppService {
  getHello(): string {
    return 'Hello World!';
  }
}
`,
};

/** The scripts of `nest new`'s package.json that the recipe runs. */
const NEST_NEW_SCRIPTS = { 'test:e2e': 'vitest run --config ./vitest.config.e2e.ts' };

/** What `nest new`'s package.json installs, but for the CLI, the linter, the formatter and coverage. */
const NEST_NEW_DEPENDENCIES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  'reflect-metadata',
  'rxjs',
];
const NEST_NEW_DEV_DEPENDENCIES = [
  '@nestjs/testing',
  '@types/express',
  '@types/node',
  '@types/supertest',
  'supertest',
  'typescript',
  'vite-tsconfig-paths',
  'vitest',
];

/** A packed package: its tarball, and the package.json it was packed from. */
export interface Tarball {
  path: string;
  manifest: string;
}

/** Runs `command` in `cwd` with `env` added; its standard output, or an error with both outputs. */
export async function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ stdout: string; stderr: string }> {
  // npm's own variables point at this repository under `npm test`; NODE_OPTIONS may hold Jest's.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  try {
    return await execFileAsync(command, args, {
      cwd,
      env: { ...inherited, NODE_OPTIONS: '', npm_config_update_notifier: 'false', ...env },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
      shell: process.platform === 'win32',
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/** Packs the package at `dir` (`--ignore-scripts`: the dist/ that `npm run build` made, left alone) into `into`. */
export async function pack(dir: string, into: string): Promise<Tarball> {
  const { stdout } = await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', into], dir);
  const [packed] = JSON.parse(stdout) as Array<{ filename: string }>;
  return { path: join(into, packed.filename), manifest: join(dir, 'package.json') };
}

/** What a shell block's `npm install` commands install: package names and tarball paths, by dependency kind. */
export function installedBy(commands: string[]): { dependencies: string[]; devDependencies: string[] } {
  const installs = { dependencies: [] as string[], devDependencies: [] as string[] };
  for (const command of commands) {
    const [npm, verb, ...words] = command.split(/\s+/);
    if (npm !== 'npm' || !['install', 'i'].includes(verb)) throw new Error(`not an npm install: ${command}`);
    const dev = words.some((word) => ['--save-dev', '-D'].includes(word));
    installs[dev ? 'devDependencies' : 'dependencies'].push(...words.filter((word) => !word.startsWith('-')));
  }
  return installs;
}

/** Where the npm registry serves the tarball of `name` at the entry's version. */
function registryTarball(name: string, entry: LockEntry): string {
  return `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
}

/** The lock file entry `name` resolves to from the package at `from` (`''`: the root), as Node resolves it. */
function resolveIn(lock: Record<string, LockEntry>, from: string, name: string): string | undefined {
  const parents = from.split(/(?:^|\/)node_modules\//).filter(Boolean);
  for (let depth = parents.length; depth >= 0; depth--) {
    const path = [...parents.slice(0, depth), name].map((part) => `node_modules/${part}`).join('/');
    if (lock[path]) return path;
  }
  return undefined;
}

/**
 * Makes `dir` a project laid out as `nest new` makes it that installs `installs` (package names, and tarballs
 * named by their file name), besides what `nest new` installs, and installs it with `npm ci --offline`.
 */
export async function nestNewProject(
  dir: string,
  tarballs: Tarball[],
  installs: { dependencies: string[]; devDependencies: string[] },
): Promise<void> {
  const root = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const packages: Record<string, LockEntry> = {};
  const add = (from: string, name: string, required: boolean): void => {
    const path = resolveIn(root.packages, from, name);
    if (!path) {
      if (required) throw new Error(`package-lock.json holds no ${name} for ${from || 'the project'}: npm install it`);
      return;
    }
    if (packages[path]) return;
    // Whether it is a development or peer dependency is the project's to say, not the repository's.
    const entry = { ...root.packages[path] };
    for (const flag of ['dev', 'devOptional', 'peer']) delete entry[flag];
    // npm leaves `resolved` out of some entries; without it npm ci asks the registry where the tarball is.
    entry.resolved ??= registryTarball(path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), entry);
    packages[path] = entry;
    follow(path, entry);
  };
  const follow = (path: string, entry: LockEntry): void => {
    for (const name of Object.keys(entry.dependencies ?? {})) add(path, name, true);
    for (const name of Object.keys(entry.optionalDependencies ?? {})) add(path, name, false);
    for (const name of Object.keys(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[name]?.optional) add(path, name, true);
    }
  };

  /** `name@version` from the lock, or a tarball's `file:` spec, for each of `words`. */
  const specs = async (words: string[]): Promise<Record<string, string>> => {
    const resolved: Record<string, string> = {};
    for (const word of words) {
      const tarball = tarballs.find((packed) => packed.path.endsWith(`/${word.split('/').pop()}`));
      if (tarball) {
        const manifest = JSON.parse(await readFile(tarball.manifest, 'utf8')) as LockEntry & {
          name: string;
          license: string;
        };
        const spec = `file:${relative(dir, tarball.path).replaceAll('\\', '/')}`;
        const entry: LockEntry = {
          version: manifest.version,
          resolved: spec,
          integrity: `sha512-${createHash('sha512')
            .update(await readFile(tarball.path))
            .digest('base64')}`,
          license: manifest.license,
          dependencies: manifest.dependencies,
          peerDependencies: manifest.peerDependencies,
          peerDependenciesMeta: manifest.peerDependenciesMeta,
        };
        packages[`node_modules/${manifest.name}`] = entry;
        follow(`node_modules/${manifest.name}`, entry);
        resolved[manifest.name] = spec;
      } else {
        add('', word, true);
        resolved[word] = root.packages[`node_modules/${word}`].version as string;
      }
    }
    return resolved;
  };

  const dependencies = await specs([...NEST_NEW_DEPENDENCIES, ...installs.dependencies]);
  const devDependencies = await specs([...NEST_NEW_DEV_DEPENDENCIES, ...installs.devDependencies]);
  // The versions this repository's overrides chose (e.g. for Node.js 20) are the ones in the lock file and the cache.
  const { overrides } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { overrides: unknown };
  const project = {
    name: 'my-app',
    version: '0.0.1',
    private: true,
    type: 'module',
    scripts: NEST_NEW_SCRIPTS,
    dependencies,
    devDependencies,
    overrides,
  };
  packages[''] = { name: project.name, version: project.version, dependencies, devDependencies };

  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify(project, null, 2));
  const lock = { name: project.name, version: project.version, lockfileVersion: 3, requires: true, packages };
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  await writeFiles(dir, new Map(Object.entries(NEST_NEW_FILES)));
  await run(NPM, ['ci', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'], dir);
}

/** Writes each of `files` (path → text) under `dir`. */
export async function writeFiles(dir: string, files: Map<string, string>): Promise<void> {
  for (const [path, text] of files) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}
