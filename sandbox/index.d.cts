// Types of justlogin-sandbox (index.d.mts re-exports them for ES modules).

/** An app registered with the sandbox (one OAuth client). */
export interface SandboxClient {
  clientID: string;
  clientSecret: string;
  /** The app's callback URLs, matched exactly. */
  redirectURIs: string[];
  /** Shown on the consent page ("<clientName> wants to connect…"); the clientID when absent. */
  clientName?: string;
  /**
   * Pages the app may send the browser back to after signing out at the end_session endpoint
   * (`post_logout_redirect_uri`), besides the home page (`/`) of each redirect URI's origin.
   */
  postLogoutRedirectURIs?: string[];
  /**
   * The app's back-channel logout URI: when a session of the app's user ends at the sandbox, it posts
   * a logout token there (`logout_token`, signed like its id_tokens, with `sid` and `sub`).
   */
  backchannelLogoutURI?: string;
}

/** A user who can sign in, with their claims: in JWT access tokens, and in the id_token with `idTokenClaims: 'all'`. */
export interface SandboxUser {
  companyId: string;
  username: string;
  password: string;
  /** `sub` is required; JustLogin's own claims (`CompanyGUID`, `UserGUID`, `role` as a string or an array, …) are optional. */
  claims: { sub: string; [claim: string]: unknown };
}

/** The next `count` calls to the API answer `status` (with `Retry-After: retryAfter` seconds when given; 1 s for 429). */
export interface ApiFault {
  status: 429 | 500 | 502 | 503 | 504;
  count: number;
  retryAfter?: number;
}

/** One request the token endpoint answered. Never holds a secret or a token. */
export interface TokenRequest {
  /** The `client_id` of the request, when it names a registered client. */
  clientID?: string;
  /** `authorization_code`, `refresh_token`, …; `-` when missing or unreadable. */
  grantType: string;
  /** The HTTP status the sandbox answered. */
  status: number;
  /** refresh_token grants: the first 12 hex digits of the SHA-256 of the refresh token presented (`-` when none). */
  refreshTokenId?: string;
}

/**
 * The tokens a sandbox issues. JustLogin's IdentityServer, by its defaults, issues JWT access tokens
 * and id_tokens with protocol claims only (`{ access: 'jwt', idTokenClaims: 'protocol' }`).
 */
export interface SandboxTokenShapes {
  /**
   * `'jwt'`: access tokens are JWTs (header `typ: at+jwt`, RS256, `kid`, signed with the key the
   * JWKS serves) carrying the user's claims (`CompanyGUID`, `UserGUID`, `name`, `role`, …) with `iss`,
   * `sub`, `aud` (`${issuer}/resources`), `exp`, `iat`, `nbf`, `client_id`, `scope` (an array), `jti`,
   * `auth_time`, `idp`, `amr` and `sid`. `'opaque'`: reference tokens. Default `'jwt'`.
   */
  access?: 'jwt' | 'opaque';
  /**
   * `'protocol'`: the id_token carries `sub`, `auth_time`, `idp`, `amr`, `sid`, `iss`, `aud`, `exp`,
   * `iat`, `nbf` and `nonce` (when sent) only. `'all'`: the user's claims too. Default `'protocol'`.
   */
  idTokenClaims?: 'protocol' | 'all';
  /**
   * `'one-time'`: each refresh returns a new refresh token and the spent one gets `invalid_grant`
   * (IdentityServer 4). `'reuse'`: a refresh token stays valid and comes back unchanged (Duende 7).
   * Default `'one-time'`.
   */
  refreshTokens?: 'one-time' | 'reuse';
}

export interface SandboxOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default `127.0.0.1`. An address that is not loopback (such as `0.0.0.0`) is refused unless `allowNetwork` is true. */
  host?: string;
  /**
   * Default false. True lets `host` be an address other machines can reach; every such start warns on
   * stderr that the sandbox's passwords (the demo users' are published) and client secrets are reachable.
   */
  allowNetwork?: boolean;
  /** The apps that may sign users in. */
  clients: SandboxClient[];
  /** Replace the demo users (DEMO_USERS) with these. */
  users?: SandboxUser[];
  /** Access token lifetime in seconds; default 3600. */
  accessTokenTTL?: number;
  /** The shapes of the tokens it issues; each one left out takes its default. */
  tokens?: SandboxTokenShapes;
  /** Test switches for the API: `api` fails the first calls; `control` serves GET/POST `/_sandbox/api-faults`. */
  faults?: { api?: ApiFault; control?: boolean };
  /** Called once per answered token request. */
  onTokenRequest?: (request: TokenRequest) => void;
  /**
   * A file that keeps what the sandbox issued (its signing key, grants, tokens and sessions) across
   * restarts: read when it starts (when it exists), written when it stops (mode 0600), after the
   * requests under way have finished. A file that is not a sandbox data file is a TypeError.
   */
  dataFile?: string;
}

/** What `signOutEverywhere()` did. */
export interface SignedOutEverywhere {
  /** How many of the user's sessions at the sandbox it ended. */
  sessions: number;
  /** Each client with a `backchannelLogoutURI`, and the HTTP status its endpoint answered (0: none within 2.5 s). */
  notified: { clientID: string; status: number }[];
}

/** A running sandbox. */
export interface Sandbox {
  /** e.g. `http://127.0.0.1:40123`: the `baseURL` of passport-justlogin, and the API's origin. */
  origin: string;
  /** `${origin}/v1/auth`; discovery at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  clients: SandboxClient[];
  users: SandboxUser[];
  /** The shapes of the tokens it issues. */
  tokens: Required<SandboxTokenShapes>;
  /** Every answered token request so far, in order. */
  tokenRequests: readonly TokenRequest[];
  /** Resolves with `tokenRequests` once it holds `count` entries; rejects after `timeoutMs` (default 2000). */
  waitForTokenRequests(count: number, timeoutMs?: number): Promise<readonly TokenRequest[]>;
  /**
   * Signs a user out everywhere: ends each of their sessions at the sandbox, revokes those sessions'
   * grants (their refresh and access tokens), and posts each client with a `backchannelLogoutURI` one
   * logout token naming the user (`sub`, no `sid`). Rejects when there is no such user.
   */
  signOutEverywhere(user: { companyId: string; username: string } | { sub: string }): Promise<SignedOutEverywhere>;
  /** Stops the server (and its process, from CommonJS). */
  stop(): Promise<void>;
}

/**
 * Starts the sandbox and resolves once it listens. Rejects with a TypeError naming a bad option,
 * or with the listen error (`code: 'EADDRINUSE'`). From CommonJS it runs in a child process, from
 * an ES module in this process.
 *
 * @example
 * const sandbox = await startSandbox({
 *   clients: [{ clientID: 'my-app', clientSecret: 'my-secret', redirectURIs: ['http://localhost:3000/auth/justlogin/callback'] }],
 * });
 * // new JustLoginStrategy({ clientID: 'my-app', clientSecret: 'my-secret', callbackURL, baseURL: sandbox.origin }, verify)
 * await sandbox.stop();
 */
export declare function startSandbox(options: SandboxOptions): Promise<Sandbox>;

/** The seeded demo users: ACME alice (HR Admin) and bob, GLOBEX carol. Passwords are `<username>-pass`. */
export declare const DEMO_USERS: readonly SandboxUser[];

/** Cookies kept by origin for signIn() with fetch; send them on with `header(url)`. */
export declare class CookieJar {
  /** The `Cookie` header value for `url` (`''` when none). */
  header(url: string | URL): string;
  /** Keeps the cookies a fetch response from `url` sets. */
  store(url: string | URL, response: Response): void;
}

/** The sandbox refused the sign-in (`reason`: the page's message), or the flow went astray. */
export declare class SandboxSignInError extends Error {
  readonly reason?: string;
}

/** What signIn() needs to reach the app: anything with `get(path)`, such as `supertest.agent(app)`. */
export interface AgentLike<R> {
  get(path: string): PromiseLike<R>;
}

interface SignInCommon {
  companyId: string;
  username: string;
  password: string;
  /** Default true: "Yes, allow" on the consent page; false answers "No, deny". */
  consent?: boolean;
}

/**
 * Signs a user in to an app through the sandbox's pages, without a browser: starts at `start`
 * (the app's sign-in route), follows the app to the sandbox, fills in Company Id, Username and
 * Password, answers the consent page, and returns the app's response to the callback.
 * Throws SandboxSignInError when the sandbox refuses the credentials.
 *
 * @example
 * const agent = request.agent(app);
 * const res = await signIn({ agent, start: '/auth/justlogin', ...DEMO_USERS[0] });
 */
export declare function signIn<R>(
  options: SignInCommon & { agent: AgentLike<R>; start: string; followCallback?: true },
): Promise<R>;
export declare function signIn(
  options: SignInCommon & {
    start: string;
    cookies?: CookieJar;
    fetch?: typeof fetch;
    agent?: undefined;
    followCallback?: true;
  },
): Promise<Response>;
/**
 * With `followCallback: false`, signIn() does all of the above but the last step: it resolves with
 * the URL the sandbox sends the browser back to (the app's callback with `code`, `state` and `iss`,
 * or with `error`) without requesting it, for tests of what the callback does with it.
 *
 * @example
 * const callback = await signIn({ agent, start: '/auth/justlogin', ...DEMO_USERS[0], followCallback: false });
 * await agent.get(`${callback.pathname}${callback.search}`);
 */
export declare function signIn(
  options: SignInCommon & {
    start: string;
    agent?: AgentLike<unknown>;
    cookies?: CookieJar;
    fetch?: typeof fetch;
    followCallback: false;
  },
): Promise<URL>;
