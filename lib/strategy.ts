import type { Request } from 'express';
import OAuth2Strategy from 'passport-oauth2';
import { allowsInsecureRequests, checkHttpURL, JWKS_PATH, resolveEndpoints, type EndpointOptions } from './endpoints';
import { JustLoginRequestError, JustLoginTokenError } from './errors';
import { TokenEndpoint, type TokenResponse } from './http';
import { validateIdToken } from './id-token';
import { IdTokenSignature } from './id-token-signature';
import { newNonce, NonceStateStore, takeExpectedNonce } from './nonce';
import { parseProfile, type JustLoginProfile } from './profile';
import { SessionStateStore, type JustLoginStateStore, type StateStoreMeta } from './state-store';
import type { JustLoginTokenParams } from './token-set';

/** Passport's `done` for a verify callback. */
export type JustLoginVerifyCallback = (err?: unknown, user?: Express.User | false, info?: object) => void;

/** `(accessToken, refreshToken, profile, done)` */
export type JustLoginVerifyWithProfile = (
  accessToken: string,
  refreshToken: string,
  profile: JustLoginProfile,
  done: JustLoginVerifyCallback,
) => void;

/** `(accessToken, refreshToken, params, profile, done)`: `params` is the token response. */
export type JustLoginVerifyWithParams = (
  accessToken: string,
  refreshToken: string,
  params: JustLoginTokenParams,
  profile: JustLoginProfile,
  done: JustLoginVerifyCallback,
) => void;

/** `(req, accessToken, refreshToken, profile, done)`, with `passReqToCallback: true`. */
export type JustLoginVerifyWithRequestAndProfile = (
  req: Request,
  accessToken: string,
  refreshToken: string,
  profile: JustLoginProfile,
  done: JustLoginVerifyCallback,
) => void;

/** `(req, accessToken, refreshToken, params, profile, done)`, with `passReqToCallback: true`. */
export type JustLoginVerifyWithRequestAndParams = (
  req: Request,
  accessToken: string,
  refreshToken: string,
  params: JustLoginTokenParams,
  profile: JustLoginProfile,
  done: JustLoginVerifyCallback,
) => void;

/** Any verify callback without `req`. */
export type JustLoginVerify = JustLoginVerifyWithProfile | JustLoginVerifyWithParams;

/** Any verify callback with `req` first. */
export type JustLoginVerifyWithRequest = JustLoginVerifyWithRequestAndProfile | JustLoginVerifyWithRequestAndParams;

/** Options shared by both forms of {@link JustLoginStrategy}. */
export interface JustLoginStrategyOptionsBase extends EndpointOptions {
  /** The Client Id JustLogin issued. */
  clientID: string;
  /** The Client Secret JustLogin issued; sent only in token request bodies. */
  clientSecret: string;
  /** The callback URL registered with JustLogin (absolute, or a path resolved against the request). */
  callbackURL: string;
  /** Extra scopes; `openid` is always sent. Default `openid`. */
  scope?: string | string[];
  /** CSRF `state` (default `true`; needs a session unless `store` is given). */
  state?: boolean;
  /** PKCE with S256 (default `true` when `state` is on). */
  pkce?: boolean;
  /**
   * A state store used instead of the session, e.g. `CookieStateStore`. A store
   * that keeps the state object (five-argument `store`) also keeps the nonce.
   */
  store?: JustLoginStateStore | OAuth2Strategy.StateStore;
  /** Session key for the state (default `oauth2:<authorize host>`). */
  sessionKey?: string;
  /** Milliseconds before an unanswered token request fails with `ETIMEDOUT` (default 10000). */
  timeout?: number;
  /** When set, the id_token's `iss` must equal it. */
  issuer?: string;
  /** Verify the id_token's signature against JustLogin's JWKS (default `false`; loads `jose`). */
  verifyIdTokenSignature?: boolean;
  /** Where JustLogin's keys are (default `<base>/v1/auth/.well-known/openid-configuration/jwks`). */
  jwksURL?: string;
  /** Seconds of clock difference tolerated on id_token `exp` and `iat` (default 60). */
  clockTolerance?: number;
  /** Do not build a profile (verify gets `undefined`) and accept a response without id_token. */
  skipUserProfile?: boolean;
  /** Trust `X-Forwarded-*` headers when resolving a relative `callbackURL`. */
  proxy?: boolean;
}

/** Options of {@link JustLoginStrategy} whose verify callback does not take `req`. */
export interface JustLoginStrategyOptions extends JustLoginStrategyOptionsBase {
  passReqToCallback?: false;
}

/** Options of {@link JustLoginStrategy} whose verify callback takes `req` first. */
export interface JustLoginStrategyOptionsWithRequest extends JustLoginStrategyOptionsBase {
  /** Pass `req` as the verify callback's first argument. */
  passReqToCallback: true;
}

/** What passport-oauth2's constructor keeps on the strategy and its callback path reads. */
interface OAuth2StrategyInternals {
  _stateStore: OAuth2Strategy.StateStore;
  _callbackURL?: string;
  _trustProxy?: boolean;
}

type TokenCallback = (err: unknown, accessToken?: string, refreshToken?: string, params?: JustLoginTokenParams) => void;

/**
 * Passport strategy that signs users in with JustLogin: OAuth 2.0
 * authorization code flow with scope `openid`, client credentials in the
 * token request body, `state` and PKCE on by default, and a profile built
 * from the validated id_token without another request.
 *
 * @example
 * passport.use(new JustLoginStrategy({
 *   clientID: process.env.JUSTLOGIN_CLIENT_ID,
 *   clientSecret: process.env.JUSTLOGIN_CLIENT_SECRET,
 *   callbackURL: 'https://app.example.com/auth/justlogin/callback',
 * }, (accessToken, refreshToken, params, profile, done) => done(null, { id: profile.id })));
 */
export class JustLoginStrategy extends OAuth2Strategy {
  // Passport 0.7 runs each request on Object.create(strategy), so state lives
  // in ordinary properties: #private fields would not be reachable there.
  /** @internal The token endpoint client shared with `JustLoginRefresher.fromStrategy`. */
  readonly _tokenEndpoint: TokenEndpoint;
  private readonly _appVerify: JustLoginVerify | JustLoginVerifyWithRequest;
  private readonly _verifyTakesRequest: boolean;
  private readonly _scopes: string[];
  private readonly _authorizationURL: string;
  private readonly _issuer?: string;
  private readonly _clockTolerance: number;
  private readonly _skipProfile: boolean;
  private readonly _sendsNonce: boolean;
  private readonly _signature?: IdTokenSignature;

  constructor(options: JustLoginStrategyOptions, verify: JustLoginVerifyWithProfile);
  constructor(options: JustLoginStrategyOptions, verify: JustLoginVerifyWithParams);
  constructor(options: JustLoginStrategyOptionsWithRequest, verify: JustLoginVerifyWithRequestAndProfile);
  constructor(options: JustLoginStrategyOptionsWithRequest, verify: JustLoginVerifyWithRequestAndParams);
  constructor(
    options: JustLoginStrategyOptions | JustLoginStrategyOptionsWithRequest,
    verify: JustLoginVerify | JustLoginVerifyWithRequest,
  ) {
    const settings = checkOptions(options, verify);
    super(
      {
        authorizationURL: settings.authorizationURL,
        tokenURL: settings.tokenURL,
        clientID: options.clientID,
        // node-oauth would keep the secret in `_oauth2._clientSecret`, visible to util.inspect and
        // JSON.stringify; only its getOAuthAccessToken reads it, and that is replaced below.
        clientSecret: '',
        callbackURL: options.callbackURL,
        scope: settings.scope,
        state: settings.state,
        pkce: settings.pkce,
        store: settings.store as OAuth2Strategy.StateStore | undefined,
        proxy: options.proxy,
        skipUserProfile: true,
        passReqToCallback: true,
      },
      // passport-oauth2 calls this as `strategy._verify(req, accessToken, refreshToken, params, profile, done)`:
      // six parameters, so it always passes req and params; the app's verify is then called as it asks.
      function (
        this: JustLoginStrategy,
        req: Request,
        accessToken: string,
        refreshToken: string,
        params: JustLoginTokenParams,
        _profile: undefined,
        done: JustLoginVerifyCallback,
      ) {
        this._completeSignIn(req, accessToken, refreshToken, params, done);
      },
    );
    this.name = 'justlogin';
    this._appVerify = verify;
    this._verifyTakesRequest = options.passReqToCallback === true;
    this._scopes = settings.scope;
    this._authorizationURL = settings.authorizationURL;
    this._issuer = options.issuer;
    this._clockTolerance = settings.clockTolerance;
    this._skipProfile = options.skipUserProfile === true;
    this._sendsNonce = settings.store instanceof NonceStateStore;
    if (options.verifyIdTokenSignature) {
      this._signature = new IdTokenSignature(settings.jwksURL, settings.tokenEndpoint.timeout);
    }
    this._tokenEndpoint = settings.tokenEndpoint;
    // passport-oauth2 exchanges the code through node-oauth, which has no
    // timeout, no size limit and follows 3xx as success; use our client instead.
    const exchange = (code: string, params: Record<string, string>, callback: TokenCallback) =>
      this._exchangeCode(code, params, callback);
    this._oauth2.getOAuthAccessToken = exchange as typeof this._oauth2.getOAuthAccessToken;
  }

  /**
   * Starts the sign-in (redirect to JustLogin) or completes it (the callback
   * with `code`). `options.scope` adds scopes for this request; `openid` stays.
   */
  override authenticate(req: Request, options: { scope?: string | string[]; [key: string]: unknown } = {}): void {
    const query = paramsOf(req.query); // Express 5 parses the query string again on every read
    const response = authorizationResponse(query, req.body);
    const problem = response && malformedResponse(response);
    if (problem) {
      this.fail({ message: `Malformed authorization response: ${problem}` }, 400);
      return;
    }
    if (response && ('error' in response || this._fromOtherIssuer(response.iss))) {
      this._refuseResponse(req, options, response);
      return;
    }
    const scope = options.scope === undefined ? this._scopes : normalizeScope(options.scope);
    if (!response && this._sendsNonce && typeof options.state !== 'string') {
      const appState = typeof options.state === 'object' && options.state !== null ? options.state : {};
      super.authenticate(req, { ...options, scope, state: { ...appState, nonce: newNonce() } });
      return;
    }
    super.authenticate(req, { ...options, scope });
  }

  /** True when the response names an issuer (RFC 9207 `iss`) other than the configured `issuer`. */
  private _fromOtherIssuer(iss: unknown): boolean {
    return this._issuer !== undefined && iss !== undefined && iss !== this._issuer;
  }

  /**
   * Answers an authorization response whose code is not exchanged (an error, or
   * one from another issuer). Its `state` is checked and used up first, as for a
   * code (RFC 9700 §4.7): a forged response fails with the state failure and
   * nothing in it reaches the app.
   */
  private _refuseResponse(req: Request, options: Params, response: Params): void {
    this._verifyState(req, options, response.state, (err, ok, info) => {
      if (err) return this.error(err);
      if (!ok) return this.fail(info as { message?: string }, 403);
      if (this._fromOtherIssuer(response.iss)) {
        return this.fail({ message: 'The authorization response came from an issuer other than `issuer`' }, 403);
      }
      this._authorizationError(response.error as string, response.error_description, response.error_uri);
    });
  }

  /** Runs passport-oauth2's state store on `handle`, with the meta passport-oauth2 gives it on a callback. */
  private _verifyState(
    req: Request,
    options: Params,
    handle: unknown,
    callback: (err: Error | null, ok: unknown, info?: unknown) => void,
  ): void {
    const internals = this as unknown as OAuth2StrategyInternals;
    let callbackURL = typeof options.callbackURL === 'string' ? options.callbackURL : internals._callbackURL;
    if (callbackURL && !URL.canParse(callbackURL)) {
      callbackURL = new URL(callbackURL, originalURL(req, internals._trustProxy)).href;
    }
    const meta: StateStoreMeta = {
      authorizationURL: this._authorizationURL,
      tokenURL: this._tokenEndpoint.tokenURL,
      clientID: this._tokenEndpoint.clientID,
      callbackURL,
    };
    const store = internals._stateStore;
    try {
      if (store.verify.length === 4) store.verify(req, handle as string, meta, callback);
      else store.verify(req, handle as string, callback);
    } catch (error) {
      this.error(error);
    }
  }

  /**
   * Reports an authorization error whose state was valid: `access_denied` (the
   * user said No) fails the sign-in; any other error is an `AuthorizationError`
   * with the description's control characters replaced and only an http(s) `error_uri`.
   */
  private _authorizationError(error: string, description: unknown, uri: unknown): void {
    if (!OAUTH_ERROR_CODE.test(error)) {
      this.fail({ message: 'Malformed authorization response: error is not an OAuth 2.0 error code' }, 400);
      return;
    }
    if (error === 'access_denied') {
      this.fail({ message: 'The user did not allow the sign-in with JustLogin' });
      return;
    }
    const text = typeof description === 'string' ? withoutControlCharacters(description).slice(0, 300) : '';
    const message = text || `JustLogin answered the authorization request with ${error}`;
    this.error(new OAuth2Strategy.AuthorizationError(message, error, httpURL(uri)));
  }

  /** Adds the nonce that travels in the stored state to the authorization request. */
  override authorizationParams(options: { state?: unknown }): object {
    const nonce = (options.state as { nonce?: unknown } | undefined)?.nonce;
    return this._sendsNonce && typeof nonce === 'string' ? { nonce } : {};
  }

  /** Keeps errors from the token endpoint as they are (with `code` and `status`). */
  _createOAuthError(message: string, err: unknown): Error {
    if (err instanceof JustLoginTokenError || err instanceof JustLoginRequestError) return err;
    return new OAuth2Strategy.InternalOAuthError(message, err);
  }

  private _exchangeCode(code: string, params: Record<string, string>, callback: TokenCallback): void {
    // params holds grant_type, redirect_uri and code_verifier, as passport-oauth2 built them.
    this._tokenEndpoint.request({ ...params, code }).then(
      (response: TokenResponse) => {
        const { access_token, refresh_token, ...rest } = response;
        callback(null, access_token, refresh_token, rest);
      },
      (error: unknown) => callback(error),
    );
  }

  private _completeSignIn(
    req: Request,
    accessToken: string,
    refreshToken: string,
    params: JustLoginTokenParams,
    done: JustLoginVerifyCallback,
  ): void {
    this._checkIdToken(req, params.id_token).then((profile) => {
      const verify = this._appVerify as (...args: unknown[]) => void;
      const withParams = verify.length === (this._verifyTakesRequest ? 6 : 5);
      const args: unknown[] = withParams
        ? [accessToken, refreshToken, params, profile, done]
        : [accessToken, refreshToken, profile, done];
      if (this._verifyTakesRequest) args.unshift(req);
      try {
        verify(...args);
      } catch (error) {
        done(error);
      }
    }, done);
  }

  /** Validates the id_token (signature when asked, claims, nonce) and builds the profile. */
  private async _checkIdToken(req: Request, idToken: unknown): Promise<JustLoginProfile | undefined> {
    const nonce = takeExpectedNonce(req);
    if (this._skipProfile && idToken === undefined) return undefined;
    const { claims, raw } = validateIdToken(idToken, {
      clientID: this._tokenEndpoint.clientID,
      issuer: this._issuer,
      clockTolerance: this._clockTolerance,
      nonce,
    });
    if (this._signature) await this._signature.verify(idToken as string);
    return this._skipProfile ? undefined : parseProfile(claims, raw);
  }
}

/** Longest authorization code accepted on the callback. */
const MAX_CODE_LENGTH = 2048;

type Params = Record<string, unknown>;

function paramsOf(value: unknown): Params {
  return typeof value === 'object' && value !== null ? (value as Params) : {};
}

/**
 * RFC 6749's `error`: `%x20-21 / %x23-5B / %x5D-7E` (printable ASCII without `"`
 * and `\\`), here at most 64 characters.
 */
const OAUTH_ERROR_CODE = /^[\x20\x21\x23-\x5b\x5d-\x7e]{1,64}$/;

/** The authorization response the request carries (code, state or error), or `undefined` when it starts a sign-in. */
function authorizationResponse(query: Params, body: unknown): Params | undefined {
  if ('code' in query || 'state' in query || 'error' in query) return query;
  const form = paramsOf(body);
  return 'code' in form ? form : undefined;
}

/** Why the authorization response cannot be used, or `undefined`. */
function malformedResponse(response: Params): string | undefined {
  for (const name of ['state', 'iss'] as const) {
    if (response[name] !== undefined && typeof response[name] !== 'string') return `${name} must appear once`;
  }
  if ('error' in response) {
    return typeof response.error === 'string' && response.error !== '' ? undefined : 'error must appear once';
  }
  const { code } = response;
  if (code !== undefined && typeof code !== 'string') return 'code must appear once';
  if (typeof code !== 'string' || code === '') return 'no authorization code';
  if (code.length > MAX_CODE_LENGTH) return `authorization code longer than ${MAX_CODE_LENGTH} characters`;
  return undefined;
}

/** `text` with every run of control characters (C0, DEL, C1, line and paragraph separators) made one space. */
function withoutControlCharacters(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
}

/** The URL the client asked for, with protocol and host, exactly as passport-oauth2's `utils.originalURL` builds it. */
function originalURL(req: Request, trustProxy: boolean | undefined): string {
  const proxy = trustProxy || Boolean(typeof req.app?.get === 'function' && req.app.get('trust proxy'));
  const forwardedProto = String(req.headers['x-forwarded-proto'] ?? '')
    .toLowerCase()
    .split(/\s*,\s*/)[0];
  const tls = (req.socket as { encrypted?: boolean } | undefined)?.encrypted || (proxy && forwardedProto === 'https');
  const host = (proxy && req.headers['x-forwarded-host']) || req.headers.host;
  return `${tls ? 'https' : 'http'}://${String(host)}${req.url ?? ''}`;
}

/** `value` when it is an http(s) URL, else `undefined`. */
function httpURL(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
}

/** Sends `openid` plus the requested scopes, each once. */
function normalizeScope(scope: string | string[] | undefined): string[] {
  const requested = Array.isArray(scope) ? scope : typeof scope === 'string' ? scope.split(/\s+/) : [];
  return [...new Set(['openid', ...requested.filter((s) => typeof s === 'string' && s !== '')])];
}

/** An absolute http(s) URL, or a path on the app's own host (not `//host`, which browsers read as a host). */
function isCallbackURL(value: string): boolean {
  if (value.startsWith('/')) return !/^\/[/\\]/.test(value);
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function checkOptions(options: JustLoginStrategyOptionsBase, verify: unknown) {
  if (!options || typeof options !== 'object') {
    throw new TypeError('JustLoginStrategy: options are required');
  }
  if (typeof options.callbackURL !== 'string' || options.callbackURL === '') {
    throw new TypeError('JustLoginStrategy: `callbackURL` is required');
  }
  if (!isCallbackURL(options.callbackURL)) {
    throw new TypeError("JustLoginStrategy: `callbackURL` must be an http(s) URL or a path starting with '/'");
  }
  if (typeof verify !== 'function') {
    throw new TypeError('JustLoginStrategy: a verify callback is required');
  }
  const clockTolerance = options.clockTolerance ?? 60;
  if (typeof clockTolerance !== 'number' || !(clockTolerance >= 0) || !Number.isFinite(clockTolerance)) {
    throw new TypeError('JustLoginStrategy: `clockTolerance` must be a number of seconds, 0 or more');
  }
  const state = options.state ?? true;
  const pkce = options.pkce ?? state;
  if (pkce && !state && !options.store) {
    throw new TypeError('JustLoginStrategy: `pkce` needs `state` (or a `store`) to keep the code verifier');
  }
  const endpoints = resolveEndpoints(options);
  const tokenEndpoint = new TokenEndpoint({
    clientID: options.clientID,
    clientSecret: options.clientSecret,
    tokenURL: endpoints.tokenURL,
    timeout: options.timeout,
  });
  let jwksURL = endpoints.baseURL + JWKS_PATH;
  if (options.jwksURL !== undefined) {
    jwksURL = checkHttpURL(options.jwksURL, 'jwksURL', allowsInsecureRequests(options));
  }
  const sessionStore = state
    ? new SessionStateStore(options.sessionKey ?? `oauth2:${new URL(endpoints.authorizationURL).hostname}`)
    : undefined;
  const inner = options.store ?? sessionStore;
  const keepsState = inner !== undefined && inner.store.length === 5 && inner.verify.length === 4;
  const store = keepsState ? new NonceStateStore(inner as JustLoginStateStore) : inner;
  if (options.skipUserProfile !== undefined && typeof options.skipUserProfile !== 'boolean') {
    throw new TypeError('JustLoginStrategy: `skipUserProfile` must be a boolean');
  }
  return {
    ...endpoints,
    tokenEndpoint,
    jwksURL,
    store,
    scope: normalizeScope(options.scope),
    state,
    pkce,
    clockTolerance,
  };
}
