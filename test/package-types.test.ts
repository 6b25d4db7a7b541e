// The published types as a TypeScript user meets them: the packed package, installed with exactly
// what the README's Install section lists (an isolated install: each package sees only its own
// dependencies and peers), and the README's Express app in TypeScript compiled with skipLibCheck
// off, beside a file that imports every public entry point. Each compiles as a CommonJS file and as
// an ES module, with `module` nodenext and commonjs, under the oldest TypeScript the README states,
// the one this repository builds with, and TypeScript 7: the compilers are devDependencies
// (typescript-5, typescript, typescript-7), so nothing is fetched.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshProject, pack, run, type Installs } from './support/fresh-project';
import { readmeSnippet } from './support/readme';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The compilers: the version each claims, and its package in node_modules. */
const COMPILERS = [
  { version: '5.0', module: 'typescript-5' },
  { version: '6.0', module: 'typescript' },
  { version: '7.0', module: 'typescript-7' },
];
const MODULES = ['nodenext', 'commonjs'];

/** Every public entry point, each imported as a whole, so that each of its declaration files is checked. */
const ENTRIES = `import * as main from 'passport-justlogin';
import type * as api from 'passport-justlogin/api';
import * as fastify from 'passport-justlogin/fastify';
import * as koa from 'passport-justlogin/koa';
import * as redis from 'passport-justlogin/redis';

export const entries = [main, fastify, koa, redis];
export type Api = typeof api;
`;

/**
 * The packages the README's Install section tells a user to install (a tarball by the package it
 * holds), but passport-justlogin, which is the tarball packed here, and justlogin-sandbox, which
 * the app's tests use and its types never see.
 */
function readmeInstalls(): Installs {
  const section = README.slice(README.indexOf('\n## Install\n'));
  const block = (/```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '').replaceAll('\\\n', ' ');
  const installs: Required<Installs> = { dependencies: [], devDependencies: [] };
  for (const line of block.split('\n').filter((text) => text.startsWith('npm install '))) {
    const words = line.split(/\s+/).slice(2);
    const names = words
      .filter((word) => word && !word.startsWith('-'))
      .map((word) => word.replace(/^.*\/([^/]+)-\d+\.\d+\.\d+\.tgz$/, '$1'))
      .filter((name) => name !== 'passport-justlogin' && name !== 'justlogin-sandbox');
    installs[words.includes('--save-dev') ? 'devDependencies' : 'dependencies'].push(...names);
  }
  return installs;
}

const installs = readmeInstalls();
const checks = new Map<string, Promise<string>>();
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'passport-justlogin-types-'));
  const { tarball } = await pack(workDir);
  const app = join(workDir, 'app');
  await freshProject(app, tarball, installs, true);
  const files = ['app.ts', 'app.mts', 'entries.ts', 'entries.mts'];
  for (const [file, code] of [
    ['app', readmeSnippet('express-ts')],
    ['entries', ENTRIES],
  ]) {
    await writeFile(join(app, `${file}.ts`), code);
    await writeFile(join(app, `${file}.mts`), code);
  }
  // The settings `tsc --init` writes, with skipLibCheck off (esModuleInterop is TypeScript 6's default).
  for (const module of MODULES) {
    const compilerOptions = { target: 'es2022', module, strict: true, esModuleInterop: true, skipLibCheck: false };
    const config = { compilerOptions: { ...compilerOptions, noEmit: true }, files };
    await writeFile(join(app, `tsconfig.${module}.json`), JSON.stringify(config, null, 2));
  }
  // All at once: the compilers wait for the files, not for each other.
  for (const { version, module: compiler } of COMPILERS) {
    for (const module of MODULES) {
      const tsc = join(ROOT, 'node_modules', compiler, 'bin', 'tsc');
      const check = run(process.execPath, [tsc, '-p', `tsconfig.${module}.json`], app);
      // Reported by the tests below, not as unhandled rejections.
      check.catch(() => undefined);
      checks.set(`${version} ${module}`, check);
    }
  }
}, 120_000);

afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

it("installs what the README's Install section lists for TypeScript", () => {
  expect(installs.dependencies).toEqual(expect.arrayContaining(['passport', 'express']));
  expect(installs.devDependencies).toEqual(expect.arrayContaining(['@types/passport', '@types/node']));
});

it('runs the TypeScript versions it names, and the README states the oldest', () => {
  const versions = COMPILERS.map(({ module }) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'node_modules', module, 'package.json'), 'utf8')) as {
      version: string;
    };
    return manifest.version.split('.').slice(0, 2).join('.');
  });
  expect(versions).toEqual(COMPILERS.map(({ version }) => version));
  expect(/TypeScript [\d.]+ or later/.exec(README)?.[0]).toBe(`TypeScript ${COMPILERS[0].version} or later`);
});

describe.each(COMPILERS.map(({ version }) => version))('TypeScript %s', (version) => {
  it.each(MODULES)(
    'compiles the app and every entry point with module %s, skipLibCheck off',
    async (module) => {
      await checks.get(`${version} ${module}`);
    },
    120_000,
  );
});
