import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { signIn } from 'justlogin-sandbox';
import request from 'supertest';
import { freePort } from './support/free-port';
import { codeBlocks, shellCommands } from './support/readme';
import { DEMO_USERS, startSandbox, type RunningSandbox } from './support/sandbox';

// The Fastify and Koa guides as a user follows them outside this repository: the guide's app.js and
// main.js in a folder of their own, run with the guide's `… node main.js` (values from the guide),
// sign a demo user in on the sandbox. The Fastify guide's `overrides` are the ones this repository
// runs its Fastify tests with on Node 20.
const ROOT = join(__dirname, '..');
const alice = DEMO_USERS.find((user) => user.username === 'alice')!;

/** The guide's command that runs main.js: its `NAME=value` settings and its words. */
function runCommand(doc: string): { settings: Record<string, string>; words: string[] } {
  const command = codeBlocks(doc)
    .filter((block) => block.lang === 'sh')
    .flatMap((block) => shellCommands(block.code))
    .find((line) => /\bnode main\.js$/.test(line));
  if (!command) throw new Error(`${doc} has no command that runs main.js`);
  const settings = Object.fromEntries(
    [...command.matchAll(/\b([A-Z_]+)=(\S+)/g)].map(([, name, value]) => [name, value]),
  );
  return { settings, words: command.replace(/\b[A-Z_]+=\S+\s*/g, '').split(/\s+/) };
}

let sandbox: RunningSandbox | undefined;
let app: ChildProcess | undefined;
afterEach(async () => {
  app?.kill();
  await sandbox?.stop();
  [app, sandbox] = [undefined, undefined];
});

describe.each(['fastify', 'koa'])('the %s guide', (name) => {
  const doc = `docs/${name}.md`;

  it('shows the app.js and main.js a user needs, and the command that runs them, signing a demo user in', async () => {
    const files = codeBlocks(doc).flatMap((block) => (block.file ? [block.file] : []));
    expect(files).toEqual([`example-app/${name}/app.js`, `example-app/${name}/main.js`]);
    const dir = join(ROOT, 'test', '.snippets', `${name}-app`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const file of files) writeFileSync(join(dir, basename(file)), readFileSync(join(ROOT, file)));

    const { settings, words } = runCommand(doc);
    expect(words).toEqual(['node', 'main.js']);
    const port = await freePort();
    const callbackURL = `http://localhost:${port}/auth/justlogin/callback`;
    sandbox = await startSandbox({ JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL });
    expect(settings).toEqual({
      JUSTLOGIN_BASE_URL: 'http://127.0.0.1:4000',
      JUSTLOGIN_CLIENT_ID: sandbox.clientID,
      JUSTLOGIN_CLIENT_SECRET: sandbox.clientSecret,
      JUSTLOGIN_CALLBACK_URL: 'http://localhost:3000/auth/justlogin/callback',
    });

    // The guide's values, on free ports: the sandbox's and the app's.
    const env = { ...settings, JUSTLOGIN_BASE_URL: sandbox.origin, JUSTLOGIN_CALLBACK_URL: callbackURL };
    app = spawn(process.execPath, words.slice(1), {
      cwd: dir,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    app.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      app!.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening on') && resolve());
      app!.once('exit', (code) => reject(new Error(`main.js exited with ${code}:\n${errors}`)));
    });

    const agent = request.agent(`http://localhost:${port}`);
    const callback = await signIn({ agent, start: '/auth/justlogin', ...alice });
    expect(callback.headers.location).toBe('/profile');
    const profile = await agent.get('/profile').expect(200);
    expect(profile.body).toEqual({ id: alice.claims.sub, name: alice.claims.name, expiresAt: expect.any(Number) });
  }, 60_000);
});

it("the Fastify guide's overrides are this repository's, and hold Fastify's cookie at a version for Node 20", () => {
  const block = codeBlocks('docs/fastify.md').find((b) => b.lang === 'json' && b.code.includes('"overrides"'));
  expect(block).toBeDefined();
  const { overrides } = JSON.parse(block!.code) as { overrides: Record<string, Record<string, string>> };
  const repository = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    overrides: Record<string, Record<string, string>>;
  };
  expect(Object.keys(overrides).sort()).toEqual(['@fastify/cookie', 'light-my-request']);
  for (const [dependent, pins] of Object.entries(overrides)) {
    expect(repository.overrides[dependent]).toEqual(pins);
    // The cookie the dependent loads here: its engines let Node 20 run it.
    const from = dirname(
      require.resolve(`${dependent}/package.json`, { paths: [dirname(require.resolve('fastify'))] }),
    );
    const cookie = JSON.parse(readFileSync(require.resolve('cookie/package.json', { paths: [from] }), 'utf8')) as {
      engines: { node: string };
    };
    const needs = /^>=(\d+)/.exec(cookie.engines.node);
    expect(Number(needs?.[1])).toBeLessThanOrEqual(20);
  }
});
