// The token shapes the sandbox issues. JustLogin's IdentityServer, by its defaults, signs JWT access
// tokens that carry who signed in and id_tokens with protocol claims only; a client may be set up
// for user claims in the id_token too, or for opaque (reference) access tokens; refresh tokens are
// one-time (IdentityServer 4) or reused (Duende 7). The same scenarios run against each shape.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { startSandbox as startPackageSandbox, type SandboxTokenShapes } from 'justlogin-sandbox';

import { DEMO_USERS, startSandbox, type DemoUser, type RunningSandbox, type SandboxSettings } from './support/sandbox';
import { runCommand, SANDBOX_COMMAND, stopCommand } from './support/sandbox-command';
import {
  redeemCode,
  SANDBOX_REDIRECT_URI,
  signInForCode,
  signInForTokens,
  type SandboxTokens,
} from './support/sandbox-tokens';

const run = promisify(execFile);
const user = (name: string) => DEMO_USERS.find((candidate) => candidate.username === name)!;
const alice = user('alice'); // two roles, one of them HR Admin
const bob = user('bob'); // one role

/** What IdentityServer puts in an id_token of the code flow by default (`nonce` when sent). */
const PROTOCOL_CLAIMS = ['amr', 'aud', 'auth_time', 'exp', 'iat', 'idp', 'iss', 'nbf', 'nonce', 'sid', 'sub'];
/** What JustLogin's SDKs read from the access token. */
const JUSTLOGIN_CLAIMS = [
  'CompanyGUID',
  'CompanyID',
  'CompanyName',
  'Username',
  'UserGUID',
  'name',
  'WorkEmail',
  'CountryCode',
  'role',
] as const;

/** The shapes a sandbox issues when `tokens` names none: today's. */
const DEFAULT_SHAPES: Required<SandboxTokenShapes> = {
  access: 'jwt',
  idTokenClaims: 'protocol',
  refreshTokens: 'one-time',
};

const pick = (claims: DemoUser['claims'], names: readonly string[]) =>
  Object.fromEntries(names.map((name) => [name, (claims as Record<string, unknown>)[name]]));

function jwksOf(sandbox: RunningSandbox) {
  return createRemoteJWKSet(new URL(`${sandbox.issuer}/.well-known/openid-configuration/jwks`));
}

async function kidOf(sandbox: RunningSandbox): Promise<string> {
  const jwks = (await (await fetch(`${sandbox.issuer}/.well-known/openid-configuration/jwks`)).json()) as {
    keys: Array<{ kid: string }>;
  };
  expect(jwks.keys).toHaveLength(1);
  return jwks.keys[0].kid;
}

/** An API call for `user`'s own employee record; the status and the WWW-Authenticate challenge. */
async function callApi(sandbox: RunningSandbox, token: string, path = `/membership/v3/users/${alice.claims.UserGUID}`) {
  const res = await fetch(new URL(path, sandbox.origin), { headers: { authorization: `Bearer ${token}` } });
  await res.body?.cancel();
  return { status: res.status, challenge: res.headers.get('www-authenticate') };
}

const payInfo = (demoUser: DemoUser) => `/payroll/employee-management/v1/users/${demoUser.claims.UserGUID}/payinfo`;

/** JustLogin's refresh request, with the access token as Bearer when given. */
async function refresh(sandbox: RunningSandbox, refreshToken: string, accessToken?: string) {
  const res = await fetch(`${sandbox.issuer}/connect/token`, {
    method: 'POST',
    headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: sandbox.clientID,
      client_secret: sandbox.clientSecret,
    }),
  });
  return { status: res.status, body: (await res.json()) as Partial<SandboxTokens> & { error?: string } };
}

function settingsOf(tokens: SandboxTokenShapes): SandboxSettings {
  return {
    SANDBOX_ACCESS_TOKEN: tokens.access,
    SANDBOX_ID_TOKEN_CLAIMS: tokens.idTokenClaims,
    SANDBOX_REFRESH_TOKENS: tokens.refreshTokens,
  };
}

describe.each<[string, SandboxTokenShapes, Required<SandboxTokenShapes>]>([
  ['none named (the default)', {}, DEFAULT_SHAPES],
  [
    "IdentityServer's: JWT access tokens, protocol claims in the id_token",
    { access: 'jwt', idTokenClaims: 'protocol' },
    { access: 'jwt', idTokenClaims: 'protocol', refreshTokens: 'one-time' },
  ],
  [
    'JWT access tokens, all claims in the id_token',
    { access: 'jwt', idTokenClaims: 'all' },
    { access: 'jwt', idTokenClaims: 'all', refreshTokens: 'one-time' },
  ],
  [
    'opaque access tokens, protocol claims in the id_token',
    { access: 'opaque', idTokenClaims: 'protocol', refreshTokens: 'reuse' },
    { access: 'opaque', idTokenClaims: 'protocol', refreshTokens: 'reuse' },
  ],
])('tokens: %s', (_name, tokens, shapes) => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(settingsOf(tokens));
  });
  afterAll(() => sandbox?.stop());

  test('the sandbox tells which shapes it issues', () => {
    expect(sandbox.tokens).toEqual(shapes);
  });

  test.each([alice, bob])('the id_token of $username carries the claims of its shape', async (demoUser) => {
    const nonce = randomBytes(16).toString('base64url');
    const { id_token } = await signInForTokens(sandbox, demoUser, nonce);
    const { payload, protectedHeader } = await jwtVerify(id_token, jwksOf(sandbox), {
      issuer: sandbox.issuer,
      audience: sandbox.clientID,
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: await kidOf(sandbox) });
    expect(payload).toMatchObject({ sub: demoUser.claims.sub, nonce, idp: 'local', amr: ['pwd'] });
    // nbf is when the sandbox read the user's claims, iat when it signed: the same second or the one before.
    expect([payload.iat, (payload.iat ?? 0) - 1]).toContain(payload.nbf);
    if (shapes.idTokenClaims === 'protocol') {
      expect(Object.keys(payload).sort()).toEqual(PROTOCOL_CLAIMS);
    } else {
      expect(Object.keys(payload)).toEqual(expect.arrayContaining(PROTOCOL_CLAIMS));
      expect(payload).toMatchObject(demoUser.claims);
    }
  });

  test.each([alice, bob])("the access token of $username is its shape's", async (demoUser) => {
    const answer = await signInForTokens(sandbox, demoUser);
    if (shapes.access === 'opaque') {
      expect(() => decodeJwt(answer.access_token)).toThrow();
      return;
    }
    expect(decodeProtectedHeader(answer.access_token)).toEqual({
      alg: 'RS256',
      typ: 'at+jwt',
      kid: await kidOf(sandbox),
    });
    const { payload } = await jwtVerify(answer.access_token, jwksOf(sandbox), {
      issuer: sandbox.issuer,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({
      ...pick(demoUser.claims, JUSTLOGIN_CLAIMS),
      iss: sandbox.issuer,
      sub: decodeJwt(answer.id_token).sub,
      aud: `${sandbox.issuer}/resources`,
      client_id: sandbox.clientID,
      scope: ['openid'],
      idp: 'local',
      amr: ['pwd'],
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(answer.expires_in);
    expect(payload.role).toEqual(demoUser === alice ? ['HR Admin', 'Manager'] : 'Employee');
  });

  test('the userinfo endpoint answers to an opaque access token only', async () => {
    const { access_token } = await signInForTokens(sandbox, bob);
    const res = await fetch(`${sandbox.issuer}/connect/userinfo`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(res.status).toBe(shapes.access === 'opaque' ? 200 : 401);
    if (res.ok) expect(await res.json()).toMatchObject({ sub: bob.claims.sub });
    else await res.body?.cancel();
  });

  test('the API accepts its access tokens, fresh and renewed (refreshed with the access token as Bearer)', async () => {
    const first = await signInForTokens(sandbox, alice);
    expect(await callApi(sandbox, first.access_token)).toEqual({ status: 200, challenge: null });
    expect((await callApi(sandbox, first.access_token, payInfo(alice))).status).toBe(200);

    const renewed = await refresh(sandbox, first.refresh_token, first.access_token);
    expect(renewed.status).toBe(200);
    const accessToken = renewed.body.access_token ?? '';
    expect(accessToken).not.toBe(first.access_token);
    expect(await callApi(sandbox, accessToken)).toEqual({ status: 200, challenge: null });
    if (shapes.access === 'jwt') expect(decodeJwt(accessToken)).toMatchObject(pick(alice.claims, JUSTLOGIN_CLAIMS));

    const employee = await signInForTokens(sandbox, bob);
    expect((await callApi(sandbox, employee.access_token, payInfo(bob))).status).toBe(403);
  });

  test('the API refuses an access token once its grant is revoked (its code was redeemed twice)', async () => {
    const code = await signInForCode(sandbox, bob);
    const { body } = await redeemCode(sandbox, code);
    expect(await callApi(sandbox, body.access_token ?? '')).toEqual({ status: 200, challenge: null });
    expect((await redeemCode(sandbox, code)).body.error).toBe('invalid_grant');
    expect(await callApi(sandbox, body.access_token ?? '')).toEqual({
      status: 401,
      challenge: 'Bearer error="invalid_token"',
    });
  });

  test(`refresh tokens are ${shapes.refreshTokens}`, async () => {
    const { refresh_token } = await signInForTokens(sandbox, bob);
    const first = await refresh(sandbox, refresh_token);
    const second = await refresh(sandbox, refresh_token);
    expect(first.status).toBe(200);
    if (shapes.refreshTokens === 'one-time') {
      expect(first.body.refresh_token).toEqual(expect.any(String));
      expect(first.body.refresh_token).not.toBe(refresh_token);
      expect([second.status, second.body.error]).toEqual([400, 'invalid_grant']);
      // The spent one's refusal leaves the new one alone.
      expect((await refresh(sandbox, first.body.refresh_token ?? '')).status).toBe(200);
    } else {
      expect(second.status).toBe(200);
      for (const answer of [first, second]) expect([refresh_token, undefined]).toContain(answer.body.refresh_token);
    }
  });
});

describe('JWT access tokens refused by the API and as the Bearer of a refresh', () => {
  let sandbox: RunningSandbox;
  let tokens: SandboxTokens;
  beforeAll(async () => {
    sandbox = await startSandbox({ SANDBOX_ACCESS_TOKEN: 'jwt', SANDBOX_ID_TOKEN_CLAIMS: 'protocol' });
    tokens = await signInForTokens(sandbox, alice);
  });
  afterAll(() => sandbox?.stop());

  async function expectRefused(token: string) {
    expect(await callApi(sandbox, token)).toEqual({ status: 401, challenge: 'Bearer error="invalid_token"' });
    const renewal = await refresh(sandbox, tokens.refresh_token, token);
    expect([renewal.status, renewal.body.error]).toEqual([401, 'invalid_token']);
  }

  test('one signed with another key under its kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(decodeJwt(tokens.access_token))
      .setProtectedHeader(decodeProtectedHeader(tokens.access_token) as { alg: string })
      .sign(privateKey);
    await expectRefused(forged);
  });

  test('one whose header or payload was changed after signing', async () => {
    const [header, payload, signature] = tokens.access_token.split('.');
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = decodeJwt(tokens.access_token);
    for (const changed of [
      [header, encode({ ...claims, sub: bob.claims.sub, UserGUID: bob.claims.UserGUID }), signature],
      [header, encode({ ...claims, exp: (claims.exp ?? 0) + 3600 }), signature],
      [encode({ alg: 'none', typ: 'at+jwt', kid: await kidOf(sandbox) }), payload, ''],
      [encode({ ...decodeProtectedHeader(tokens.access_token), typ: 'JWT' }), payload, signature],
    ]) {
      await expectRefused(changed.join('.'));
    }
  });

  test("one of another sandbox (another issuer and key), and the sandbox's own id_token", async () => {
    const other = await startSandbox({ SANDBOX_ACCESS_TOKEN: 'jwt' });
    try {
      await expectRefused((await signInForTokens(other, alice)).access_token);
    } finally {
      await other.stop();
    }
    await expectRefused(tokens.id_token);
  });

  test('the checks of issuer, audience and type, with the right key', async () => {
    // The reader on its own (the sandbox signs every token with its issuer): run by Node, as an ES module.
    const reader = join(__dirname, '..', 'sandbox', 'lib', 'access-tokens.mjs');
    const script = `
      import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
      import { jwtAccessTokenReader } from ${JSON.stringify(reader)};
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256' };
      const issuer = 'http://127.0.0.1:4000/v1/auth';
      const read = jwtAccessTokenReader({ signingKey, issuer, audience: issuer + '/resources' });
      const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const token = (header, claims) => {
        const input = encode({ alg: 'RS256', typ: 'at+jwt', kid: signingKey.kid, ...header }) + '.' + encode(claims);
        return input + '.' + sign('sha256', Buffer.from(input), privateKey).toString('base64url');
      };
      const claims = { iss: issuer, aud: issuer + '/resources', sub: 's', client_id: 'c', jti: 'j', exp: 1, iat: 0 };
      console.log(JSON.stringify({
        good: read(token({}, claims))?.sub ?? null,
        audienceInAList: read(token({}, { ...claims, aud: ['other', issuer + '/resources'] }))?.sub ?? null,
        otherIssuer: read(token({}, { ...claims, iss: 'http://127.0.0.1:4001/v1/auth' })) ?? null,
        otherAudience: read(token({}, { ...claims, aud: 'demo-client' })) ?? null,
        otherType: read(token({ typ: 'JWT' }, claims)) ?? null,
        otherKid: read(token({ kid: 'other' }, claims)) ?? null,
        otherAlg: read(token({ alg: 'PS256' }, claims)) ?? null,
        noJti: read(token({}, { ...claims, jti: undefined })) ?? null,
        notJson: read('e30.bm90IGpzb24.c2ln') ?? null,
      }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual({
      good: 's',
      audienceInAList: 's',
      otherIssuer: null,
      otherAudience: null,
      otherType: null,
      otherKid: null,
      otherAlg: null,
      noJti: null,
      notJson: null,
    });
  });
});

test('the API refuses an expired JWT access token, which still works as the Bearer of a refresh', async () => {
  const sandbox = await startSandbox({ SANDBOX_ACCESS_TOKEN: 'jwt', SANDBOX_ACCESS_TOKEN_TTL: '1' });
  try {
    const tokens = await signInForTokens(sandbox, alice);
    expect(tokens.expires_in).toBe(1);
    // The token lives at most a second: poll until the API refuses it (bounded), then it stays refused.
    const deadline = Date.now() + 10_000;
    let answer = await callApi(sandbox, tokens.access_token);
    while (answer.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await callApi(sandbox, tokens.access_token);
    }
    expect(answer).toEqual({ status: 401, challenge: 'Bearer error="invalid_token"' });
    expect((await refresh(sandbox, tokens.refresh_token, tokens.access_token)).status).toBe(200);
  } finally {
    await sandbox.stop();
  }
});

test("a user's claim never replaces a protocol claim of a JWT access token", async () => {
  const dana = {
    companyId: 'INITECH',
    username: 'dana',
    password: 'dana-pass',
    claims: { sub: 'dana-1', iss: 'https://elsewhere.example', aud: 'x', client_id: 'x', scope: 'x', name: 'Dana' },
  };
  const sandbox = await startPackageSandbox({
    clients: [{ clientID: 'demo-client', clientSecret: 'demo-secret', redirectURIs: [SANDBOX_REDIRECT_URI] }],
    users: [dana],
    tokens: { access: 'jwt' },
  });
  try {
    const { access_token } = await signInForTokens(
      { ...sandbox, clientID: 'demo-client', clientSecret: 'demo-secret' },
      dana,
    );
    expect(decodeJwt(access_token)).toMatchObject({
      sub: 'dana-1',
      iss: sandbox.issuer,
      aud: `${sandbox.issuer}/resources`,
      client_id: 'demo-client',
      scope: ['openid'],
      name: 'Dana',
    });
  } finally {
    await sandbox.stop();
  }
});

describe('choosing the shapes', () => {
  const clients = [{ clientID: 'c', clientSecret: 's', redirectURIs: ['http://localhost/cb'] }];

  test.each<[unknown, string]>([
    ['jwt', 'tokens must be an object { access?, idTokenClaims?, refreshTokens? }'],
    [{ access: 'JWT' }, "tokens.access must be 'jwt' or 'opaque'"],
    [{ idTokenClaims: 'none' }, "tokens.idTokenClaims must be 'protocol' or 'all'"],
    [{ refreshTokens: true }, "tokens.refreshTokens must be 'one-time' or 'reuse'"],
    [{ acess: 'jwt' }, 'tokens.acess is no token shape: tokens takes access, idTokenClaims and refreshTokens'],
  ])('startSandbox() refuses tokens: %j', async (tokens, message) => {
    await expect(startPackageSandbox({ clients, tokens: tokens as SandboxTokenShapes })).rejects.toThrow(
      new TypeError(message),
    );
  });

  test('the command takes --access-token, --id-token-claims and --refresh-tokens, and prints the shapes', async () => {
    const command = runCommand([
      '--port',
      '0',
      '--access-token',
      'jwt',
      '--id-token-claims',
      'protocol',
      '--refresh-tokens',
      'reuse',
    ]);
    try {
      const [, issuer] = await command.waitFor(/^JustLogin sandbox listening: issuer=(\S+)$/m);
      await command.waitFor(/^Tokens: .*$/m);
      expect(command.output().stdout).toContain(
        'Tokens: JWT access tokens, protocol claims only in the id_token, refresh tokens reused\n',
      );
      const cli = { issuer, clientID: 'demo-client', clientSecret: 'demo-secret' };
      const answer = await signInForTokens(cli, alice);
      expect(decodeProtectedHeader(answer.access_token).typ).toBe('at+jwt');
      expect(Object.keys(decodeJwt(answer.id_token)).sort()).toEqual(PROTOCOL_CLAIMS.filter((c) => c !== 'nonce'));
    } finally {
      await stopCommand(command);
    }
  });

  test('the command prints the default shapes', async () => {
    const command = runCommand(['--port', '0']);
    try {
      await command.waitFor(/^Tokens: .*$/m);
      expect(command.output().stdout).toContain(
        'Tokens: JWT access tokens, protocol claims only in the id_token, refresh tokens one-time\n',
      );
    } finally {
      await stopCommand(command);
    }
  });

  test('the command refuses a shape it does not know: one line, exit code 2', async () => {
    await expect(run(process.execPath, [SANDBOX_COMMAND, '--access-token', 'JWT'])).rejects.toMatchObject({
      code: 2,
      stderr: 'justlogin-sandbox: --access-token must be jwt or opaque, got "JWT" (see --help)\n',
    });
  });
});
