// The NestJS-on-Fastify example (example-app/nest-fastify: JustLoginModule.forRoot, JustLoginAuthGuard,
// SignedInGuard, JustLoginApi injected per request, JustLoginExceptionFilter, JustLoginSignOut, on
// @fastify/secure-session with passportOnFastify), built and run as its own process on the built package, on the
// JustLogin sandbox, driven over HTTP as a browser would.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { signIn } from 'justlogin-sandbox';
import request from 'supertest';
import { describeFastifyExample } from './support/fastify-example';
import { exampleProcess, useFrameworkExample } from './support/framework-example';
import { DEMO_USERS } from './support/sandbox';

const MAIN = join(__dirname, '..', 'example-app', 'nest-fastify', 'dist', 'main.js');
const [alice] = DEMO_USERS;

describeFastifyExample('the NestJS-on-Fastify example', MAIN, {
  passport: '@nestjs/passport',
  profile: { id: alice.claims.sub, name: 'Alice Tan', username: 'alice', company: 'Acme Corporation' },
  signedOut: { statusCode: 401, message: 'Unauthorized' },
  refusedRefresh: { statusCode: 401, message: 'Sign in with JustLogin again', error: 'Unauthorized' },
  refusedState: 401,
  unavailable: {
    statusCode: 503,
    message: 'JustLogin is not answering; try again shortly',
    error: 'Service Unavailable',
  },
});

/** The `name=value` pairs of a response's Set-Cookie headers, or `undefined` when it sets none. */
function cookiesSet(response: request.Response): string | undefined {
  const set = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  return set.length > 0 ? set.map((cookie) => cookie.split(';')[0]).join('; ') : undefined;
}

describe('the NestJS-on-Fastify example, its session kept in the cookie alone', () => {
  // Access tokens live 30 s, less than the renewal's 60 s skew: every request renews them.
  const example = useFrameworkExample({
    accessTokenTTL: 30,
    timeoutMs: 40_000,
    startInstance: exampleProcess(MAIN, randomBytes(32).toString('hex')),
  });
  /** The browser's session cookie, as the last answer set it. */
  let cookie: string;
  /** How many of the sandbox's token requests the tests have looked at. */
  let seen = 0;

  /** The next `count` token requests the sandbox answers. */
  async function nextTokenRequests(count: number): Promise<string[]> {
    const requests = await example.tokenRequests(seen, count);
    seen += count;
    return requests;
  }

  /** GET `path` at `url` with the session cookie, keeping the cookie the answer sets. */
  async function get(url: string, path: string): Promise<request.Response> {
    const response = await request(url).get(path).set('cookie', cookie);
    cookie = cookiesSet(response) ?? cookie;
    return response;
  }

  /** Signs alice in at the first instance and keeps her session cookie. */
  async function signInAlice(): Promise<void> {
    const done = await signIn({ agent: request.agent(example.url), start: '/auth/justlogin', ...alice });
    cookie = cookiesSet(done)!;
    expect(await nextTokenRequests(1)).toEqual(['token-request grant_type=authorization_code status=200']);
  }

  it('keeps tokens SignedInGuard renewed across a restart: the next instance renews with the rotated refresh token', async () => {
    await signInAlice();
    expect((await get(example.url, '/profile')).status).toBe(200);
    expect(await nextTokenRequests(1)).toEqual(['token-request grant_type=refresh_token status=200']);

    // A new process knows nothing of the renewal: only the cookie can hold the rotated refresh token.
    const profile = await get(await example.startInstance(), '/profile');
    expect(await nextTokenRequests(1)).toEqual(['token-request grant_type=refresh_token status=200']);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ id: alice.claims.sub, name: 'Alice Tan' });
  });

  it('keeps tokens the injected JustLoginApi renewed across a restart', async () => {
    await signInAlice();
    const people = await get(example.url, '/people');
    expect(people.status).toBe(200);
    expect(people.body).toMatchObject({ totalCount: 128 });
    expect(await nextTokenRequests(1)).toEqual(['token-request grant_type=refresh_token status=200']);

    const restarted = await get(await example.startInstance(), '/people');
    expect(await nextTokenRequests(1)).toEqual(['token-request grant_type=refresh_token status=200']);
    expect(restarted.status).toBe(200);
  });

  it('answers 401 from JustLoginExceptionFilter and ends the session when JustLogin refuses the refresh token the API client spends', async () => {
    await signInAlice();
    const stale = cookie;
    expect((await get(example.url, '/people')).status).toBe(200);
    expect(await nextTokenRequests(1)).toEqual(['token-request grant_type=refresh_token status=200']);

    // The old cookie's refresh token was spent and rotated: JustLogin refuses it on another instance.
    const refused = await request(await example.startInstance())
      .get('/people')
      .set('cookie', stale);
    expect(await nextTokenRequests(1)).toEqual(['token-request grant_type=refresh_token status=400']);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ statusCode: 401, message: 'Sign in with JustLogin again', error: 'Unauthorized' });
    const emptied = cookiesSet(refused);
    expect(emptied).toBeDefined();
    expect((await request(example.url).get('/profile').set('cookie', emptied!)).status).toBe(401);
  });

  it('answers 401 from JustLoginExceptionFilter on /people without a session', async () => {
    const people = await request(example.url).get('/people');
    expect(people.status).toBe(401);
    expect(people.body).toEqual({ statusCode: 401, message: 'Sign in with JustLogin again', error: 'Unauthorized' });
  });

  it("signs out on POST /auth/sign-out: 303 to JustLogin's end-session endpoint, the cookie emptied, then 401", async () => {
    const signedOut = await request(example.url).post('/auth/sign-out').set('cookie', cookie);
    expect(signedOut.status).toBe(303);
    expect(new URL(signedOut.headers.location).pathname).toBe('/v1/auth/connect/endsession');
    const emptied = cookiesSet(signedOut);
    expect(emptied).toBeDefined();
    expect((await request(example.url).get('/profile').set('cookie', emptied!)).status).toBe(401);
    expect((await request(example.url).get('/people').set('cookie', emptied!)).status).toBe(401);
  });
});
