// oidc-provider configured to behave like JustLogin's IdentityServer (see the README beside this file).
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

import { CLAIM_NAMES, findAccount } from './accounts.mjs';
import { createMemoryAdapter } from './memory-adapter.mjs';
import { errorPage } from './pages.mjs';

const DAY = 24 * 60 * 60;

/** IdentityServer's endpoint paths, relative to the issuer (`<origin>/v1/auth`). */
export const ROUTES = {
  authorization: '/connect/authorize',
  token: '/connect/token',
  userinfo: '/connect/userinfo',
  jwks: '/.well-known/openid-configuration/jwks',
  pushed_authorization_request: '/connect/par',
};

/** A fresh RS256 signing key (private JWK); its public half is served at the JWKS URL. */
function generateSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

/**
 * @param {object} options
 * @param {string} options.issuer          `<origin>/v1/auth`
 * @param {string} options.interactionsPath where the sign-in and consent pages are served
 * @param {string} options.clientId
 * @param {string} options.clientSecret
 * @param {string[]} options.redirectUris
 * @param {number} options.accessTokenTTL  seconds
 */
export function createProvider(options) {
  return new Provider(options.issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    clientAuthMethods: ['client_secret_post'],
    responseTypes: ['code'],
    allowOmittingSingleRegisteredRedirectUri: false,
    routes: ROUTES,
    jwks: { keys: [generateSigningKey()] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    adapter: createMemoryAdapter(),
    findAccount,

    // All of JustLogin's user claims go into the id_token of the code flow under scope `openid`.
    claims: { openid: ['sub', 'auth_time', 'amr', 'idp', ...CLAIM_NAMES] },
    conformIdTokenClaims: false,

    // JustLogin returns a refresh token for scope `openid` alone (oidc-provider's default wants
    // `offline_access`); a refresh token is single-use and outlives the browser session.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
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

    // PKCE keeps oidc-provider's default: optional for this confidential client, verified when sent.
    interactions: {
      url: async (_ctx, interaction) => `${options.interactionsPath}/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
    },
    clientBasedCORS: () => false,
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage([out.error, out.error_description].filter(Boolean).join(': '));
    },
  });
}
