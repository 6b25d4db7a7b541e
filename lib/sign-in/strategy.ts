import { createHash } from 'node:crypto';
import type { Agent } from 'node:http';
import { stringify, parse as parseQuery, type ParsedUrlQueryInput } from 'node:querystring';
import OAuth2Strategy from 'passport-oauth2';
import {
  CLIENT_PART,
  clientOf,
  clientOperations,
  type JustLoginClient,
  type JustLoginClientOptions,
  type JustLoginClientReference,
} from '../client/client';
import { observeSignIn } from '../diagnostics';
import { JustLoginAuthorizationError, JustLoginOptionsError, type JustLoginFailure } from '../errors';
import { oauthError } from '../oauth-error';
import { credentialsProblem } from '../client/endpoints';
import { readOptions, rules, type OptionSpec } from '../client/options';
import { parseProfile, type JustLoginProfile } from './profile';
import type { PassportRequestLike } from './passport-request';
import {
  keepsNonce,
  randomToken,
  SessionStateStore,
  stateStoreProblem,
  storeState,
  verifyState,
  type AnyStateStore,
  type JustLoginStateStore,
  type StateStoreMeta,
} from './state-store';
import type { JustLoginTokenParams } from '../token-set';

/**
 * Passport's `done` for a verify callback.
 *
 * @group Sign-in
 */
export type JustLoginVerifyCallback = (err?: unknown, user?: Express.User | false, info?: object) => void;

/**
 * What a verify callback gets as `profile`: the profile, or `undefined` with `skipUserProfile: true`.
 *
 * @inline
 */
type ProfileArgument = JustLoginProfile | undefined;

/**
 * `(accessToken, refreshToken, profile, done)`. `refreshToken` is `undefined`
 * when JustLogin issued none.
 *
 * @group Sign-in
 */
export type JustLoginVerifyWithProfile<Profile extends ProfileArgument = JustLoginProfile> = (
  accessToken: string,
  refreshToken: string | undefined,
  profile: Profile,
  done: JustLoginVerifyCallback,
) => void;

/**
 * `(accessToken, refreshToken, params, profile, done)`: `params` is the token response.
 *
 * @group Sign-in
 */
export type JustLoginVerifyWithParams<Profile extends ProfileArgument = JustLoginProfile> = (
  accessToken: string,
  refreshToken: string | undefined,
  params: JustLoginTokenParams,
  profile: Profile,
  done: JustLoginVerifyCallback,
) => void;

// The forms with `req` are declared as methods, so that a callback may name its framework's
// request type (e.g. `req: express.Request`) for the structural PassportRequestLike.

/**
 * `(req, accessToken, refreshToken, profile, done)`, with `passReqToCallback: true`.
 *
 * @group Sign-in
 */
export type JustLoginVerifyWithRequestAndProfile<Profile extends ProfileArgument = JustLoginProfile> = {
  /** The verify callback. */
  verify(
    req: PassportRequestLike,
    accessToken: string,
    refreshToken: string | undefined,
    profile: Profile,
    done: JustLoginVerifyCallback,
  ): void;
}['verify'];

/**
 * `(req, accessToken, refreshToken, params, profile, done)`, with `passReqToCallback: true`.
 *
 * @group Sign-in
 */
export type JustLoginVerifyWithRequestAndParams<Profile extends ProfileArgument = JustLoginProfile> = {
  /** The verify callback. */
  verify(
    req: PassportRequestLike,
    accessToken: string,
    refreshToken: string | undefined,
    params: JustLoginTokenParams,
    profile: Profile,
    done: JustLoginVerifyCallback,
  ): void;
}['verify'];

/**
 * Any verify callback without `req`. Written inline, the five-argument form
 * is typed for you; TypeScript types an inline callback only when a single
 * form has as many parameters as it, so the four-argument form needs its name:
 * `const verify: JustLoginVerifyWithProfile = (accessToken, refreshToken, profile, done) => …`.
 *
 * @group Sign-in
 */
export type JustLoginVerify<Profile extends ProfileArgument = JustLoginProfile> =
  JustLoginVerifyWithProfile<Profile> | JustLoginVerifyWithParams<Profile>;

/**
 * Any verify callback with `req` first; written inline, the six-argument form is typed for you.
 *
 * @group Sign-in
 */
export type JustLoginVerifyWithRequest<Profile extends ProfileArgument = JustLoginProfile> =
  JustLoginVerifyWithRequestAndProfile<Profile> | JustLoginVerifyWithRequestAndParams<Profile>;

/**
 * The strategy's own options, beside those of its {@link JustLoginClient}.
 *
 * @inline
 */
export interface JustLoginStrategyOwnOptions {
  /**
   * The callback URL registered with JustLogin (absolute, or a path resolved
   * against the request). `undefined` (an unset environment variable) throws a
   * `JustLoginOptionsError` naming it.
   */
  callbackURL: string | undefined;
  /** Extra scopes; `openid` is always sent. Default `openid`. */
  scope?: string | string[];
  /** CSRF `state` (default `true`; needs a session unless `store` is given). */
  state?: boolean;
  /** PKCE with S256 (default `true` when `state` is on). */
  pkce?: boolean;
  /**
   * A state store used instead of the session, e.g. `CookieStateStore`: called with every argument
   * of {@link JustLoginStateStore}, it keeps the nonce in the state object. A passport-oauth2 store
   * of a shorter form says `keepsNonce: false`; it then gets no nonce.
   */
  store?:
    | JustLoginStateStore
    | (OAuth2Strategy.StateStore & {
        /** This store takes passport-oauth2's shorter forms and gets no nonce. */
        readonly keepsNonce: false;
      });
  /** Session key for the state (default `oauth2:<authorize host>`). */
  sessionKey?: string;
  /** Do not build a profile (verify gets `undefined`) and accept a response without id_token. */
  skipUserProfile?: boolean;
  /** Trust `X-Forwarded-*` headers when resolving a relative `callbackURL`. */
  proxy?: boolean;
}

/**
 * Options shared by both forms of {@link JustLoginStrategy}: a `client`, or the options to build one, and the strategy's own.
 *
 * @inline
 */
export type JustLoginStrategyOptionsBase = (JustLoginClientOptions | JustLoginClientReference) &
  JustLoginStrategyOwnOptions;

/**
 * Options of {@link JustLoginStrategy} whose verify callback does not take `req`.
 *
 * @group Sign-in
 */
export type JustLoginStrategyOptions = JustLoginStrategyOptionsBase & {
  /** Absent or false: the verify callback does not take `req`. */
  passReqToCallback?: false;
  /** Absent or false: the verify callback gets the profile. */
  skipUserProfile?: false;
};

/**
 * Options of {@link JustLoginStrategy} whose verify callback takes `req` first.
 *
 * @group Sign-in
 */
export type JustLoginStrategyOptionsWithRequest = JustLoginStrategyOptionsBase & {
  /** Pass `req` as the verify callback's first argument. */
  passReqToCallback: true;
  /** Absent or false: the verify callback gets the profile. */
  skipUserProfile?: false;
};

/**
 * Options of {@link JustLoginStrategy} that builds no profile: the verify callback gets `undefined` for it.
 *
 * @group Sign-in
 */
export type JustLoginStrategyOptionsWithoutProfile = JustLoginStrategyOptionsBase & {
  /** Build no profile. */
  skipUserProfile: true;
};

/** What the callback hands passport once its work is done: the verify call, a failure or an error. */
type Outcome = () => void;

/**
 * Passport strategy that signs users in with JustLogin: OAuth 2.0
 * authorization code flow with scope `openid`, client credentials in the
 * token request body, `state`, PKCE and a nonce on by default, and a profile
 * built from the validated id_token without another request.
 *
 * Takes a shared {@link JustLoginClient} as `client`, or the options to build
 * one (`clientID`, `clientSecret`, `environment`, …) beside its own. Also
 * exported as `Strategy`, the name Passport strategies are exported under.
 *
 * @example
 * passport.use(new JustLoginStrategy({
 *   clientID: process.env.JUSTLOGIN_CLIENT_ID,
 *   clientSecret: process.env.JUSTLOGIN_CLIENT_SECRET,
 *   callbackURL: 'https://app.example.com/auth/justlogin/callback',
 * }, (accessToken, refreshToken, params, profile, done) => done(null, { id: profile.id })));
 *
 * @group Sign-in
 */
export class JustLoginStrategy extends OAuth2Strategy {
  /** The JustLogin client this strategy signs in with; `JustLoginRefresher.fromStrategy` renews with it. */
  readonly client: JustLoginClient;
  // Passport 0.7 runs each request on Object.create(strategy), so state lives
  // in ordinary properties: #private fields would not be reachable there.
  /** @internal */
  private readonly _appVerify: (...args: never[]) => void;
  /** @internal */
  private readonly _verifyTakesRequest: boolean;
  /** @internal */
  private readonly _scopes: string[];
  /** @internal */
  private readonly _skipProfile: boolean;
  /** @internal Where the state waits; `undefined` with `state: false` and no `store`. */
  private readonly _store: AnyStateStore | undefined;
  /** @internal */
  private readonly _sendsNonce: boolean;
  /** @internal The `callbackURL` option: absolute, or resolved against each request. */
  private readonly _callbackURLOption: string;
  /** @internal Trust `X-Forwarded-*` (the `proxy` option). */
  private readonly _proxy: boolean;
  /** @internal */
  private readonly _pkce: boolean;
  /** @internal The authorize endpoint without its query, and its query's parameters. */
  private readonly _authorizeAt: { endpoint: string; query: ParsedUrlQueryInput };

  // One signature per options form: an inline callback is typed by the form with as many
  // parameters (`passReqToCallback` and `skipUserProfile` pick the signature).
  constructor(options: JustLoginStrategyOptions, verify: JustLoginVerify);
  constructor(options: JustLoginStrategyOptionsWithRequest, verify: JustLoginVerifyWithRequest);
  constructor(
    options: JustLoginStrategyOptionsWithoutProfile & { passReqToCallback?: false },
    verify: JustLoginVerify<undefined>,
  );
  constructor(
    options: JustLoginStrategyOptionsWithoutProfile & { passReqToCallback: true },
    verify: JustLoginVerifyWithRequest<undefined>,
  );
  constructor(
    options: JustLoginStrategyOptionsBase & { passReqToCallback?: boolean },
    verify: (...args: never[]) => void,
  ) {
    const settings = strategySettings(options, verify);
    const { client } = settings;
    // From passport-oauth2 the strategy uses what it documents: the constructor's endpoints and
    // client id, with an empty `clientSecret` (its types require one; the client exchanges the code,
    // so node-oauth, which would show the secret to util.inspect, never needs it), and the
    // `authorizationParams` and `tokenParams` hooks. The sign-in, its state store, callback URL and
    // proxy setting are this class's own. One member is not documented: `_oauth2`, protected for
    // subclasses in its types, whose `setAgent` (passport-oauth2's way to set a proxy) is pointed at
    // the client's transport below.
    super(
      {
        authorizationURL: client.authorizationURL,
        tokenURL: client.tokenURL,
        clientID: client.clientID,
        clientSecret: '',
      },
      verify as OAuth2Strategy.VerifyFunction,
    );
    this.name = 'justlogin';
    this.client = client;
    this._appVerify = verify;
    this._verifyTakesRequest = settings.passReqToCallback;
    this._scopes = settings.scope;
    this._skipProfile = settings.skipUserProfile;
    this._store = settings.store;
    this._sendsNonce = keepsNonce(settings.store);
    this._callbackURLOption = settings.callbackURL;
    this._proxy = settings.proxy;
    this._pkce = settings.pkce;
    const authorize = new URL(client.authorizationURL);
    this._authorizeAt = { endpoint: authorize.href.split(/[?#]/)[0], query: parseQuery(authorize.search.slice(1)) };
    // passport-oauth2's way to set a proxy: every request to JustLogin goes through the client's transport.
    this._oauth2.setAgent = (agent: Agent) => clientOperations(client).setAgent(agent);
  }

  /**
   * Starts the sign-in (redirect to JustLogin) or completes it (the callback
   * with `code`). `options.scope` adds scopes for this request; `openid` stays.
   * The end of every callback is published on `passport-justlogin:sign-in`.
   */
  override authenticate(
    req: PassportRequestLike,
    options: { scope?: string | string[]; [key: string]: unknown } = {},
  ): void {
    const query = paramsOf(req.query); // Express 5 parses the query string again on every read
    const response = authorizationResponse(query, req.body);
    if (response) {
      observeSignIn(this)._callback(req, options, response);
      return;
    }
    const scope = options.scope === undefined ? this._scopes : normalizeScope(options.scope);
    if (this._sendsNonce && typeof options.state !== 'string') {
      // The nonce travels in the stored state and comes back with it on the callback.
      const appState = typeof options.state === 'object' && options.state !== null ? options.state : {};
      this._authorize(req, { ...options, state: { ...appState, nonce: newNonce() } }, scope);
      return;
    }
    this._authorize(req, options, scope);
  }

  /** Adds the nonce that travels in the stored state to the authorization request. */
  override authorizationParams(options: { state?: unknown }): object {
    const nonce = (options.state as { nonce?: unknown } | undefined)?.nonce;
    return this._sendsNonce && typeof nonce === 'string' ? { nonce } : {};
  }

  /**
   * @internal Starts the sign-in as passport-oauth2 does (the same parameters in
   * the same order, the same state-store calls), with the callback URL resolved
   * as the callback resolves it, so that both name the same `redirect_uri`.
   */
  private _authorize(req: PassportRequestLike, options: Params, scope: string[]): void {
    const meta = this._stateStoreMeta(req, options);
    if (!meta) return;
    const params: Params = { ...(this.authorizationParams(options) as Params) };
    params.response_type = 'code';
    if (meta.callbackURL) params.redirect_uri = meta.callbackURL;
    params.scope = scope.join(' ');
    let verifier: string | undefined;
    if (this._pkce) {
      verifier = randomToken(32);
      params.code_challenge = createHash('sha256').update(verifier).digest('base64url');
      params.code_challenge_method = 'S256';
    }
    const redirect = (state: unknown) => {
      if (state) params.state = state;
      const { endpoint, query } = this._authorizeAt;
      this.redirect(`${endpoint}?${stringify({ ...query, ...params, client_id: this.client.clientID })}`);
    };
    const { state } = options;
    if (typeof state === 'string' && state !== '') {
      redirect(state); // the app's own state, as passport-oauth2 sends it: nothing is stored
      return;
    }
    const stored = (err: Error | null, handle?: unknown) => (err ? this.error(err) : redirect(handle));
    try {
      storeState(this._store, req, verifier, state as Params | undefined, meta, stored);
    } catch (error) {
      this.error(error);
    }
  }

  /**
   * @internal Completes the sign-in in one pass: the response is checked, its
   * `state` checked and used up before anything in it is acted on (RFC 9700
   * §4.7), then `iss`, an error, the code exchange, the id_token and the app's verify.
   */
  private _callback(req: PassportRequestLike, options: Params, response: Params): void {
    const problem = malformedResponse(response);
    if (problem) {
      this.fail(failure('EBADCALLBACK', `Malformed authorization response: ${problem}`), 400);
      return;
    }
    const meta = this._stateStoreMeta(req, options);
    if (!meta) return;
    const loaded = (err: Error | null, ok: unknown, stored?: unknown) => {
      if (err) return this.error(err);
      if (!ok) return this.fail(stateFailure(stored), 403);
      const { nonce, appState } = this._splitState(stored);
      const verifier = typeof ok === 'string' ? ok : undefined;
      this._signIn(req, options, response, { callbackURL: meta.callbackURL, verifier, nonce, appState }).then(
        (outcome) => outcome(),
        (error: unknown) => this.error(error),
      );
    };
    try {
      verifyState(this._store, req, response.state as string, meta, loaded);
    } catch (error) {
      this.error(error);
    }
  }

  /**
   * @internal After the state: refuses a response from another issuer (RFC 9207)
   * or an error response, else exchanges the code through the client and checks
   * the id_token with the nonce of this sign-in. Returns what to tell passport.
   */
  private async _signIn(
    req: PassportRequestLike,
    options: Params,
    response: Params,
    pending: PendingSignIn,
  ): Promise<Outcome> {
    const operations = clientOperations(this.client);
    // The issuer (with discovery, read now) is needed for a code, or to compare an `iss`.
    if (response.iss !== undefined || !('error' in response)) {
      const issuer = await operations.expectedIssuer();
      if (issuer !== undefined && response.iss !== undefined && response.iss !== issuer) {
        return () =>
          this.fail(failure('EBADISSUER', 'The authorization response came from an issuer other than `issuer`'), 403);
      }
    }
    if ('error' in response) {
      return () => this._authorizationError(response);
    }
    const params: Record<string, string> = { ...(this.tokenParams(options) as Record<string, string>) };
    params.grant_type = 'authorization_code';
    if (pending.callbackURL) params.redirect_uri = pending.callbackURL;
    if (pending.verifier) params.code_verifier = pending.verifier;
    params.code = response.code as string;
    const { access_token, refresh_token, ...rest } = await operations.tokenRequest(params);
    let profile: JustLoginProfile | undefined;
    if (!this._skipProfile || rest.id_token !== undefined) {
      const { claims, raw } = await operations.checkIdToken(rest.id_token, pending.nonce);
      if (!this._skipProfile) {
        profile = parseProfile(claims, raw, await operations.checkAccessToken(access_token, claims));
      }
    }
    return () => this._verifyUser(req, [access_token, refresh_token, rest, profile], pending.appState);
  }

  /** @internal Calls the app's verify in the form it takes, then passport's success or fail. */
  private _verifyUser(req: PassportRequestLike, signedIn: unknown[], appState: unknown): void {
    const verified: JustLoginVerifyCallback = (err, user, info) => {
      if (err) return this.error(err);
      if (!user) return this.fail(info);
      // As passport-oauth2: the app's state reaches the app as `req.authInfo.state`.
      const result = (info ?? {}) as { state?: unknown };
      if (appState && typeof result === 'object') result.state = appState;
      this.success(user, result);
    };
    const verify = this._appVerify as (...args: unknown[]) => void;
    const args =
      verify.length === (this._verifyTakesRequest ? 6 : 5) ? [...signedIn] : signedIn.filter((_, i) => i !== 2);
    if (this._verifyTakesRequest) args.unshift(req);
    try {
      verify(...args, verified);
    } catch (error) {
      this.error(error);
    }
  }

  /** @internal The state the store gave back, split into the nonce of this sign-in and the app's own state. */
  private _splitState(stored: unknown): { nonce?: string; appState?: unknown } {
    if (!this._sendsNonce || typeof stored !== 'object' || stored === null) return { appState: stored };
    const { nonce, ...appState } = stored as Params;
    if (typeof nonce !== 'string') return { appState: stored };
    return { nonce, appState: Object.keys(appState).length > 0 ? appState : undefined };
  }

  /**
   * @internal What the state store is told about this sign-in, with the callback URL resolved for
   * `req`; `undefined` once the request has failed because its Host header makes no URL.
   */
  private _stateStoreMeta(req: PassportRequestLike, options: Params): StateStoreMeta | undefined {
    const callbackURL = this._callbackURLFor(req, options);
    if (callbackURL === null) {
      this.fail(failure('EBADHOST', 'Malformed request: its Host header does not make the callback URL'), 400);
      return undefined;
    }
    const { authorizationURL, tokenURL, clientID } = this.client;
    return { authorizationURL, tokenURL, clientID, callbackURL };
  }

  /**
   * @internal The callback URL as passport-oauth2 resolves it: a relative one
   * against the request; `null` when the request's Host header makes no URL.
   */
  private _callbackURLFor(req: PassportRequestLike, options: Params): string | undefined | null {
    const callbackURL = typeof options.callbackURL === 'string' ? options.callbackURL : this._callbackURLOption;
    if (!callbackURL || URL.canParse(callbackURL)) return callbackURL;
    // A reference that starts with a slash keeps only the scheme and host of its base.
    const origin = requestOrigin(req, this._proxy);
    const base = /^[/\\]/.test(callbackURL) ? origin : `${origin}${req.url ?? ''}`;
    return URL.canParse(callbackURL, base) ? new URL(callbackURL, base).href : null;
  }

  /**
   * @internal Reports an authorization error whose state was valid: `access_denied`
   * (the user said No) fails the sign-in; any other error goes to the error handler as a
   * `JustLoginAuthorizationError`, its fields held to the rule every OAuth error from JustLogin is held to.
   */
  private _authorizationError(response: Params): void {
    const error = oauthError(response);
    if (!error) {
      this.fail(failure('EBADCALLBACK', 'Malformed authorization response: error is not an OAuth 2.0 error code'), 400);
      return;
    }
    if (error.code === 'access_denied') {
      this.fail(failure('access_denied', 'The user did not allow the sign-in with JustLogin'));
      return;
    }
    const message = error.description || `JustLogin answered the authorization request with ${error.code}`;
    this.error(new JustLoginAuthorizationError(message, error.code, error.uri));
  }
}

/** What the callback carries from the state store to the code exchange. */
interface PendingSignIn {
  callbackURL?: string;
  verifier?: string;
  nonce?: string;
  appState?: unknown;
}

/** Longest authorization code accepted on the callback. */
const MAX_CODE_LENGTH = 2048;

type Params = Record<string, unknown>;

function paramsOf(value: unknown): Params {
  return typeof value === 'object' && value !== null ? (value as Params) : {};
}

/** Passport's failure info for a sign-in refused without an error. */
function failure(code: JustLoginFailure['code'], message: string): JustLoginFailure {
  return { message, code };
}

/** The failure for a state the store refused: the store's message (passport-oauth2's stores give one), and `EBADSTATE`. */
function stateFailure(info: unknown): JustLoginFailure {
  const message = (info as { message?: unknown } | undefined)?.message;
  return failure('EBADSTATE', typeof message === 'string' ? message : 'Invalid authorization request state.');
}

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

/** The protocol and host of the URL the client asked for, as passport-oauth2's `utils.originalURL` builds them. */
function requestOrigin(req: PassportRequestLike, trustProxy: boolean | undefined): string {
  const { app, socket } = req as { app?: { get?: (setting: string) => unknown }; socket?: { encrypted?: boolean } };
  const proxy = trustProxy || Boolean(typeof app?.get === 'function' && app.get('trust proxy'));
  const tls = socket?.encrypted || (proxy && firstForwarded(req.headers['x-forwarded-proto']) === 'https');
  const host = (proxy && req.headers['x-forwarded-host']) || req.headers.host;
  return `${tls ? 'https' : 'http'}://${String(host)}`;
}

/** The first of an `X-Forwarded-*` header's comma-separated values, lower-cased. */
function firstForwarded(header: string | string[] | undefined): string {
  return String(header ?? '')
    .toLowerCase()
    .split(/\s*,\s*/)[0];
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

/** A fresh nonce for one authorization request. */
function newNonce(): string {
  return randomToken(32);
}

/** RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The strategy's settings: its options as read. */
interface StrategySettings {
  readonly client?: JustLoginClient;
  readonly callbackURL: string;
  readonly scope?: string | string[];
  readonly state: boolean;
  readonly pkce?: boolean;
  readonly store?: AnyStateStore;
  readonly sessionKey?: string;
  readonly skipUserProfile: boolean;
  readonly proxy: boolean;
  readonly passReqToCallback: boolean;
}

/** Every option of the strategy: its own, then its client's. */
const STRATEGY_OPTIONS = {
  callbackURL: {
    rule: (value) =>
      typeof value === 'string' && isCallbackURL(value)
        ? value.startsWith('/')
          ? undefined
          : credentialsProblem(new URL(value))
        : "must be an http(s) URL or a path starting with '/' (not '//')",
    required: true,
  },
  scope: {
    rule: (value) => {
      const tokens =
        typeof value === 'string'
          ? value.split(/\s+/).filter(Boolean)
          : Array.isArray(value) && value.every((item) => typeof item === 'string')
            ? value
            : undefined;
      if (!tokens) return 'must be a string or an array of strings';
      return tokens.every((token) => SCOPE_TOKEN.test(token))
        ? undefined
        : "must hold scope tokens: printable ASCII without spaces, '\"' or '\\' (RFC 6749 §3.3), separated by spaces";
    },
  },
  state: { rule: rules.boolean, default: true },
  pkce: {
    rule: (value, options) =>
      rules.boolean(value, options) ??
      (value === true && options.state === false && options.store === undefined
        ? 'needs `state` (or a `store`) to keep the code verifier'
        : undefined),
  },
  store: {
    rule: (value, options) =>
      rules.withMethods('store', 'verify')(value, options) ?? stateStoreProblem(value as AnyStateStore),
  },
  sessionKey: { rule: rules.nonEmptyString },
  skipUserProfile: { rule: rules.boolean, default: false },
  proxy: { rule: rules.boolean, default: false },
  passReqToCallback: { rule: rules.boolean, default: false },
  ...CLIENT_PART,
} satisfies Record<keyof JustLoginStrategyOwnOptions | 'passReqToCallback', OptionSpec> & Record<string, OptionSpec>;

function strategySettings(options: JustLoginStrategyOptionsBase, verify: unknown) {
  const settings = readOptions<StrategySettings>('JustLoginStrategy', options, STRATEGY_OPTIONS);
  if (typeof verify !== 'function') {
    throw new JustLoginOptionsError('JustLoginStrategy', ['a verify callback is needed as the second argument']);
  }
  const { state } = settings;
  const justLogin = clientOf(settings);
  const sessionStore = state
    ? new SessionStateStore(settings.sessionKey ?? `oauth2:${new URL(justLogin.authorizationURL).hostname}`)
    : undefined;
  return {
    ...settings,
    client: justLogin,
    store: settings.store ?? sessionStore,
    scope: normalizeScope(settings.scope),
    pkce: settings.pkce ?? state,
  };
}
