// The scenarios both Fastify examples (example-app/fastify and example-app/nest-fastify) pass, run
// as their own process on the built package, on the JustLogin sandbox, driven over HTTP as a browser
// would. Each example answers in its own framework's shapes: `expected` says how.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CookieJar, signIn } from 'justlogin-sandbox';
import request from 'supertest';
import { exampleProcess, useFrameworkExample } from './framework-example';
import { DEMO_USERS } from './sandbox';

/** Shorter than the renewal's 60 s skew: every request finds the tokens due and renews them. */
const ACCESS_TOKEN_TTL = 5;
const PARALLEL = 10;
const [alice] = DEMO_USERS;

/** What an example answers, where the two differ. */
export interface FastifyExampleAnswers {
  /** The Passport integration it signs in through, as the first test names it. */
  passport: string;
  /** alice's /profile, but for `expiresAt`. */
  profile: Record<string, unknown>;
  /** The body of /profile once signed out. */
  signedOut: Record<string, unknown>;
  /** The body of /profile when JustLogin refuses the refresh token. */
  refusedRefresh: Record<string, unknown>;
  /** The status of a callback whose state is wrong or used. */
  refusedState: number;
  /** The body of /profile while JustLogin is down. */
  unavailable: Record<string, unknown>;
}

/** Registers the example's tests: its process from `main`, started with the sandbox, as `name`. */
export function describeFastifyExample(name: string, main: string, expected: FastifyExampleAnswers): void {
  const example = useFrameworkExample({
    accessTokenTTL: ACCESS_TOKEN_TTL,
    timeoutMs: 40_000,
    startInstance: exampleProcess(main, randomBytes(32).toString('hex')),
  });

  describe(name, () => {
    let agent: request.Agent;
    /** The session cookie right after the sign-in, before any renewal. */
    let signedInCookie: string;

    it(`signs alice in through ${expected.passport} with the sandbox, and /profile shows her`, async () => {
      agent = request.agent(example.url);
      const done = await signIn({ agent, start: '/auth/justlogin', ...alice });
      expect(done.status).toBe(302);
      expect(done.headers.location).toBe('/profile');
      signedInCookie = ([] as string[]).concat(done.headers['set-cookie'] ?? []).join('; ');
      expect(signedInCookie).toMatch(/HttpOnly/);
      expect(await example.tokenRequests(0, 1)).toEqual(['token-request grant_type=authorization_code status=200']);

      const before = Math.floor(Date.now() / 1000);
      const profile = await agent.get('/profile');
      expect(profile.status).toBe(200);
      expect(profile.body).toEqual({ ...expected.profile, expiresAt: expect.any(Number) });
      // The token was due (30 s left, renewed within 60 s): /profile renewed it once.
      expect(await example.tokenRequests(1, 1)).toEqual(['token-request grant_type=refresh_token status=200']);
      expect((profile.body as { expiresAt: number }).expiresAt).toBeGreaterThanOrEqual(before + ACCESS_TOKEN_TTL);
    });

    it(`renews once for ${PARALLEL} parallel requests with due tokens, twice in a row (the rotated token was stored)`, async () => {
      for (let round = 0; round < 2; round += 1) {
        const from = example.sandbox.tokenRequests.length;
        const answers = await Promise.all(Array.from({ length: PARALLEL }, () => agent.get('/profile')));
        expect(answers.map((answer) => answer.status)).toEqual(Array(PARALLEL).fill(200));
        expect(new Set(answers.map((answer) => (answer.body as { expiresAt: number }).expiresAt)).size).toBe(1);
        expect(await example.tokenRequests(from, 1)).toEqual(['token-request grant_type=refresh_token status=200']);
      }
    });

    it('answers 401 and signs the user out when JustLogin refuses the refresh token (a used one, from an old cookie)', async () => {
      // Another instance with the same session key has not renewed this token, so it spends it again:
      // the sandbox refuses a rotated refresh token used twice.
      const otherInstance = await example.startInstance();
      const from = example.sandbox.tokenRequests.length;
      const refused = await request(otherInstance).get('/profile').set('cookie', signedInCookie);
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual(expected.refusedRefresh);
      expect(await example.tokenRequests(from, 1)).toEqual(['token-request grant_type=refresh_token status=400']);
      const cleared = ([] as string[]).concat(refused.headers['set-cookie'] ?? []).join('; ');
      const after = await request(otherInstance).get('/profile').set('cookie', cleared.split(';')[0]);
      expect(after.status).toBe(401);
      expect(after.body).toEqual(expected.signedOut);
    });

    it('fails the sign-in with 401 when the user says No on the consent page', async () => {
      const stranger = request.agent(example.url);
      const done = await signIn({ agent: stranger, start: '/auth/justlogin', ...alice, consent: false });
      expect(done.status).toBe(401);
      expect((await stranger.get('/profile')).status).toBe(401);
    });

    it('refuses a callback whose state was already used (replayed callback URL and cookie)', async () => {
      const cookies = new CookieJar();
      const start = `${example.url}/auth/justlogin`;
      const callback = await signIn({ start, cookies, ...alice, followCallback: false });
      const pending = cookies.header(start);
      const wrongState = `${callback.pathname}?code=${callback.searchParams.get('code')}&state=not-the-state`;
      const refused = await request(example.url).get(wrongState).set('cookie', pending);
      expect(refused.status).toBe(expected.refusedState);
      // The state was used up by the refused attempt: the cookie the refusal set no longer holds it.
      const afterRefusal = ([] as string[]).concat(refused.headers['set-cookie'] ?? [])[0]?.split(';')[0];
      expect(afterRefusal).toBeDefined();
      const replay = await request(example.url)
        .get(callback.pathname + callback.search)
        .set('cookie', afterRefusal);
      expect(replay.status).toBe(expected.refusedState);
    });

    it('while JustLogin is down, serves tokens that are due but valid; answers 503 once they expired, leaving the session', async () => {
      const { expiresAt } = (await agent.get('/profile')).body as { expiresAt: number };
      await example.sandbox.stop();
      // Every token request of these tests, now that the sandbox has written them all out: one
      // sign-in, one renewal for the first /profile and one for each round, and the refused one.
      expect(example.sandbox.tokenRequests).toEqual([
        'token-request grant_type=authorization_code status=200',
        ...Array(3).fill('token-request grant_type=refresh_token status=200'),
        'token-request grant_type=refresh_token status=400',
        'token-request grant_type=refresh_token status=200',
      ]);
      const served = await agent.get('/profile'); // due, and valid until `expiresAt`
      expect(served.status).toBe(200);
      expect(served.body).toEqual({ ...expected.profile, expiresAt });
      await sleep(expiresAt * 1000 - Date.now() + 100);
      const down = await agent.get('/profile');
      expect(down.status).toBe(503);
      expect(down.body).toEqual(expected.unavailable);
      expect(down.headers['set-cookie']).toBeUndefined();
    });
  });
}
