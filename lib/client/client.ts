import { Agent } from 'node:http';
import { fetchMetadata, type JustLoginMetadata } from './discovery';
import {
  baseURLRule,
  besideTokenEndpoint,
  endpointOriginsRule,
  endpointURL,
  environmentRule,
  endpointsOf,
  issuerRule,
  JWKS_PATH,
  type EndpointOptions,
  type JustLoginEnvironment,
} from './endpoints';
import { decodeAccessToken, type AccessTokenClaims } from '../access-token';
import { IdTokenError, JustLoginOptionsError, JustLoginRequestError } from '../errors';
import { TokenEndpoint, type TokenResponse } from './token-endpoint';
import { decodeIdToken, validateIdToken, type DecodedIdToken, type IdTokenClaims } from './id-token';
import { IdTokenSignature } from './id-token-signature';
import { endSessionURL, type EndSessionParams } from './end-session';
import { verifyLogoutToken, type LogoutTokenClaims } from './logout-token';
import { MemoryReplayStore, type ReplayStore } from './replay-store';
import { revokeToken, type RevokeOptions } from './revocation';
import { readOptions, rules, type OptionRule, type OptionSpec } from './options';
import { createTransport, type FetchLike, type Transport } from './transport';

/**
 * How to reach JustLogin as one client: who the app is, where JustLogin is, and how id_tokens are checked.
 *
 * @group Sign-in
 */
export interface JustLoginClientOptions extends EndpointOptions {
  /**
   * The Client Id JustLogin issued. `undefined` (an unset environment
   * variable) throws a `JustLoginOptionsError` naming it.
   */
  clientID: string | undefined;
  /** The Client Secret JustLogin issued; sent only in token request bodies. `undefined` throws, as for `clientID`. */
  clientSecret: string | undefined;
  /**
   * The `iss` id_tokens (and the callback's RFC 9207 `iss`) must name, e.g.
   * `https://apis.justlogin.com/v1/auth`. With `discovery`, the discovered one
   * is used when this is not set.
   */
  issuer?: string;
  /** Milliseconds for a whole exchange with JustLogin before it fails with `ETIMEDOUT` (default 10000). */
  timeout?: number;
  /** Seconds of clock difference tolerated on id_token `exp`, `iat` and `nbf` (default 60). */
  clockTolerance?: number;
  /** Verify id_token signatures against JustLogin's JWKS (default `false`). */
  verifyIdTokenSignature?: boolean;
  /**
   * Where JustLogin's keys are (default: the discovered `jwks_uri` with
   * `discovery`, else `<base>/v1/auth/.well-known/openid-configuration/jwks`).
   */
  jwksURL?: string;
  /**
   * Read JustLogin's OpenID configuration (`<base>/v1/auth/.well-known/openid-configuration`)
   * on first use and take `issuer` and `jwks_uri` from it (default `false`).
   * A failed read fails that sign-in or renewal and is tried again on the next.
   */
  discovery?: boolean;
  /**
   * Origins besides the issuer's (`https://host[:port]`) that the discovery
   * document may name endpoints on, e.g. `jwks_uri` (default none: every
   * endpoint it names must be on the issuer's origin).
   */
  allowedEndpointOrigins?: readonly string[];
  /**
   * Sends every request to JustLogin with this fetch (`globalThis.fetch`,
   * undici's, an instrumented wrapper) instead of `node:http(s)`, under the
   * same deadline, size cap and refusal of redirects.
   */
  fetch?: FetchLike;
  /** The `node:http(s)` agent for every request to JustLogin, e.g. an `HttpsProxyAgent`. Not with `fetch`. */
  agent?: Agent;
  /**
   * Where {@link JustLoginClient.verifyLogoutToken} keeps the `jti` of every
   * logout token it accepts, to refuse a replay (default: this process's
   * memory). Give the `RedisRefreshCoordinator` so every instance of the app
   * refuses a token any of them accepted.
   */
  replayStore?: ReplayStore;
}

/**
 * A {@link JustLoginClient} built beforehand and shared by the strategy, the refresher and the API client.
 *
 * @group Sign-in
 */
export interface JustLoginClientReference {
  /** The client to use. */
  client: JustLoginClient;
}

/** @internal What the strategy and the refresher do through a client; never reachable from the public API. */
interface ClientOperations {
  tokenRequest(params: Record<string, string>, bearer?: string): Promise<TokenResponse>;
  /** The issuer responses and id_tokens must name: configured, discovered, or none. */
  expectedIssuer(): Promise<string | undefined>;
  checkIdToken(idToken: unknown, nonce?: string): Promise<DecodedIdToken>;
  checkRefreshedIdToken(idToken: string, previous?: string): Promise<void>;
  /** Fetches now what checking a refresh's id_token needs: the discovered issuer, JustLogin's keys. */
  prepareRefreshChecks(): Promise<void>;
  /** The claims of an access token that is a JWT naming the id_token's issuer and user (signature checked when asked for). */
  checkAccessToken(accessToken: string, idToken: IdTokenClaims): Promise<AccessTokenClaims | undefined>;
  /** passport-oauth2's `_oauth2.setAgent`: later requests go through `agent`. */
  setAgent(agent: Agent): void;
  /** The transport every request goes through (the API client's calls too). */
  transport(): Transport;
}

let operationsOf: (client: JustLoginClient) => ClientOperations;
let isClient: (value: unknown) => value is JustLoginClient;

/**
 * One JustLogin client, built once and shared: the app's identity (the client
 * secret is held privately and sent only in token request bodies), JustLogin's
 * endpoints, the transport every request goes through, and the id_token
 * checks. `JustLoginStrategy` and `JustLoginRefresher` take it as `client`, or
 * build one from the same options.
 *
 * @example
 * const client = new JustLoginClient({
 *   clientID: process.env.JUSTLOGIN_CLIENT_ID,
 *   clientSecret: process.env.JUSTLOGIN_CLIENT_SECRET,
 *   environment: 'staging',
 * });
 * passport.use(new JustLoginStrategy({ client, callbackURL: '/auth/justlogin/callback' }, verify));
 * const refresher = new JustLoginRefresher({ client });
 *
 * @group Sign-in
 */
export class JustLoginClient {
  /** The Client Id JustLogin issued. */
  readonly clientID: string;
  /** JustLogin's host, e.g. `https://apis.justlogin.com`. */
  readonly baseURL: string;
  /** JustLogin's authorize endpoint. */
  readonly authorizationURL: string;
  /** JustLogin's token endpoint. */
  readonly tokenURL: string;
  /** The configured `issuer`; with `discovery` and no `issuer`, the discovered one is in {@link metadata}. */
  readonly issuer?: string;
  /** Milliseconds for a whole exchange with JustLogin. */
  readonly timeout: number;
  /** Seconds of clock difference tolerated on id_token times. */
  readonly clockTolerance: number;
  readonly #clientSecret: string;
  readonly #transport: Transport;
  readonly #endpoint: TokenEndpoint;
  readonly #discovery: boolean;
  readonly #allowInsecure: boolean;
  readonly #allowedOrigins: readonly string[];
  readonly #verifySignatures: boolean;
  readonly #jwksURL?: string;
  #metadata?: Promise<JustLoginMetadata>;
  #signature?: Promise<IdTokenSignature>;
  #replayStore?: ReplayStore;
  readonly #operations: ClientOperations = {
    tokenRequest: (params, bearer) => this.#endpoint.request(params, bearer),
    expectedIssuer: async () => this.issuer ?? (this.#discovery ? (await this.metadata()).issuer : undefined),
    checkIdToken: (idToken, nonce) => this.#checkIdToken(idToken, nonce),
    checkRefreshedIdToken: (idToken, previous) =>
      this.#checkRefreshedIdToken(idToken, previous).catch((error: unknown) => {
        // Renewed tokens whose id_token fails a check cannot be trusted: the user must sign in again.
        throw error instanceof IdTokenError
          ? new IdTokenError(error.message, error.check, { reauthenticate: true })
          : error;
      }),
    checkAccessToken: (accessToken, idToken) => this.#checkAccessToken(accessToken, idToken),
    prepareRefreshChecks: async () => {
      if (this.#discovery) await this.#operations.expectedIssuer();
      if (this.#verifySignatures) await (await this.#signatureOf()).prepare();
    },
    setAgent: (agent) => this.#transport.setAgent(agent),
    transport: () => this.#transport,
  };

  /**
   * Throws a `JustLoginOptionsError` listing every option that
   * is missing, unknown or invalid.
   *
   * @example
   * const client = new JustLoginClient({ clientID, clientSecret, baseURL: 'http://127.0.0.1:4000' });
   */
  constructor(options: JustLoginClientOptions) {
    const settings = readOptions<ClientSettings>('JustLoginClient', options, CLIENT_OPTIONS);
    const endpoints = endpointsOf(settings);
    this.#allowInsecure = settings.allowInsecureRequests;
    this.#allowedOrigins = Object.freeze([...(settings.allowedEndpointOrigins ?? [])]);
    this.#clientSecret = settings.clientSecret;
    this.#transport = createTransport({ fetch: settings.fetch, agent: settings.agent });
    this.#discovery = settings.discovery;
    this.#verifySignatures = settings.verifyIdTokenSignature;
    this.#replayStore = settings.replayStore;
    this.#jwksURL = settings.jwksURL ?? (this.#discovery ? undefined : endpoints.baseURL + JWKS_PATH);
    this.clientID = settings.clientID;
    this.baseURL = endpoints.baseURL;
    this.authorizationURL = endpoints.authorizationURL;
    this.tokenURL = endpoints.tokenURL;
    this.issuer = settings.issuer;
    this.timeout = settings.timeout;
    this.clockTolerance = settings.clockTolerance;
    this.#endpoint = new TokenEndpoint({
      clientID: this.clientID,
      clientSecret: this.#clientSecret,
      tokenURL: this.tokenURL,
      timeout: this.timeout,
      transport: this.#transport,
    });
  }

  static {
    isClient = (value: unknown): value is JustLoginClient =>
      typeof value === 'object' && value !== null && #operations in value;
    operationsOf = (client) => client.#operations;
  }

  /**
   * JustLogin's OpenID configuration (`issuer`, `jwks_uri` and the endpoints
   * it advertises, e.g. `end_session_endpoint`, `revocation_endpoint`,
   * `userinfo_endpoint`), read once through the client's transport and kept.
   * A failed read rejects with a `JustLoginRequestError` and is not kept.
   *
   * @example
   * const { end_session_endpoint } = await client.metadata();
   */
  metadata(): Promise<JustLoginMetadata> {
    if (!this.#metadata) {
      const reading = fetchMetadata(
        this.#transport,
        this.baseURL,
        this.timeout,
        this.#allowInsecure,
        this.#allowedOrigins,
      );
      this.#metadata = reading;
      reading.catch(() => {
        if (this.#metadata === reading) this.#metadata = undefined;
      });
    }
    return this.#metadata;
  }

  /**
   * The URL that ends the user's JustLogin session (OpenID Connect
   * RP-Initiated Logout 1.0): redirect the browser there after signing out of
   * the app. With `discovery`, the advertised `end_session_endpoint` (resolves
   * `undefined` when none is); otherwise IdentityServer's
   * `…/v1/auth/connect/endsession` beside the token endpoint, which JustLogin
   * does not document (inferred). Always carries `client_id`; rejects with a
   * `JustLoginOptionsError` naming a parameter that is not what it must be.
   *
   * @example
   * const url = await client.endSessionURL({
   *   idTokenHint: req.user.tokens.idToken,
   *   postLogoutRedirectURI: 'https://app.example.com/auth/signed-out',
   *   state,
   * });
   */
  async endSessionURL(params: EndSessionParams = {}): Promise<string | undefined> {
    const endpoint = await this.#endpointBesideToken('end_session_endpoint', 'endsession');
    return endpoint === undefined ? undefined : endSessionURL(endpoint, this.clientID, params);
  }

  /**
   * Revokes a refresh token (or an access token) at JustLogin (RFC 7009),
   * with the client credentials in the body like every token request, through
   * the client's transport and within its `timeout`. With `discovery`, at the
   * advertised `revocation_endpoint` (rejects with a `JustLoginRequestError`,
   * `code: 'EUNSUPPORTED'`, when none is); otherwise at IdentityServer's
   * `…/v1/auth/connect/revocation`, inferred. Resolves on 200; rejects with a
   * `JustLoginTokenError` carrying JustLogin's OAuth error (e.g.
   * `unsupported_token_type` on a 400) or a `JustLoginRequestError`.
   *
   * @example
   * await client.revoke(req.user.tokens.refreshToken, { tokenTypeHint: 'refresh_token' });
   */
  async revoke(token: string, options: RevokeOptions = {}): Promise<void> {
    const url = await this.#endpointBesideToken('revocation_endpoint', 'revocation');
    if (url === undefined) {
      const what = "JustLogin's discovery document advertises no revocation_endpoint";
      throw new JustLoginRequestError(what, 'EUNSUPPORTED', { retryable: false });
    }
    const { clientID, timeout } = this;
    const endpoint = { url, clientID, clientSecret: this.#clientSecret, timeout, transport: this.#transport };
    await revokeToken(endpoint, token, options);
  }

  /**
   * Checks a back-channel logout token JustLogin posted to the app (OpenID
   * Connect Back-Channel Logout 1.0 §2.6) and resolves with who signed out:
   * `{ iss, sub?, sid?, jti, iat }`. Its signature is always checked against
   * JustLogin's keys, whatever `verifyIdTokenSignature` says; then `iss`
   * (configured, discovered, or `<baseURL>/v1/auth`), `aud`, `iat` (not in
   * the future, at most 5 minutes old), `exp` when present, the
   * back-channel logout event, a `sid` or a `sub`, no `nonce`, a `typ` that is
   * absent, `JWT` or `logout+jwt`, and a `jti` never accepted before (kept in
   * `replayStore`). Rejects with a `LogoutTokenError` whose `code` says which
   * check failed (`ELOGOUTREPLAY`, `ELOGOUTTYPE`, …), or with the error of
   * fetching JustLogin's keys.
   *
   * @example
   * const { sid, sub } = await client.verifyLogoutToken(req.body.logout_token);
   */
  verifyLogoutToken(logoutToken: string): Promise<LogoutTokenClaims> {
    return verifyLogoutToken(logoutToken, {
      clientID: this.clientID,
      clockTolerance: this.clockTolerance,
      expectedIssuer: async () => (await this.#operations.expectedIssuer()) ?? `${this.baseURL}/v1/auth`,
      verifySignature: (token) => this.#verifySignature(token),
      replayStore: (this.#replayStore ??= new MemoryReplayStore()),
    });
  }

  /** The advertised `field` with `discovery` (`undefined` when absent), else IdentityServer's `name` beside the token endpoint. */
  async #endpointBesideToken(
    field: 'end_session_endpoint' | 'revocation_endpoint',
    name: 'endsession' | 'revocation',
  ): Promise<string | undefined> {
    if (!this.#discovery) return besideTokenEndpoint(this.tokenURL, name);
    const advertised = (await this.metadata())[field];
    return typeof advertised === 'string' ? advertised : undefined;
  }

  /** Checks the id_token's claims (and `nonce` when given), then its signature when asked for. */
  async #checkIdToken(idToken: unknown, nonce?: string): Promise<DecodedIdToken> {
    const decoded = validateIdToken(idToken, {
      clientID: this.clientID,
      issuer: this.#discovery ? await this.#operations.expectedIssuer() : this.issuer,
      clockTolerance: this.clockTolerance,
      nonce,
    });
    if (this.#verifySignatures) await this.#verifySignature(idToken as string);
    return decoded;
  }

  /** OpenID Connect Core §12.2: the id_token of a refresh names the same issuer and subject as before. */
  async #checkRefreshedIdToken(idToken: string, previous: string | undefined): Promise<void> {
    const { claims } = validateIdToken(idToken, {
      clientID: this.clientID,
      issuer: this.#discovery ? await this.#operations.expectedIssuer() : this.issuer,
      clockTolerance: this.clockTolerance,
    });
    const before = previousClaims(previous);
    if (before && claims.iss !== before.iss) {
      throw new IdTokenError('id_token of the refresh names another issuer (iss) than the previous id_token', 'iss');
    }
    if (before && claims.sub !== before.sub) {
      throw new IdTokenError('id_token of the refresh names another subject (sub) than the previous id_token', 'sub');
    }
    if (this.#verifySignatures) await this.#verifySignature(idToken);
  }

  /**
   * An access token that is a JWT lends its claims to the profile only when it names the id_token's issuer
   * and user, and, with signature checks on, is signed with JustLogin's keys. Its `aud` is the API's, not ours.
   */
  async #checkAccessToken(accessToken: string, idToken: IdTokenClaims): Promise<AccessTokenClaims | undefined> {
    const claims = decodeAccessToken(accessToken);
    if (!claims) return undefined;
    if (claims.iss !== idToken.iss) {
      throw new IdTokenError('The access token names another issuer (iss) than the id_token', 'access_token');
    }
    if (claims.sub !== idToken.sub) {
      throw new IdTokenError('The access token names another user (sub) than the id_token', 'access_token');
    }
    if (this.#verifySignatures) {
      await this.#verifySignature(accessToken).catch((error: unknown) => {
        if (!(error instanceof IdTokenError)) throw error;
        throw new IdTokenError("The access token's signature does not verify against JustLogin's keys", 'access_token');
      });
    }
    return claims;
  }

  async #verifySignature(token: string): Promise<void> {
    await (await this.#signatureOf()).verify(token);
  }

  /** The signature checks, built on first use, with the discovered jwks_uri when there is one to read. */
  #signatureOf(): Promise<IdTokenSignature> {
    if (!this.#signature) {
      const creating = this.#jwksFor().then((url) => new IdTokenSignature(url, this.timeout, this.#transport));
      this.#signature = creating;
      creating.catch(() => {
        if (this.#signature === creating) this.#signature = undefined;
      });
    }
    return this.#signature;
  }

  async #jwksFor(): Promise<string> {
    return this.#jwksURL ?? (await this.metadata()).jwks_uri;
  }
}

/**
 * @internal The operations of `client` for the strategy and the refresher.
 * Throws a `JustLoginOptionsError` naming `what` when `client` is not a {@link JustLoginClient}.
 */
export function clientOperations(client: unknown, what = '`client`'): ClientOperations {
  if (!isClient(client)) throw new JustLoginOptionsError('JustLoginClient', [`${what} must be a JustLoginClient`]);
  return operationsOf(client);
}

/** @internal The option rule for `client`. */
export const clientRule: OptionRule = (value) =>
  isClient(value) ? undefined : 'must be a JustLoginClient (`new JustLoginClient({ clientID, clientSecret, … })`)';

/** The client's settings: its options as read, every default applied. */
interface ClientSettings {
  readonly clientID: string;
  readonly clientSecret: string;
  readonly environment: JustLoginEnvironment;
  readonly baseURL?: string;
  readonly authorizationURL?: string;
  readonly tokenURL?: string;
  readonly jwksURL?: string;
  readonly allowInsecureRequests: boolean;
  readonly issuer?: string;
  readonly timeout: number;
  readonly clockTolerance: number;
  readonly verifyIdTokenSignature: boolean;
  readonly discovery: boolean;
  readonly allowedEndpointOrigins?: readonly string[];
  readonly fetch?: FetchLike;
  readonly agent?: Agent;
  readonly replayStore?: ReplayStore;
}

/** A client option given beside `client` is refused, whatever its value: the client has it already. */
const besideClient =
  (rule: OptionRule): OptionRule =>
  (value, options) =>
    options.client !== undefined
      ? 'is set on the client: give it to `new JustLoginClient(…)`, not beside `client`'
      : rule(value, options);

/** Needed unless a `client` is given (a component that takes `client` or the options to build one). */
const withoutClient = (options: Readonly<Record<string, unknown>>) => options.client === undefined;

/** @internal Every client option: its rule and default. */
export const CLIENT_OPTIONS = {
  clientID: { rule: besideClient(rules.nonEmptyString), required: withoutClient },
  clientSecret: { rule: besideClient(rules.nonEmptyString), required: withoutClient },
  environment: { rule: besideClient(environmentRule), default: 'production' },
  baseURL: { rule: besideClient(baseURLRule) },
  authorizationURL: { rule: besideClient(endpointURL) },
  tokenURL: { rule: besideClient(endpointURL) },
  jwksURL: { rule: besideClient(endpointURL) },
  allowInsecureRequests: { rule: besideClient(rules.boolean), default: false },
  issuer: { rule: besideClient(issuerRule) },
  timeout: { rule: besideClient(rules.positiveDurationMs), default: 10_000 },
  clockTolerance: { rule: besideClient(rules.seconds), default: 60 },
  verifyIdTokenSignature: { rule: besideClient(rules.boolean), default: false },
  discovery: { rule: besideClient(rules.boolean), default: false },
  allowedEndpointOrigins: { rule: besideClient(endpointOriginsRule) },
  fetch: {
    rule: besideClient(
      (value, options) =>
        rules.func(value, options) ?? (options.agent !== undefined ? 'cannot be used with `agent`' : undefined),
    ),
  },
  agent: {
    rule: besideClient((value) =>
      value instanceof Agent ? undefined : 'must be a node:http Agent (e.g. an HttpsProxyAgent)',
    ),
  },
  replayStore: { rule: besideClient(rules.withMethods('claim')) },
} satisfies Record<keyof JustLoginClientOptions, OptionSpec>;

/** The claims of the caller's current id_token, or `undefined` when there is none that decodes. */
function previousClaims(idToken: string | undefined): IdTokenClaims | undefined {
  if (!idToken) return undefined;
  try {
    return decodeIdToken(idToken).claims;
  } catch {
    return undefined;
  }
}

/**
 * @internal The options of a component that takes a `client`, or the options
 * to build one (the strategy, the refresher): read with them, its settings are
 * the client's settings too, and {@link clientOf} builds the client from them
 * without reading anything again.
 */
export const CLIENT_PART = { ...CLIENT_OPTIONS, client: { rule: clientRule } } satisfies Record<string, OptionSpec>;

/** @internal The `client` of settings read with {@link CLIENT_PART}, or a client built from them. */
export function clientOf(settings: { readonly client?: JustLoginClient }): JustLoginClient {
  return settings.client ?? new JustLoginClient(settings as unknown as JustLoginClientOptions);
}
