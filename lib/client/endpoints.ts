import { JustLoginOptionsError } from '../errors';
import type { OptionRule } from './options';

/**
 * The environments JustLogin runs: `'production'` and `'staging'`, its hosted test environment.
 *
 * @group Sign-in
 */
export type JustLoginEnvironment = 'production' | 'staging';

/** JustLogin's hosts, by environment name. */
export const ENVIRONMENTS: Readonly<Record<JustLoginEnvironment, string>> = {
  production: 'https://apis.justlogin.com',
  staging: 'https://apis.justloginstaging.xyz',
};

export const AUTHORIZE_PATH = '/v1/auth/connect/authorize';
export const TOKEN_PATH = '/v1/auth/connect/token';
export const JWKS_PATH = '/v1/auth/.well-known/openid-configuration/jwks';

/** How a caller names the JustLogin it talks to. */
export interface EndpointOptions {
  /** `'production'` (default) or `'staging'`, JustLogin's hosted test environment. */
  environment?: JustLoginEnvironment;
  /** Any other JustLogin host, e.g. the local justlogin-sandbox: `http://127.0.0.1:4000`. */
  baseURL?: string;
  /** Overrides the authorize endpoint derived from `environment` / `baseURL`. */
  authorizationURL?: string;
  /** Overrides the token endpoint derived from `environment` / `baseURL`. */
  tokenURL?: string;
  /**
   * Allow plain `http://` to hosts other than loopback (default `false`).
   * Without it every endpoint must be `https://`, or `http://` to `localhost`,
   * `127.0.0.0/8` or `[::1]`: over plain http the client secret, codes and
   * tokens travel in clear text.
   */
  allowInsecureRequests?: boolean;
}

/**
 * Where IdentityServer serves `name` (`endsession`, `revocation`) by default: beside the token
 * endpoint, e.g. `…/v1/auth/connect/endsession`. Inferred: JustLogin documents neither endpoint.
 */
export function besideTokenEndpoint(tokenURL: string, name: 'endsession' | 'revocation'): string {
  return new URL(name, tokenURL).href;
}

export interface Endpoints {
  baseURL: string;
  authorizationURL: string;
  tokenURL: string;
}

/** The endpoints named by checked settings: `baseURL` (else `environment`'s host) and the paths under it, unless given. */
export function endpointsOf(settings: {
  readonly environment: JustLoginEnvironment;
  readonly baseURL?: string;
  readonly authorizationURL?: string;
  readonly tokenURL?: string;
}): Endpoints {
  const base = settings.baseURL?.replace(/\/+$/, '') ?? ENVIRONMENTS[settings.environment];
  return {
    baseURL: base,
    authorizationURL: settings.authorizationURL ?? base + AUTHORIZE_PATH,
    tokenURL: settings.tokenURL ?? base + TOKEN_PATH,
  };
}

/**
 * Returns `value` when it is an https URL, or an http URL to a loopback host
 * (any http host when `allowInsecure`); throws a `JustLoginOptionsError` naming `option` otherwise.
 */
export function checkHttpURL(value: unknown, option: string, allowInsecure: boolean): string {
  const problem = httpURLProblem(value, allowInsecure);
  if (problem) throw new JustLoginOptionsError('JustLoginClient', [`\`${option}\` ${problem}`]);
  return value as string;
}

/** What keeps `value` from being an endpoint URL (https, or http to loopback unless `allowInsecure`), or `undefined`. */
export function httpURLProblem(value: unknown, allowInsecure: boolean): string | undefined {
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return 'must be an http(s) URL';
  if (url.protocol === 'http:' && !allowInsecure && !isLoopbackHost(url.hostname)) {
    return 'must use https:// (plain http:// is allowed for localhost, 127.0.0.0/8 and [::1], or anywhere with `allowInsecureRequests: true`)';
  }
  return undefined;
}

/**
 * What keeps a URL option from being used when it holds a user name or
 * password, or `undefined`. The message never quotes them.
 */
export function credentialsProblem(url: URL): string | undefined {
  return url.username !== '' || url.password !== ''
    ? "must not hold a user name or password (`https://user:pass@…`): they would be sent with every request and shown in the browser's redirects"
    : undefined;
}

/**
 * The option rule for an endpoint URL: {@link httpURLProblem} under the
 * options' `allowInsecureRequests`, and no user name or password.
 */
export const endpointURL: OptionRule = (value, options) =>
  httpURLProblem(value, options.allowInsecureRequests === true) ?? credentialsProblem(new URL(value as string));

/** The option rule for `issuer`: a URL, without a user name or password. */
export const issuerRule: OptionRule = (value) =>
  typeof value === 'string' && URL.canParse(value)
    ? credentialsProblem(new URL(value))
    : 'must be a URL, e.g. https://apis.justlogin.com/v1/auth';

/**
 * The option rule for `allowedEndpointOrigins`: origins as `new URL(…).origin`
 * writes them (scheme, host and port), each https, or http to a loopback host
 * (any host under `allowInsecureRequests`).
 */
export const endpointOriginsRule: OptionRule = (value, options) =>
  Array.isArray(value) &&
  value.every(
    (origin) =>
      typeof origin === 'string' &&
      URL.canParse(origin) &&
      new URL(origin).origin === origin &&
      httpURLProblem(origin, options.allowInsecureRequests === true) === undefined,
  )
    ? undefined
    : "must be a list of origins (scheme, host and port, no path), each https or http to a loopback host (any host with `allowInsecureRequests`), e.g. ['https://keys.justlogin.example']";

/**
 * The option rule for `baseURL`: an endpoint URL naming JustLogin's host, not
 * the issuer (`…/v1/auth`, as the sandbox prints it), to which the paths
 * `/v1/auth/connect/…` are appended.
 */
export const baseURLRule: OptionRule = (value, options) => {
  const problem = endpointURL(value, options);
  if (problem) return problem;
  const url = new URL(value as string);
  if (/\/v1\/auth\/*$/i.test(url.pathname)) {
    const host = `${url.origin}${url.pathname.replace(/\/v1\/auth\/*$/i, '')}`;
    return `names the issuer (${url.origin}${url.pathname}), not JustLogin's host: the paths /v1/auth/connect/… are added to it; use \`baseURL: '${host}'\` (and give the issuer as \`issuer\`)`;
  }
  if (url.search || url.hash)
    return 'must not have a query or a fragment: the paths /v1/auth/connect/… are added to it';
  return undefined;
};

/** The option rule for `environment`. */
export const environmentRule: OptionRule = (value) => {
  if (typeof value === 'string' && Object.hasOwn(ENVIRONMENTS, value)) return undefined;
  if (value === 'sandbox') {
    return "is 'sandbox': did you mean 'staging', JustLogin's hosted test environment? (the local justlogin-sandbox takes `baseURL`, e.g. `baseURL: 'http://127.0.0.1:4000'`)";
  }
  return "must be 'production' or 'staging' (or set `baseURL` for any other JustLogin host)";
};

/** True for `localhost`, `127.0.0.0/8` and `[::1]`, as the WHATWG URL parser writes hostnames. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
