import { SignJWT } from 'jose';
import { fakeIdToken } from '../support/id-token';
import { signIdToken, signingKey } from '../support/keys';
import type { Reply } from '../support/token-server';
import { CLIENT_SECRET, deadURL, type Harness, type Outcome } from './harness';

/** What a case must end in: never a success, a crash or a hang. */
export type Expected =
  | { kind: 'failure' }
  | { kind: 'error'; name: string; code?: string; check?: string; message?: string }
  | { kind: 'rejected'; code: string; retryable: boolean };

export interface HostileCase {
  /** The attack or fault. */
  attack: string;
  /** What goes in. */
  input: string;
  expected: Expected;
  run(h: Harness): Promise<Outcome>;
}

const failure: Expected = { kind: 'failure' };
const requestError = (code: string): Expected => ({ kind: 'error', name: 'JustLoginRequestError', code });
const tokenError = (code: string, message?: string): Expected => ({
  kind: 'error',
  name: 'JustLoginTokenError',
  code,
  message,
});
const idTokenError = (check: string): Expected => ({
  kind: 'error',
  name: 'IdTokenError',
  code: 'EBADIDTOKEN',
  check,
});
const rejected = (code: string, retryable: boolean): Expected => ({ kind: 'rejected', code, retryable });
const TWO_MIB = 'x'.repeat(2 * 1024 * 1024);

/** A callback query sent after a real /login (so a session and a state exist). */
function callback(query: (state: string) => string) {
  return async (h: Harness) => {
    const { agent, begin } = h.client();
    const state = await begin();
    return agent.get(`/callback?${query(state)}`);
  };
}

/** A full sign-in whose token request is answered with `reply`. */
function tokenReply(reply: Reply | ((h: Harness) => Reply | Promise<Reply>)) {
  return async (h: Harness) => {
    h.reply(() => (typeof reply === 'function' ? reply(h) : reply));
    return h.signIn();
  };
}

/** A full sign-in whose token response carries `idToken`. */
function idToken(make: (h: Harness) => string | Promise<string>, verifySignature = false) {
  return async (h: Harness) => {
    h.reply(async () => ({ body: h.goodResponse({ id_token: await make(h) }) }));
    return h.signIn(
      undefined,
      h.strategy({ verifyIdTokenSignature: verifySignature, issuer: 'https://apis.justlogin.com/v1/auth' }),
    );
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const callbackCases: Array<[string, string, Expected, (h: Harness) => Promise<import('supertest').Response>]> = [
  ['callback without code', '?state=<valid>', failure, callback((s) => `state=${s}`)],
  ['empty code', '?code=&state=<valid>', failure, callback((s) => `code=&state=${s}`)],
  ['code given twice', '?code=a&code=b&state=<valid>', failure, callback((s) => `code=a&code=b&state=${s}`)],
  [
    'code given twice with the same value',
    '?code=a&code=a&state=<valid>',
    failure,
    callback((s) => `code=a&code=a&state=${s}`),
  ],
  [
    'oversized code (10 KB)',
    '?code=<10 KB>&state=<valid>',
    failure,
    callback((s) => `code=${'c'.repeat(10_240)}&state=${s}`),
  ],
  [
    'oversized code (100 KB)',
    "?code=<100 KB>: over Node's header limit",
    failure,
    callback((s) => `code=${'c'.repeat(102_400)}&state=${s}`),
  ],
  [
    'state given twice',
    '?code=a&state=<valid>&state=<valid>',
    failure,
    callback((s) => `code=a&state=${s}&state=${s}`),
  ],
  ['oversized state (10 KB)', '?code=a&state=<10 KB>', failure, callback(() => `code=a&state=${'s'.repeat(10_240)}`)],
  ['missing state', '?code=a', failure, callback(() => 'code=a')],
  ['wrong state', '?code=a&state=forged', failure, callback(() => 'code=a&state=forged')],
  [
    'consent refused with a script tag in error_description',
    '?error=access_denied&error_description=<script>…',
    failure,
    callback(() => `error=access_denied&error_description=${encodeURIComponent('<script>alert(1)</script>')}`),
  ],
  [
    'provider error with a script tag in error_description',
    '?error=server_error&error_description=<script>…&state=<valid>',
    { kind: 'error', name: 'JustLoginAuthorizationError', code: 'server_error' },
    callback(
      (s) => `error=server_error&error_description=${encodeURIComponent('<script>alert(1)</script>')}&state=${s}`,
    ),
  ],
  [
    'provider error without a description',
    '?error=invalid_scope&state=<valid>',
    { kind: 'error', name: 'JustLoginAuthorizationError', code: 'invalid_scope' },
    callback((s) => `error=invalid_scope&state=${s}`),
  ],
  [
    'provider error without state',
    '?error=server_error: acted on only after the state check',
    failure,
    callback(() => 'error=server_error&error_description=forged'),
  ],
  ['error given twice', '?error=access_denied&error=x', failure, callback(() => 'error=access_denied&error=x')],
  [
    'header injection in the code',
    '?code=a%0d%0aSet-Cookie:x&state=<valid>',
    tokenError('invalid_grant'),
    async (h) => {
      h.reply((form) =>
        form.code === 'a\r\nSet-Cookie:x'
          ? { status: 400, body: { error: 'invalid_grant' } }
          : { body: h.goodResponse() },
      );
      return callback((s) => `code=a%0d%0aSet-Cookie:x&state=${s}`)(h);
    },
  ],
  [
    'replayed state after a successful sign-in',
    'the same /callback URL twice',
    failure,
    async (h) => {
      const { agent, begin } = h.client();
      const state = await begin();
      await agent.get(`/callback?code=first&state=${state}`).expect(200);
      return agent.get(`/callback?code=first&state=${state}`);
    },
  ],
  [
    'state from another session',
    "victim's /callback URL in the attacker's browser",
    failure,
    async (h) => {
      const victim = h.client();
      const state = await victim.begin();
      const attacker = h.client();
      await attacker.begin();
      return attacker.agent.get(`/callback?code=a&state=${state}`);
    },
  ],
  [
    'callback with no prior authorization request',
    '?code=a&state=x in a new session',
    failure,
    async (h) => h.client().agent.get('/callback?code=a&state=x'),
  ],
  [
    'old code replayed after a successful sign-in',
    'a used code with a fresh, valid state',
    tokenError('invalid_grant'),
    async (h) => {
      const first = await h.signIn('once-only');
      if (first.status !== 200) throw new Error('the first sign-in should succeed');
      return h.signIn('once-only');
    },
  ],
];

const tokenEndpointCases: Array<[string, string, Expected, Reply | ((h: Harness) => Reply)]> = [
  [
    'code refused',
    '400 {"error":"invalid_grant"}',
    tokenError('invalid_grant'),
    { status: 400, body: { error: 'invalid_grant' } },
  ],
  [
    'client refused',
    '401 {"error":"invalid_client"}',
    tokenError('invalid_client'),
    { status: 401, body: { error: 'invalid_client' } },
  ],
  [
    'error description echoing the client secret',
    '400 invalid_client, description containing the secret',
    tokenError('invalid_client'),
    { status: 400, body: { error: 'invalid_client', error_description: 'bad secret hostile-client-secret-9f2c' } },
  ],
  [
    'server error page',
    '500 text/html',
    requestError('EHTTPSTATUS'),
    { status: 500, body: '<html><body>Oops</body></html>', headers: { 'Content-Type': 'text/html' } },
  ],
  [
    'temporarily unavailable',
    '503 {"error":"temporarily_unavailable"}',
    tokenError('temporarily_unavailable'),
    { status: 503, body: { error: 'temporarily_unavailable' } },
  ],
  [
    'not JSON',
    '200 access_token=x&token_type=bearer',
    requestError('EBADRESPONSE'),
    { body: 'access_token=x&token_type=bearer' },
  ],
  ['JSON array', '200 [1,2]', requestError('EBADRESPONSE'), { body: [1, 2] }],
  ['no access_token', '200 {"token_type":"Bearer"}', requestError('EBADRESPONSE'), { body: { token_type: 'Bearer' } }],
  [
    'access_token not a string',
    '200 {"access_token":42,…}',
    requestError('EBADRESPONSE'),
    (h) => ({ body: h.goodResponse({ access_token: 42 }) }),
  ],
  [
    'token_type not Bearer',
    '200 {…,"token_type":"mac"}',
    requestError('EBADRESPONSE'),
    (h) => ({ body: h.goodResponse({ token_type: 'mac' }) }),
  ],
  [
    'token_type missing',
    '200 {…} without token_type',
    requestError('EBADRESPONSE'),
    (h) => ({ body: h.goodResponse({ token_type: undefined }) }),
  ],
  [
    'refresh_token not a string',
    '200 {…,"refresh_token":{}}',
    requestError('EBADRESPONSE'),
    (h) => ({ body: h.goodResponse({ refresh_token: {} }) }),
  ],
  [
    'redirect',
    '302 Location: elsewhere',
    requestError('EREDIRECT'),
    { status: 302, headers: { Location: 'http://127.0.0.1:1/' }, body: '' },
  ],
  [
    'permanent redirect',
    '301 Location: elsewhere',
    requestError('EREDIRECT'),
    { status: 301, headers: { Location: 'http://127.0.0.1:1/' }, body: '' },
  ],
  ['huge body', '200, 2 MiB streamed', requestError('ETOOLARGE'), { body: TWO_MIB }],
  [
    'huge body announced',
    '200, Content-Length 2 MiB',
    requestError('ETOOLARGE'),
    { body: TWO_MIB, headers: { 'Content-Length': String(TWO_MIB.length) } },
  ],
  [
    'access_token with CR/LF',
    '200 {"access_token":"a\\r\\nSet-Cookie: x=1",…}',
    requestError('EBADRESPONSE'),
    (h) => ({ body: h.goodResponse({ access_token: 'a\r\nSet-Cookie: x=1' }) }),
  ],
  [
    'access_token outside Latin-1',
    '200 {"access_token":"tōken",…}',
    requestError('EBADRESPONSE'),
    (h) => ({ body: h.goodResponse({ access_token: 'tōken' }) }),
  ],
  [
    'access_token with a Latin-1 letter',
    '200 {"access_token":"tokén",…}',
    requestError('EBADRESPONSE'),
    (h) => ({ body: h.goodResponse({ access_token: 'tokén' }) }),
  ],
  [
    'refresh_token with LF',
    '200 {…,"refresh_token":"r\\nX: 1"}',
    requestError('EBADRESPONSE'),
    (h) => ({ body: h.goodResponse({ refresh_token: 'r\nX: 1' }) }),
  ],
  [
    'id_token with CR/LF',
    '200 {…,"id_token":"<jwt>\\r\\n"}',
    requestError('EBADRESPONSE'),
    (h) => ({ body: h.goodResponse({ id_token: `${String(h.goodResponse().id_token)}\r\n` }) }),
  ],
  [
    'unregistered redirect_uri',
    '400 invalid_grant, "redirect_uri http://app.test/callback is not registered…"',
    tokenError('invalid_grant', 'redirect_uri http://app.test/callback is not registered for grant authorization_code'),
    {
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: 'redirect_uri http://app.test/callback is not registered for grant authorization_code',
      },
    },
  ],
  ['accepts and never answers', 'no response', requestError('ETIMEDOUT'), 'hang'],
  ['starts answering and stalls', 'headers and half a body', requestError('ETIMEDOUT'), 'stall'],
  ['resets the connection', 'TCP reset', requestError('ECONNRESET'), 'reset'],
];

const idTokenCases: Array<[string, string, Expected, (h: Harness) => string | Promise<string>, boolean?]> = [
  ['id_token missing', 'no id_token', idTokenError('missing'), () => ''],
  ['not a JWT', '"not-a-jwt"', idTokenError('format'), () => 'not-a-jwt'],
  ['bad base64', '"!!!.@@@.sig"', idTokenError('format'), () => '!!!.@@@.sig'],
  [
    'payload not JSON',
    'header.<base64 "hello">.sig',
    idTokenError('format'),
    () => `${b64({ alg: 'RS256' })}.${Buffer.from('hello').toString('base64url')}.sig`,
  ],
  ['alg none', '{"alg":"none"} unsigned', idTokenError('signature'), (h) => fakeIdToken(h.claims(), { alg: 'none' })],
  ['no subject', 'sub missing', idTokenError('sub'), (h) => fakeIdToken(h.claims({ sub: undefined }))],
  [
    'wrong audience',
    'aud: another client',
    idTokenError('aud'),
    (h) => fakeIdToken(h.claims({ aud: 'another-client' })),
  ],
  [
    'several audiences without azp',
    'aud: [this, other]',
    idTokenError('azp'),
    (h) => fakeIdToken(h.claims({ aud: ['hostile-client', 'other'] })),
  ],
  [
    'azp of another client',
    'aud: [this, other], azp: other',
    idTokenError('azp'),
    (h) => fakeIdToken(h.claims({ aud: ['hostile-client', 'other'], azp: 'other' })),
  ],
  [
    'expired',
    'exp one hour ago',
    idTokenError('exp'),
    (h) => fakeIdToken(h.claims({ exp: Math.floor(Date.now() / 1000) - 3600 })),
  ],
  [
    'issued in the future',
    'iat in one hour',
    idTokenError('iat'),
    (h) => fakeIdToken(h.claims({ iat: Math.floor(Date.now() / 1000) + 3600 })),
  ],
  [
    'wrong issuer',
    'iss: https://evil.example (issuer set)',
    idTokenError('iss'),
    (h) => fakeIdToken(h.claims({ iss: 'https://evil.example' })),
  ],
  [
    'not valid yet',
    'nbf in one hour',
    idTokenError('nbf'),
    (h) => fakeIdToken(h.claims({ nbf: Math.floor(Date.now() / 1000) + 3600 })),
  ],
  [
    'critical extension',
    '{"alg":"RS256","crit":["b64"],"b64":false}',
    idTokenError('crit'),
    (h) => fakeIdToken(h.claims(), { alg: 'RS256', crit: ['b64'], b64: false }),
  ],
  [
    'critical extension with verification on',
    '{"alg":"RS256","kid":"jl-key","crit":["exp"]} (verification on)',
    idTokenError('crit'),
    (h) => fakeIdToken(h.claims(), { alg: 'RS256', kid: 'jl-key', crit: ['exp'], exp: 0 }),
    true,
  ],
  ['missing nonce', 'no nonce claim', idTokenError('nonce'), (h) => fakeIdToken(h.claims({ nonce: undefined }))],
  [
    'wrong nonce',
    'nonce of another sign-in',
    idTokenError('nonce'),
    (h) => fakeIdToken(h.claims({ nonce: 'replayed-nonce' })),
  ],
  [
    'signed by another key',
    'valid shape, forged signature under a published kid (verification on)',
    idTokenError('signature'),
    async (h) => signIdToken(h.claims(), await signingKey('jl-key')),
    true,
  ],
  [
    'unknown kid',
    'kid JustLogin never published (verification on)',
    idTokenError('signature'),
    async (h) => signIdToken(h.claims(), await signingKey('unknown-kid')),
    true,
  ],
  [
    'HMAC with the public key as secret',
    'alg HS256 keyed with the JWK (verification on)',
    idTokenError('signature'),
    (h) =>
      new SignJWT(h.claims())
        .setProtectedHeader({ alg: 'HS256', kid: 'jl-key' })
        .sign(new TextEncoder().encode(JSON.stringify(h.key.jwk))),
    true,
  ],
];

const refreshCases: Array<[string, string, Expected, Reply | 'dead']> = [
  [
    'refresh token refused',
    '400 {"error":"invalid_grant"}',
    rejected('invalid_grant', false),
    { status: 400, body: { error: 'invalid_grant' } },
  ],
  [
    'client refused',
    '401 {"error":"invalid_client"}',
    rejected('invalid_client', false),
    { status: 401, body: { error: 'invalid_client' } },
  ],
  [
    'server error page',
    '500 text/html',
    rejected('EHTTPSTATUS', true),
    { status: 500, body: '<html>Oops</html>', headers: { 'Content-Type': 'text/html' } },
  ],
  ['not JSON', '200 garbage', rejected('EBADRESPONSE', true), { body: 'garbage' }],
  [
    'no access_token',
    '200 {"token_type":"Bearer"}',
    rejected('EBADRESPONSE', false),
    { body: { token_type: 'Bearer' } },
  ],
  [
    'token_type not Bearer',
    '200 {…,"token_type":"mac"}',
    rejected('EBADRESPONSE', false),
    { body: { access_token: 'a', token_type: 'mac' } },
  ],
  [
    'redirect',
    '302',
    rejected('EREDIRECT', false),
    { status: 302, headers: { Location: 'http://127.0.0.1:1/' }, body: '' },
  ],
  [
    'access_token with CR/LF',
    '200 {"access_token":"a\\r\\nX: 1",…}',
    rejected('EBADRESPONSE', false),
    { body: { access_token: 'a\r\nX: 1', token_type: 'Bearer' } },
  ],
  ['huge body', '200, 2 MiB', rejected('ETOOLARGE', false), { body: TWO_MIB }],
  ['accepts and never answers', 'no response', rejected('ETIMEDOUT', true), 'hang'],
  ['resets the connection', 'TCP reset', rejected('ECONNRESET', true), 'reset'],
  ['nothing listening', 'connection refused', rejected('ECONNREFUSED', true), 'dead'],
];

/** Token-endpoint errors whose text echoes what the client sent, in each encoding. */
const echoCases: Array<[string, string, (form: Record<string, string>) => string]> = [
  ['the form body', 'client_secret=…%2B…%2F…%3D', (form) => new URLSearchParams(form).toString()],
  [
    'the form body in lower-case hex',
    'client_secret=…%2b…%2f…%3d',
    (form) => new URLSearchParams(form).toString().replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
  ],
  ['the form as JSON', '{"client_secret":"…\\"x\\""}', (form) => JSON.stringify(form)],
  [
    'the secret percent-encoded',
    'secret %2B%2F%3D%7E%20%22x%22',
    () => `secret ${encodeURIComponent(CLIENT_SECRET)} rejected`,
  ],
];

/** A JWKS endpoint misbehaving while a sign-in checks signatures. */
const jwksCases: Array<[string, string, Expected, import('node:http').RequestListener]> = [
  [
    'trickles bytes forever',
    '200, one byte every 10 ms',
    requestError('ETIMEDOUT'),
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => res.write(' '), 10);
      res.on('close', () => clearInterval(timer));
    },
  ],
  [
    'sends 40 MB',
    '200, 40 MB streamed',
    requestError('ETOOLARGE'),
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 40 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    },
  ],
  [
    'redirects',
    '302 Location: elsewhere',
    requestError('EREDIRECT'),
    (_req, res) => res.writeHead(302, { Location: 'http://127.0.0.1:1/jwks' }).end(),
  ],
  ['is not a key set', '200 <html>', requestError('EBADRESPONSE'), (_req, res) => res.end('<html></html>')],
];

/** The hostile-input table. */
export const hostileCases: HostileCase[] = [
  ...callbackCases.map(([attack, input, expected, send]) => ({
    attack: `callback: ${attack}`,
    input,
    expected,
    run: async (h: Harness) => h.outcome(await send(h), ''),
  })),
  ...tokenEndpointCases.map(([attack, input, expected, reply]) => ({
    attack: `token endpoint: ${attack}`,
    input,
    expected,
    run: async (h: Harness) => h.outcome(await tokenReply(reply)(h), ''),
  })),
  {
    attack: 'token endpoint: nothing listening',
    input: 'connection refused',
    expected: requestError('ECONNREFUSED'),
    run: async (h: Harness) => h.outcome(await h.signIn(undefined, h.strategy({ tokenURL: await deadURL() })), ''),
  },
  ...echoCases.map(([what, input, echo]) => ({
    attack: `token endpoint: error description echoing ${what}`,
    input: `400 invalid_client, ${input}`,
    expected: tokenError('invalid_client'),
    run: async (h: Harness) => {
      h.reply((form) => ({ status: 400, body: { error: 'invalid_client', error_description: echo(form) } }));
      return h.outcome(await h.signIn(), '');
    },
  })),
  ...jwksCases.map(([attack, input, expected, handler]) => ({
    attack: `JWKS: ${attack}`,
    input,
    expected,
    run: async (h: Harness) => {
      const jwksURL = await h.jwksEndpoint(handler);
      return h.outcome(await h.signIn(undefined, h.strategy({ verifyIdTokenSignature: true, jwksURL })), '');
    },
  })),
  ...idTokenCases.map(([attack, input, expected, make, verify]) => ({
    attack: `id_token: ${attack}`,
    input,
    expected,
    run: async (h: Harness) => h.outcome(await idToken(make, verify)(h), ''),
  })),
  {
    attack: 'refresh: stored access token with CR/LF',
    input: 'accessToken "…\\r\\nX-Injected: 1" sent as the Bearer',
    expected: rejected('EBADREQUEST', false),
    run: async (h: Harness) => h.refresh(undefined, { accessToken: 'stored\r\nX-Injected: 1' }),
  },
  ...refreshCases.map(([attack, input, expected, reply]) => ({
    attack: `refresh: ${attack}`,
    input,
    expected,
    run: async (h: Harness) => {
      if (reply === 'dead') return h.refresh(await deadURL());
      h.reply(reply);
      return h.refresh();
    },
  })),
];
