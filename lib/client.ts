import type { Agent } from 'node:http';
import { allowsInsecureRequests, checkHttpURL, JWKS_PATH, resolveEndpoints, type EndpointOptions } from './endpoints';
import { IdTokenError } from './errors';
import { TokenEndpoint, type TokenResponse } from './http';
import { decodeIdToken, validateIdToken, type DecodedIdToken, type IdTokenClaims } from './id-token';
import { IdTokenSignature } from './id-token-signature';
import { createTransport, type FetchLike, type Transport } from './transport';

/** How to reach JustLogin as one client: who the app is, where JustLogin is, and how id_tokens are checked. */
export interface JustLoginClientOptions extends EndpointOptions {
  /** The Client Id JustLogin issued. */
  clientID: string;
  /** The Client Secret JustLogin issued; sent only in token request bodies. */
  clientSecret: string;
  /** When set, the id_token's `iss` (and the callback's RFC 9207 `iss`) must equal it. */
  issuer?: string;
  /** Milliseconds for a whole exchange with JustLogin before it fails with `ETIMEDOUT` (default 10000). */
  timeout?: number;
  /** Seconds of clock difference tolerated on id_token `exp`, `iat` and `nbf` (default 60). */
  clockTolerance?: number;
  /** Verify id_token signatures against JustLogin's JWKS (default `false`; loads `jose` on first use). */
  verifyIdTokenSignature?: boolean;
  /** Where JustLogin's keys are (default `<base>/v1/auth/.well-known/openid-configuration/jwks`). */
  jwksURL?: string;
  /**
   * Sends every request to JustLogin with this fetch (`globalThis.fetch`,
   * undici's, an instrumented wrapper) instead of `node:http(s)`, under the
   * same deadline, size cap and refusal of redirects.
   */
  fetch?: FetchLike;
  /** The `node:http(s)` agent for every request to JustLogin, e.g. an `HttpsProxyAgent`. Not with `fetch`. */
  agent?: Agent;
}

/** A {@link JustLoginClient} built beforehand and shared, by the strategy, the refresher and the API client. */
export interface JustLoginClientReference {
  client: JustLoginClient;
}

/** What the strategy and the refresher do through a client; never reachable from the public API. */
interface ClientOperations {
  tokenRequest(params: Record<string, string>, bearer?: string): Promise<TokenResponse>;
  checkIdToken(idToken: unknown, nonce?: string): Promise<DecodedIdToken>;
  checkRefreshedIdToken(idToken: string, previous?: string): Promise<void>;
  /** passport-oauth2's `_oauth2.setAgent`: later requests go through `agent`. */
  setAgent(agent: Agent): void;
}

let operationsOf: (client: JustLoginClient) => ClientOperations;
let isClient: (value: unknown) => value is JustLoginClient;

/**
 * One JustLogin client, built once and shared: the app's identity (the client
 * secret is held privately and sent only in token request bodies), JustLogin's
 * endpoints, the request timeout and the id_token checks. `JustLoginStrategy`
 * and `JustLoginRefresher` take it as `client`, or build one from the same
 * options.
 *
 * @example
 * const client = new JustLoginClient({
 *   clientID: process.env.JUSTLOGIN_CLIENT_ID,
 *   clientSecret: process.env.JUSTLOGIN_CLIENT_SECRET,
 *   environment: 'sandbox',
 * });
 * passport.use(new JustLoginStrategy({ client, callbackURL: '/auth/justlogin/callback' }, verify));
 * const refresher = new JustLoginRefresher({ client });
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
  /** The `iss` id_tokens must name, when configured. */
  readonly issuer?: string;
  /** Milliseconds for a whole exchange with JustLogin. */
  readonly timeout: number;
  /** Seconds of clock difference tolerated on id_token times. */
  readonly clockTolerance: number;
  readonly #transport: Transport;
  readonly #endpoint: TokenEndpoint;
  readonly #jwksURL?: string;
  #signature?: IdTokenSignature;
  readonly #operations: ClientOperations = {
    tokenRequest: (params, bearer) => this.#endpoint.request(params, bearer),
    checkIdToken: (idToken, nonce) => this.#checkIdToken(idToken, nonce),
    checkRefreshedIdToken: (idToken, previous) => this.#checkRefreshedIdToken(idToken, previous),
    setAgent: (agent) => this.#transport.setAgent(agent),
  };

  /**
   * Throws a `TypeError` naming the option when an option is missing or invalid.
   *
   * @example
   * const client = new JustLoginClient({ clientID, clientSecret, baseURL: 'http://127.0.0.1:4000' });
   */
  constructor(options: JustLoginClientOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('passport-justlogin: JustLoginClient requires an options object');
    }
    const endpoints = resolveEndpoints(options);
    const clockTolerance = options.clockTolerance ?? 60;
    if (typeof clockTolerance !== 'number' || !Number.isFinite(clockTolerance) || clockTolerance < 0) {
      throw new TypeError('passport-justlogin: `clockTolerance` must be a number of seconds, 0 or more');
    }
    if (options.issuer !== undefined && (typeof options.issuer !== 'string' || options.issuer === '')) {
      throw new TypeError('passport-justlogin: `issuer` must be a non-empty string');
    }
    this.#transport = createTransport({ fetch: options.fetch, agent: options.agent });
    this.#endpoint = new TokenEndpoint({
      clientID: options.clientID,
      clientSecret: options.clientSecret,
      tokenURL: endpoints.tokenURL,
      timeout: options.timeout,
      transport: this.#transport,
    });
    let jwksURL = endpoints.baseURL + JWKS_PATH;
    if (options.jwksURL !== undefined) {
      jwksURL = checkHttpURL(options.jwksURL, 'jwksURL', allowsInsecureRequests(options));
    }
    if (options.verifyIdTokenSignature) this.#jwksURL = jwksURL;
    this.clientID = options.clientID;
    this.baseURL = endpoints.baseURL;
    this.authorizationURL = endpoints.authorizationURL;
    this.tokenURL = endpoints.tokenURL;
    this.issuer = options.issuer;
    this.timeout = this.#endpoint.timeout;
    this.clockTolerance = clockTolerance;
  }

  static {
    isClient = (value: unknown): value is JustLoginClient =>
      typeof value === 'object' && value !== null && #endpoint in value;
    operationsOf = (client) => client.#operations;
  }

  /** Checks the id_token's claims (and `nonce` when given), then its signature when asked for. */
  async #checkIdToken(idToken: unknown, nonce?: string): Promise<DecodedIdToken> {
    const decoded = validateIdToken(idToken, {
      clientID: this.clientID,
      issuer: this.issuer,
      clockTolerance: this.clockTolerance,
      nonce,
    });
    await this.#verifySignature(idToken as string);
    return decoded;
  }

  /** OpenID Connect Core §12.2: the id_token of a refresh names the same issuer and subject as before. */
  async #checkRefreshedIdToken(idToken: string, previous: string | undefined): Promise<void> {
    const { claims } = validateIdToken(idToken, {
      clientID: this.clientID,
      issuer: this.issuer,
      clockTolerance: this.clockTolerance,
    });
    const before = previousClaims(previous);
    if (before && claims.iss !== before.iss) {
      throw new IdTokenError('id_token of the refresh names another issuer (iss) than the previous id_token', 'iss');
    }
    if (before && claims.sub !== before.sub) {
      throw new IdTokenError('id_token of the refresh names another subject (sub) than the previous id_token', 'sub');
    }
    await this.#verifySignature(idToken);
  }

  async #verifySignature(idToken: string): Promise<void> {
    if (this.#jwksURL === undefined) return;
    this.#signature ??= new IdTokenSignature(this.#jwksURL, this.timeout, this.#transport);
    await this.#signature.verify(idToken);
  }
}

/**
 * @internal The operations of `client` for the strategy and the refresher.
 * Throws a `TypeError` naming `what` when `client` is not a {@link JustLoginClient}.
 */
export function clientOperations(client: unknown, what = '`client`'): ClientOperations {
  if (!isClient(client)) throw new TypeError(`passport-justlogin: ${what} must be a JustLoginClient`);
  return operationsOf(client);
}

/** The claims of the caller's current id_token, or `undefined` when there is none that decodes. */
function previousClaims(idToken: string | undefined): IdTokenClaims | undefined {
  if (!idToken) return undefined;
  try {
    return decodeIdToken(idToken).claims;
  } catch {
    return undefined;
  }
}
