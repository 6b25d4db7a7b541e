import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { fakeIdToken, idTokenClaims } from './support/id-token';
import { freePort } from './support/free-port';
import { readmeSnippet } from './support/readme';
import { TokenServer, tokenResponse } from './support/token-server';

// The README's Express example, run as a user would run it: `node app.js`,
// requiring the built package by its name.
const ROOT = join(__dirname, '..');
const SNIPPETS = join(ROOT, 'test', '.snippets');

let server: TokenServer;
let app: ChildProcess | undefined;

beforeAll(async () => {
  server = await TokenServer.start();
  server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims('readme-client')) }) });
});
afterAll(async () => {
  app?.kill();
  await server.stop();
});

async function startSnippet(name: string, env: Record<string, string>): Promise<string> {
  mkdirSync(SNIPPETS, { recursive: true });
  const file = join(SNIPPETS, `${name}.js`);
  writeFileSync(file, readmeSnippet(name));
  const port = await freePort();
  app = spawn(process.execPath, [file], { env: { ...process.env, ...env, PORT: String(port) }, stdio: 'pipe' });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (app.exitCode !== null) throw new Error(`snippet ${name} exited with ${app.exitCode}`);
    try {
      await fetch(url);
      return url;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`snippet ${name} did not start`);
}

it('the Express example signs a user in', async () => {
  const url = await startSnippet('express', {
    JUSTLOGIN_CLIENT_ID: 'readme-client',
    JUSTLOGIN_CLIENT_SECRET: 'readme-secret',
    JUSTLOGIN_CALLBACK_URL: 'http://localhost/auth/justlogin/callback',
    JUSTLOGIN_BASE_URL: server.origin,
    SESSION_SECRET: 'readme-session-secret',
  });
  const agent = request.agent(url);
  const login = await agent.get('/auth/justlogin').expect(302);
  const location = new URL(login.headers.location);
  expect(location.href.split('?')[0]).toBe(`${server.origin}/v1/auth/connect/authorize`);
  const state = location.searchParams.get('state') ?? '';
  await agent.get(`/auth/justlogin/callback?code=readme-code&state=${state}`).expect(302).expect('Location', '/me');
  const me = await agent.get('/me').expect(200);
  expect(me.body).toEqual({ id: 'user-42', name: 'Alice Tan', expiresAt: expect.any(Number) });
  expect(server.requests[0].form).toMatchObject({ code: 'readme-code', client_secret: 'readme-secret' });
});
