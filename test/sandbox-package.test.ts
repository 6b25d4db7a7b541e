// The two published packages as a user installs them: both tarballs from `npm pack` go into a
// fresh project with jest, supertest, express, express-session and passport, and nothing from this
// repository's folders; the Jest recipe of docs/testing-your-app.md runs there and passes against
// startSandbox(), and `npx justlogin-sandbox --help` works. Runs on the dist/ that `npm run build`
// made (the test script builds before jest); `npm pack --ignore-scripts` leaves dist/ alone.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { readmeSnippet } from './support/readme';

const execFileAsync = promisify(execFile);
const ROOT = join(__dirname, '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: { ...process.env, npm_config_update_notifier: 'false', NODE_OPTIONS: '' },
      maxBuffer: 16 * 1024 * 1024,
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

let project: string;
beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'justlogin-sandbox-user-'));
  const tarballs = [await pack(ROOT, project), await pack(join(ROOT, 'sandbox'), project)];
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'my-app', version: '1.0.0', private: true }));
  await run(
    NPM,
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      ...tarballs,
      'jest',
      'supertest',
      'express',
      'express-session',
      'passport',
    ],
    project,
  );
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
  await writeFile(join(project, 'sign-in.test.js'), readmeSnippet('testing-your-app-jest'));
  const output = await run(NPX, ['jest', '--ci', '--json', 'sign-in.test.js'], project);
  const result = JSON.parse(output) as { numPassedTests: number; numFailedTests: number };
  expect([result.numPassedTests, result.numFailedTests]).toEqual([2, 0]);
}, 120_000);

test('npx justlogin-sandbox --help works there', async () => {
  const help = await run(NPX, ['justlogin-sandbox', '--help'], project);
  expect(help).toMatch(/^usage: justlogin-sandbox \[options\]/);
  expect(help).toContain('--client <id>:<secret>:<redirect-uri>');
});
