// The packed package installed into a new project, as an app installs it, with no network: every
// other package comes from this repository's package-lock.json (the version it pins, from npm's
// cache, where `npm ci` put it) and passport-justlogin from the tarball `npm pack` made.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
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

/** What `npm pack` made. */
export interface Packed {
  /** The tarball's absolute path. */
  tarball: string;
  /** The files it holds, e.g. `dist/index.js`. */
  files: string[];
}

/** What a new project installs besides the tarball: package names, at the versions the lock file pins. */
export interface Installs {
  dependencies: string[];
  devDependencies?: string[];
}

/**
 * Runs `command` in `cwd`: its standard output, or an error with both outputs. npm's own variables
 * are left out (under `npm test` they point at this repository), so that npm works in `cwd`.
 */
export async function run(command: string, args: string[], cwd: string): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: { ...env, npm_config_update_notifier: 'false' },
      maxBuffer: 16 * 1024 * 1024,
      shell: process.platform === 'win32',
    });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`, { cause: error });
  }
}

/** Packs the repository into `dir` (`--ignore-scripts`: the dist/ that `npm run build` made, left alone). */
export async function pack(dir: string): Promise<Packed> {
  const [packed] = JSON.parse(
    await run(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>;
  return { tarball: join(dir, packed.filename), files: packed.files.map((file) => file.path) };
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
 * Makes `dir`, a new project that installs the tarball and `installs`, and installs it with
 * `npm ci --offline` from a lock file cut out of this repository's. `linked`: npm's isolated
 * install (`--install-strategy=linked`, as pnpm does), where each package sees only its own
 * dependencies and peers.
 */
export async function freshProject(dir: string, tarball: string, installs: Installs, linked = false): Promise<void> {
  const root = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as LockEntry & { license: string };
  const resolved = `file:${relative(dir, tarball).replaceAll('\\', '/')}`;
  const own: LockEntry = {
    version: manifest.version,
    resolved,
    integrity: `sha512-${createHash('sha512')
      .update(await readFile(tarball))
      .digest('base64')}`,
    license: manifest.license,
    dependencies: manifest.dependencies,
    peerDependencies: manifest.peerDependencies,
    peerDependenciesMeta: manifest.peerDependenciesMeta,
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

  const pinned = (names: string[] = []): Record<string, string> => {
    for (const name of names) add('', name, true);
    return Object.fromEntries(names.map((name) => [name, root.packages[`node_modules/${name}`].version as string]));
  };
  const project = {
    name: 'consumer',
    version: '1.0.0',
    private: true,
    dependencies: { 'passport-justlogin': resolved, ...pinned(installs.dependencies) },
    devDependencies: pinned(installs.devDependencies),
  };
  packages['node_modules/passport-justlogin'] = own;
  follow('node_modules/passport-justlogin', own);
  const { name, version, dependencies, devDependencies } = project;
  packages[''] = { name, version, dependencies, devDependencies };

  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify(project, null, 2));
  const lock = { name, version, lockfileVersion: 3, requires: true, packages };
  await writeFile(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  const strategy = linked ? ['--install-strategy=linked'] : [];
  await run(NPM, ['ci', '--offline', ...strategy, '--ignore-scripts', '--no-audit', '--no-fund'], dir);
}
