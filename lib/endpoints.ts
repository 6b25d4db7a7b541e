/** JustLogin's hosts, by environment name. */
export const ENVIRONMENTS = {
  production: 'https://apis.justlogin.com',
  sandbox: 'https://apis.justloginstaging.xyz',
} as const;

/** The environments JustLogin runs. */
export type JustLoginEnvironment = keyof typeof ENVIRONMENTS;

export const AUTHORIZE_PATH = '/v1/auth/connect/authorize';
export const TOKEN_PATH = '/v1/auth/connect/token';
export const JWKS_PATH = '/v1/auth/.well-known/openid-configuration/jwks';

/** How a caller names the JustLogin it talks to. */
export interface EndpointOptions {
  /** `'production'` (default) or `'sandbox'`. */
  environment?: JustLoginEnvironment;
  /** Any other JustLogin host, e.g. a local sandbox: `http://127.0.0.1:4000`. */
  baseURL?: string;
  /** Overrides the authorize endpoint derived from `environment` / `baseURL`. */
  authorizationURL?: string;
  /** Overrides the token endpoint derived from `environment` / `baseURL`. */
  tokenURL?: string;
}

export interface Endpoints {
  baseURL: string;
  authorizationURL: string;
  tokenURL: string;
}

/**
 * Resolves the authorize and token endpoints. Throws a `TypeError` naming the
 * option for an unknown environment or a base URL that is not http(s).
 */
export function resolveEndpoints(options: EndpointOptions): Endpoints {
  const { environment, baseURL } = options;
  if (environment !== undefined && !Object.hasOwn(ENVIRONMENTS, environment)) {
    throw new TypeError(
      `passport-justlogin: unknown \`environment\` ${JSON.stringify(environment)}; use 'production' or 'sandbox', or set \`baseURL\``,
    );
  }
  let base: string = ENVIRONMENTS[environment ?? 'production'];
  if (baseURL !== undefined) {
    base = checkHttpURL(baseURL, 'baseURL').replace(/\/+$/, '');
  }
  return {
    baseURL: base,
    authorizationURL:
      options.authorizationURL !== undefined
        ? checkHttpURL(options.authorizationURL, 'authorizationURL')
        : base + AUTHORIZE_PATH,
    tokenURL: options.tokenURL !== undefined ? checkHttpURL(options.tokenURL, 'tokenURL') : base + TOKEN_PATH,
  };
}

/** Returns `value` when it is an http(s) URL; throws a `TypeError` naming `option` otherwise. */
export function checkHttpURL(value: unknown, option: string): string {
  let url: URL | undefined;
  if (typeof value === 'string') {
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new TypeError(`passport-justlogin: \`${option}\` must be an http(s) URL`);
  }
  return value as string;
}
