// The recipe of docs/nestjs.md, built from the guide's own blocks in a project laid out as `nest new` makes it
// (ES modules, Vitest), once on Express and once on Fastify: the guide's install lines (the two packages from
// their tarballs, the rest offline from this repository's lock file), its files written as shown, the project
// type-checked with its own tsconfig.json, and its end-to-end test run against the sandbox with Vitest, as the
// project runs it, then with Jest as the guide configures it. Runs on the dist/ that `npm run build` made.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { installedBy, nestNewProject, pack, run, writeFiles, type Tarball } from './support/nest-project';
import { recipeFiles, shellCommands } from './support/readme';

const ROOT = join(__dirname, '..');
const GUIDE = 'docs/nestjs.md';

/** The commands of the guide's recipe block `name:path`. */
function commands(name: string, path: string): string[] {
  const block = recipeFiles(GUIDE, name).get(path);
  if (block === undefined) throw new Error(`${GUIDE} has no recipe block ${name}:${path}`);
  return shellCommands(block);
}

/** The project's files the guide shows: those both adapters share, then the adapter's own. */
function guideFiles(adapter: 'express' | 'fastify'): Map<string, string> {
  const files = new Map([...recipeFiles(GUIDE, 'nestjs'), ...recipeFiles(GUIDE, `nestjs-${adapter}`)]);
  files.delete('install.sh');
  return files;
}

/** Runs a shell command line of the guide in `dir` (`NAME=value command …` as a shell does); its output, uncoloured. */
async function shell(dir: string, line: string): Promise<string> {
  const { stdout, stderr } = await run('sh', ['-c', line], dir, { NO_COLOR: '1' });
  return stripVTControlCharacters(stdout + stderr);
}

let work: string;
let tarballs: Tarball[];

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'nestjs', 'index.js'))) throw new Error('dist/ is missing: run `npm run build`');
  work = await mkdtemp(join(tmpdir(), 'passport-justlogin-nestjs-guide-'));
  tarballs = [await pack(ROOT, work), await pack(join(ROOT, 'sandbox'), work)];
}, 60_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(['express', 'fastify'] as const)("the guide's recipe on %s", (adapter) => {
  let project: string;

  beforeAll(async () => {
    project = join(work, adapter);
    const guide = installedBy(commands(`nestjs-${adapter}`, 'install.sh'));
    const jest = installedBy(commands('nestjs-jest', 'install.sh'));
    await nestNewProject(project, tarballs, {
      dependencies: guide.dependencies,
      devDependencies: [...guide.devDependencies, ...jest.devDependencies],
    });
    await writeFiles(project, guideFiles(adapter));
  }, 120_000);

  it('installs the packages from their tarballs, and none of NestJS for the main entry', async () => {
    const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string; peerDependenciesMeta?: Record<string, { optional?: boolean }> }>;
    };
    expect(lock.packages['node_modules/passport-justlogin'].resolved).toMatch(/^file:\.\.\/passport-justlogin-/);
    expect(lock.packages['node_modules/justlogin-sandbox'].resolved).toMatch(/^file:\.\.\/justlogin-sandbox-/);
    const optional = lock.packages['node_modules/passport-justlogin'].peerDependenciesMeta ?? {};
    for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/passport'])
      expect(optional[name]).toEqual({ optional: true });
  });

  it("type-checks with the project's tsconfig.json (strict)", async () => {
    await run(
      process.execPath,
      [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', '.'],
      project,
    );
  }, 60_000);

  it("passes the guide's end-to-end test with Vitest (npm run test:e2e)", async () => {
    const [line] = commands('nestjs-vitest', 'run.sh');
    expect(await shell(project, line)).toMatch(/Tests\s+3 passed \(3\)/);
  }, 60_000);

  it('passes the same test with Jest, configured as the guide shows', async () => {
    const tsconfig = join(project, 'tsconfig.json');
    await writeFile(tsconfig, (await readFile(tsconfig, 'utf8')).replace('"vitest/globals"', '"jest"'));
    await writeFiles(
      project,
      new Map([...recipeFiles(GUIDE, 'nestjs-jest')].filter(([path]) => path.endsWith('.json'))),
    );
    const [line] = commands('nestjs-jest', 'run.sh');
    expect(await shell(project, line)).toMatch(/Tests:\s+3 passed, 3 total/);
  }, 60_000);
});
