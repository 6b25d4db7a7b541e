// oidc-provider configured to behave like JustLogin's IdentityServer (see the README of this package).
import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

import { createMemoryAdapter } from './memory-adapter.mjs';
import { errorPage, logoutPage, signedOutPage } from './pages.mjs';

const DAY = 24 * 60 * 60;
const UNSUPPORTED_RUNTIME = 'oidc-provider WARNING: Unsupported runtime.';

/** IdentityServer's endpoint paths, relative to the issuer (`<origin>/v1/auth`). */
export const ROUTES = {
  authorization: '/connect/authorize',
  token: '/connect/token',
  userinfo: '/connect/userinfo',
  end_session: '/connect/endsession',
  revocation: '/connect/revocation',
  jwks: '/.well-known/openid-configuration/jwks',
  pushed_authorization_request: '/connect/par',
};

let loading;

/**
 * oidc-provider (`{ Provider, errors }`), loaded once. On Node 20 oidc-provider 9 warns "Unsupported
 * runtime" as it loads, though it works there (this package is tested on Node 20): that one
 * line, and only while oidc-provider loads, is not printed.
 */
export function loadProvider() {
  loading ??= (async () => {
    const warn = console.warn;
    console.warn = (first, ...rest) => {
      if (typeof first === 'string' && first.includes(UNSUPPORTED_RUNTIME)) return;
      warn.call(console, first, ...rest);
    };
    try {
      const { Provider, errors } = await import('oidc-provider');
      return { Provider, errors };
    } finally {
      console.warn = warn;
    }
  })();
  return loading;
}

/** A fresh RS256 signing key (private JWK); its public half is served at the JWKS URL. */
export async function generateSigningKey() {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/** The claims of an IdentityServer id_token (besides iss, aud, exp, iat, nonce and sid, which oidc-provider adds). */
const PROTOCOL_CLAIMS = ['sub', 'auth_time', 'amr', 'idp', 'nbf'];

/**
 * JWT access tokens as IdentityServer makes them: the API resource's audience, `scope` as an array,
 * the sign-in's `nbf`, `auth_time`, `idp` and `amr`, and the user's claims (JustLogin's `CompanyGUID`,
 * `UserGUID`, `role`, …), none of them replacing a protocol claim.
 */
function identityServerAccessToken(accounts) {
  return async (ctx, token, jwt) => {
    const { payload } = jwt;
    const signIn = ctx.oidc.entities.AuthorizationCode ?? ctx.oidc.entities.RefreshToken;
    Object.assign(payload, {
      nbf: payload.iat,
      scope: payload.scope?.split(' ') ?? [],
      auth_time: signIn?.authTime,
      idp: 'local',
      amr: signIn?.amr,
      sid: token.sid,
    });
    for (const [name, value] of Object.entries(accounts.findUserBySub(token.accountId)?.claims ?? {})) {
      if (!(name in payload)) payload[name] = value;
    }
  };
}

/**
 * @param {object} options
 * @param {{ Provider: Function, errors: object }} options.oidc  oidc-provider (loadProvider())
 * @param {object} options.signingKey          generateSigningKey()
 * @param {string} options.issuer              `<origin>/v1/auth`
 * @param {string} options.apiAudience         the `aud` of JWT access tokens
 * @param {string} options.interactionsPath    where the sign-in and consent pages are served
 * @param {{ clientID: string, clientSecret: string, redirectURIs: string[], clientName?: string }[]} options.clients
 * @param {ReturnType<import('./accounts.mjs').createAccounts>} options.accounts
 * @param {number} options.accessTokenTTL      seconds
 * @param {{ access: 'jwt' | 'opaque', idTokenClaims: 'protocol' | 'all', refreshTokens: 'one-time' | 'reuse' }} options.tokens
 * @param {string[]} [options.cookieKeys]     keys of oidc-provider's cookies; default: one new random key
 * @param {Function} [options.adapter]        oidc-provider's storage; default: a new createMemoryAdapter()
 */
export function createProvider(options) {
  const { oidc, accounts, tokens, apiAudience } = options;
  const idTokenClaims =
    tokens.idTokenClaims === 'all'
      ? [...PROTOCOL_CLAIMS, ...accounts.claimNames.filter((name) => !PROTOCOL_CLAIMS.includes(name))]
      : PROTOCOL_CLAIMS;
  // JWT access tokens are oidc-provider's for a resource server: the API, its one resource,
  // implied when the app names none.
  const jwtAccessTokens = {
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => apiAudience,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resource) => {
        if (resource !== apiAudience) throw new oidc.errors.InvalidTarget();
        return { scope: 'openid', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  };
  const provider = new oidc.Provider(options.issuer, {
    clients: options.clients.map((client) => ({
      client_id: client.clientID,
      client_secret: client.clientSecret,
      client_name: client.clientName,
      redirect_uris: client.redirectURIs,
      // After signing out at the end_session endpoint, back to the app's home page, or to a page it registered.
      post_logout_redirect_uris: [
        ...new Set([
          ...client.redirectURIs.map((uri) => new URL('/', uri).href),
          ...(client.postLogoutRedirectURIs ?? []),
        ]),
      ],
      // IdentityServer's back-channel logout: a logout token with the session's `sid` when it ends.
      ...(client.backchannelLogoutURI
        ? { backchannel_logout_uri: client.backchannelLogoutURI, backchannel_logout_session_required: true }
        : {}),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    clientAuthMethods: ['client_secret_post'],
    responseTypes: ['code'],
    allowOmittingSingleRegisteredRedirectUri: false,
    routes: ROUTES,
    jwks: { keys: [options.signingKey] },
    cookies: { keys: options.cookieKeys ?? [randomBytes(32).toString('base64url')] },
    adapter: options.adapter ?? createMemoryAdapter(),
    findAccount: accounts.findAccount,

    // The id_token of the code flow under scope `openid`: IdentityServer's protocol claims, and with
    // `idTokenClaims: 'all'` every claim of the user (AlwaysIncludeUserClaimsInIdToken).
    claims: { openid: idTokenClaims },
    conformIdTokenClaims: false,
    ...(tokens.access === 'jwt' ? { formats: { customizers: { jwt: identityServerAccessToken(accounts) } } } : {}),

    // JustLogin returns a refresh token for scope `openid` alone (oidc-provider's default wants
    // `offline_access`); a refresh token outlives the browser session and is one-time or reused.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: tokens.refreshTokens === 'one-time',
    expiresWithSession: async () => false,

    ttl: {
      AccessToken: options.accessTokenTTL,
      AuthorizationCode: 300,
      IdToken: 300,
      RefreshToken: 30 * DAY,
      Grant: 30 * DAY,
      Session: 14 * DAY,
      Interaction: 60 * 60,
    },

    // PKCE keeps oidc-provider's default: optional for these confidential clients, verified when sent.
    interactions: {
      url: async (_ctx, interaction) => `${options.interactionsPath}/${interaction.uid}`,
    },
    features: {
      ...(tokens.access === 'jwt' ? jwtAccessTokens : {}),
      devInteractions: { enabled: false },
      // A client revokes its own tokens only; another client's are left alone with 200, as
      // IdentityServer answers. Revoking a refresh token revokes its grant, access tokens included.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          const confirmed = Boolean(ctx.oidc.params.id_token_hint && ctx.oidc.client);
          ctx.body = logoutPage({ form, clientName: ctx.oidc.client?.clientName, confirmed });
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = signedOutPage();
        },
      },
    },
    clientBasedCORS: () => false,
    // Back-channel logout tokens go to apps on this machine, which oidc-provider's guard against
    // requests to special-use addresses (127.0.0.0/8 among them) would refuse.
    fetch: (url, { dispatcher: _guard, ...init }) => fetch(url, init),
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage([out.error, out.error_description].filter(Boolean).join(': '));
    },
  });
  // IdentityServer puts the session's `sid` in the tokens of every sign-in; oidc-provider only for
  // clients with back-channel logout.
  provider.Client.prototype.includeSid = () => true;
  return provider;
}
