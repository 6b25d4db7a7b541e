import request from 'supertest';
import { JustLoginStrategy } from '../../lib';
import { makeApp } from '../support/app';
import { fakeIdToken, idTokenClaims } from '../support/id-token';
import { CLIENT_ID, useStrategyOnTokenServer, verify } from '../support/strategy-on-token-server';
import { tokenResponse } from '../support/token-server';

// Starting a sign-in: the authorization request the strategy redirects to, and the redirect_uri it
// names, which the code exchange must name exactly again (RFC 6749 §4.1.3).
const justlogin = useStrategyOnTokenServer({ clientSecret: 'sign-in-start-secret-0', callbackURL: '/callback' });
const { options } = justlogin;

async function signIn(strategy: JustLoginStrategy, host: string) {
  const agent = request.agent(makeApp(strategy));
  const login = await agent.get('/login').set('Host', host);
  const location = new URL(login.headers.location);
  const nonce = location.searchParams.get('nonce') ?? undefined;
  justlogin.server.reply({ body: tokenResponse({ id_token: fakeIdToken(idTokenClaims(CLIENT_ID, { nonce })) }) });
  const callback = await agent.get(`/callback?code=c&state=${location.searchParams.get('state')}`).set('Host', host);
  return { location, callback };
}

describe('the redirect_uri of a relative callbackURL', () => {
  it.each(['App.Example:80', 'app.example', '127.0.0.1:3000', '[::1]:8080'])(
    'is the same in the authorization request and the code exchange (Host %s)',
    async (host) => {
      const { location, callback } = await signIn(new JustLoginStrategy(options(), verify), host);
      expect(callback.status).toBe(200);
      expect(justlogin.server.requests).toHaveLength(1);
      expect(justlogin.server.requests[0].form.redirect_uri).toBe(location.searchParams.get('redirect_uri'));
    },
  );
});

describe('one strategy serving several hosts', () => {
  const redirectURI = async (app: ReturnType<typeof makeApp>, host: string, path = '/login') => {
    const login = await request(app).get(path).set('Host', host);
    return login.status === 302 ? new URL(login.headers.location).searchParams.get('redirect_uri') : login.status;
  };

  it("names each request's own host in a callbackURL that starts with a slash", async () => {
    const app = makeApp(new JustLoginStrategy(options(), verify));
    expect(await redirectURI(app, 'a.example')).toBe('http://a.example/callback');
    expect(await redirectURI(app, 'a.example')).toBe('http://a.example/callback');
    expect(await redirectURI(app, 'b.example:8080')).toBe('http://b.example:8080/callback');
    expect(await redirectURI(app, 'bad host')).toBe(400);
    expect(await redirectURI(app, 'a.example')).toBe('http://a.example/callback');
  });

  it("resolves a per-request callbackURL that is not a path against each request's own URL", async () => {
    const strategy = new JustLoginStrategy(options(), verify);
    const app = makeApp(strategy, { loginOptions: { callbackURL: '#here' } });
    expect(await redirectURI(app, 'a.example', '/login?n=1')).toBe('http://a.example/login?n=1#here');
    expect(await redirectURI(app, 'a.example', '/login?n=2')).toBe('http://a.example/login?n=2#here');
    expect(await redirectURI(app, 'b.example', '/login?n=2')).toBe('http://b.example/login?n=2#here');
  });
});

describe('the authorization request', () => {
  it('carries the parameters passport-oauth2 sends, in its order, after those of the authorize URL', async () => {
    const strategy = new JustLoginStrategy(
      options({
        authorizationURL: `${justlogin.server.origin}/authorize?ui_locales=en&prompt=login`,
        scope: 'payroll',
      }),
      verify,
    );
    const login = await request.agent(makeApp(strategy)).get('/login').set('Host', 'app.example');
    const location = new URL(login.headers.location);
    expect(`${location.origin}${location.pathname}`).toBe(`${justlogin.server.origin}/authorize`);
    expect([...location.searchParams.keys()]).toEqual([
      'ui_locales',
      'prompt',
      'nonce',
      'response_type',
      'redirect_uri',
      'scope',
      'code_challenge',
      'code_challenge_method',
      'state',
      'client_id',
    ]);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      ui_locales: 'en',
      prompt: 'login',
      response_type: 'code',
      redirect_uri: 'http://app.example/callback',
      scope: 'openid payroll',
      code_challenge_method: 'S256',
      client_id: CLIENT_ID,
    });
    expect(login.headers.location).toContain('scope=openid%20payroll');
    expect(login.headers.location).toContain('redirect_uri=http%3A%2F%2Fapp.example%2Fcallback');
  });

  it('refuses to start from a request whose Host header makes no callback URL', async () => {
    const login = await request(makeApp(new JustLoginStrategy(options(), verify)))
      .get('/login')
      .set('Host', 'bad host');
    expect(login.status).toBe(400);
    expect(justlogin.server.requests).toHaveLength(0);
  });
});
