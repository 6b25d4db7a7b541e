import { TokenError } from 'passport-oauth2';
import {
  IdTokenError,
  JustLoginOptionsError,
  JustLoginRefresher,
  JustLoginRequestError,
  JustLoginTokenError,
  NoRefreshTokenError,
  isJustLoginError,
} from '../lib';
import { TokenServer } from './support/token-server';

describe('every error of the package carries code, retryable and reauthenticate', () => {
  it.each([
    [
      'JustLoginTokenError invalid_grant',
      new JustLoginTokenError('refused', 'invalid_grant', 400),
      'invalid_grant',
      false,
      true,
    ],
    [
      'JustLoginTokenError invalid_token (the access token a refresh request carries is refused)',
      new JustLoginTokenError('refused', 'invalid_token', 401),
      'invalid_token',
      false,
      true,
    ],
    [
      'JustLoginTokenError invalid_client',
      new JustLoginTokenError('refused', 'invalid_client', 401),
      'invalid_client',
      false,
      false,
    ],
    [
      'JustLoginTokenError invalid_client',
      new JustLoginTokenError('bad', 'invalid_client', 401),
      'invalid_client',
      false,
      false,
    ],
    [
      'JustLoginTokenError temporarily_unavailable',
      new JustLoginTokenError('busy', 'temporarily_unavailable', 400),
      'temporarily_unavailable',
      true,
      false,
    ],
    ['JustLoginTokenError HTTP 503', new JustLoginTokenError('down', 'server_error', 503), 'server_error', true, false],
    [
      'JustLoginRequestError ETIMEDOUT',
      new JustLoginRequestError('timed out', 'ETIMEDOUT', { retryable: true }),
      'ETIMEDOUT',
      true,
      false,
    ],
    [
      'JustLoginRequestError EDECRYPT',
      new JustLoginRequestError('unreadable', 'EDECRYPT', { retryable: false }),
      'EDECRYPT',
      false,
      false,
    ],
    ['IdTokenError at sign-in', new IdTokenError('wrong audience', 'aud'), 'invalid_id_token', false, false],
    [
      'IdTokenError of a refresh',
      new IdTokenError('other subject', 'sub', { reauthenticate: true }),
      'invalid_id_token',
      false,
      true,
    ],
    ['NoRefreshTokenError', new NoRefreshTokenError(), 'no_refresh_token', false, true],
    [
      'JustLoginOptionsError',
      new JustLoginOptionsError('keepTokensFresh', ['`get` is required']),
      'EBADOPTIONS',
      false,
      false,
    ],
  ])('%s', (_what, error, code, retryable, reauthenticate) => {
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code, retryable, reauthenticate });
    expect(isJustLoginError(error)).toBe(true);
  });

  it('JustLoginTokenError is a passport-oauth2 TokenError, built with (message, code, status, uri)', () => {
    const error = new JustLoginTokenError('The refresh token is invalid', 'invalid_grant', 400, 'https://docs/errors');
    expect(error).toBeInstanceOf(TokenError);
    expect(error).toMatchObject({
      name: 'JustLoginTokenError',
      message: 'The refresh token is invalid',
      code: 'invalid_grant',
      status: 400,
      uri: 'https://docs/errors',
    });
  });

  it('JustLoginOptionsError is a TypeError that lists its problems', () => {
    const error = new JustLoginOptionsError('JustLoginStrategy', ['`a` is required', '`b` must be a boolean']);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.problems).toEqual(['`a` is required', '`b` must be a boolean']);
    expect(error.message).toBe(
      'passport-justlogin: JustLoginStrategy options are invalid:\n- `a` is required\n- `b` must be a boolean',
    );
  });

  it.each([
    ['a plain Error', new Error('x')],
    ['a TypeError', new TypeError('x')],
    ['a passport-oauth2 TokenError', new TokenError('x', 'invalid_grant')],
    ['an object that looks like one', { code: 'invalid_grant', retryable: false, reauthenticate: true }],
    ['null', null],
    ['a string', 'invalid_grant'],
  ])('isJustLoginError is false for %s', (_what, value) => {
    expect(isJustLoginError(value)).toBe(false);
  });
});

describe('what a refresh fails with, from a real token endpoint', () => {
  let server: TokenServer;
  let refresher: JustLoginRefresher;

  beforeEach(async () => {
    server = await TokenServer.start();
    refresher = new JustLoginRefresher({
      clientID: 'client-id',
      clientSecret: 'client-secret-Qz4',
      tokenURL: server.url,
    });
  });
  afterEach(() => server.stop());

  const failure = () => refresher.refresh({ refreshToken: 'refresh-token-Hs8' }).catch((error: unknown) => error);

  it('a refused refresh token: sign in again', async () => {
    server.reply({ status: 400, body: { error: 'invalid_grant' } });
    const error = await failure();
    expect(isJustLoginError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_grant', retryable: false, reauthenticate: true });
  });

  it('JustLogin unavailable: try again later, the user stays signed in', async () => {
    server.reply({ status: 503, headers: { 'Content-Type': 'text/html' }, body: '<h1>Unavailable</h1>' });
    const error = await failure();
    expect(isJustLoginError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'EHTTPSTATUS', retryable: true, reauthenticate: false });
  });

  it('no refresh token: sign in again, without a request', async () => {
    const error = await refresher.refresh({ refreshToken: '' }).catch((thrown: unknown) => thrown);
    expect(isJustLoginError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'no_refresh_token', retryable: false, reauthenticate: true });
    expect(server.requests).toHaveLength(0);
  });
});
