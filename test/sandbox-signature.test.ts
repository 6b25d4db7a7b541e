import type { Server } from 'node:http';
import { signIn } from 'justlogin-sandbox';
import request from 'supertest';
import { JustLoginStrategy, type JustLoginStrategyOptions } from '../lib';
import { makeApp } from './support/app';
import { freePort } from './support/free-port';
import { idTokenClaims } from './support/id-token';
import { signIdToken, signingKey } from './support/keys';
import { DEMO_USERS, startSandbox, type RunningSandbox } from './support/sandbox';
import { TokenServer, tokenResponse } from './support/token-server';

// id_token signatures checked against the sandbox's real keys, at the JWKS
// path JustLogin's IdentityServer uses, and a forged token refused.

let sandbox: RunningSandbox;
let callbackURL: string;
let port: number;
beforeAll(async () => {
  port = await freePort();
  callbackURL = `http://localhost:${port}/callback`;
  sandbox = await startSandbox({ JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL });
});
afterAll(() => sandbox?.stop());

function strategy(overrides: Partial<JustLoginStrategyOptions> = {}) {
  return new JustLoginStrategy(
    {
      clientID: sandbox.clientID,
      clientSecret: sandbox.clientSecret,
      callbackURL,
      baseURL: sandbox.origin,
      issuer: sandbox.issuer,
      verifyIdTokenSignature: true,
      ...overrides,
    },
    (_at, _rt, _params, profile, done) => done(null, { id: profile.id, company: profile.companyName }),
  );
}

async function withApp<T>(
  app: ReturnType<typeof makeApp>,
  run: (agent: ReturnType<typeof request.agent>) => Promise<T>,
) {
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
  });
  try {
    return await run(request.agent(`http://localhost:${port}`));
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

it("verifies the sandbox's id_token against its published keys", async () => {
  const carol = DEMO_USERS.find((user) => user.username === 'carol')!;
  const res = await withApp(makeApp(strategy()), (agent) => signIn({ agent, start: '/login', ...carol }));
  expect(res.status).toBe(200);
  expect(res.body.user).toEqual({ id: carol.claims.sub, company: carol.claims.CompanyName });
});

it("refuses an id_token forged under the sandbox's kid", async () => {
  const jwks = (await (await fetch(`${sandbox.issuer}/.well-known/openid-configuration/jwks`)).json()) as {
    keys: Array<{ kid: string }>;
  };
  const forger = await signingKey(jwks.keys[0].kid);
  const fake = await TokenServer.start();
  try {
    const res = await withApp(makeApp(strategy({ tokenURL: fake.url })), async (agent) => {
      const login = await agent.get('/login');
      const query = new URL(login.headers.location).searchParams;
      const claims = idTokenClaims(sandbox.clientID, { iss: sandbox.issuer, nonce: query.get('nonce') });
      fake.reply({ body: tokenResponse({ id_token: await signIdToken(claims, forger) }) });
      return agent.get(`/callback?code=forged&state=${query.get('state')}`);
    });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ name: 'IdTokenError', check: 'signature' });
  } finally {
    await fake.stop();
  }
});
