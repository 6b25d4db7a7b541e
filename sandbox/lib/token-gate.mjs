// What JustLogin's IdentityServer does at its token endpoint that oidc-provider does differently.
// This Express handler sits in front of oidc-provider's token endpoint and:
// - accepts JustLogin's documented refresh request, which sends `Authorization: Bearer <access_token>`
//   next to the client credentials in the body. oidc-provider refuses two credentials, so the
//   Bearer token is checked here (an access token, opaque or JWT, this sandbox issued to the same
//   client_id, expired or not) and oidc-provider gets the request without the header;
// - refuses any other Authorization header (clients authenticate with client_secret_post only);
// - answers a refresh token that was already used with invalid_grant, leaving the rest of the grant
//   alone (oidc-provider would revoke the whole grant, IdentityServer does not);
// - reports each request once answered: `{ clientID?, grantType, status, refreshTokenId? }`, where
//   refreshTokenId (refresh_token grants only) is the first 12 hex digits of the SHA-256 of the
//   refresh token presented, never the token.
import { createHash } from 'node:crypto';
import { IncomingMessage } from 'node:http';

const BODY_LIMIT = 56 * 1024;

/**
 * @param {object} options
 * @param {import('oidc-provider').default} options.provider
 * @param {ReturnType<import('./access-tokens.mjs').createAccessTokens>} options.accessTokens  the access tokens it issued
 * @param {(req: IncomingMessage, res: import('node:http').ServerResponse) => void} options.forward oidc-provider's request handler
 * @param {string[]} options.clientIDs  the registered clients, the only ones named in reports
 * @param {(request: { clientID?: string, grantType: string, status: number, refreshTokenId?: string }) => void} options.onTokenRequest
 */
export function tokenGate({ provider, accessTokens, forward, clientIDs, onTokenRequest }) {
  async function refusal(form, authorization) {
    if (authorization !== undefined) {
      const [, scheme, token] = /^(\S+)\s+(\S+)$/.exec(authorization) ?? [];
      if (scheme?.toLowerCase() !== 'bearer') {
        return [401, 'invalid_client', 'client authentication must use client_secret_post (credentials in the body)'];
      }
      if (accessTokens.clientOf(token) !== form.get('client_id')) {
        return [401, 'invalid_token', 'the Bearer token is not an access token issued to this client'];
      }
    }
    if (form.get('grant_type') === 'refresh_token') {
      const refreshToken = await provider.RefreshToken.find(form.get('refresh_token') ?? undefined, {
        ignoreExpiration: true,
      });
      if (refreshToken?.consumed) return [400, 'invalid_grant', 'refresh token already used'];
    }
    return undefined;
  }

  return async function handleTokenRequest(req, res) {
    const body = await readBody(req);
    const form = new URLSearchParams(body?.toString('utf8'));
    const clientID = clientIDs.includes(form.get('client_id')) ? form.get('client_id') : undefined;
    const grantType = /^[\w:.-]{1,100}$/.test(form.get('grant_type') ?? '') ? form.get('grant_type') : '-';
    const presented =
      grantType === 'refresh_token' ? { refreshTokenId: refreshTokenId(form.get('refresh_token')) } : {};
    res.on('finish', () =>
      onTokenRequest({ ...(clientID ? { clientID } : {}), grantType, status: res.statusCode, ...presented }),
    );

    const refused = body
      ? await refusal(form, req.headers.authorization)
      : [413, 'invalid_request', 'request body too large'];
    if (refused) {
      const [status, error, description] = refused;
      res.set('Cache-Control', 'no-store');
      if (error === 'invalid_token') res.set('WWW-Authenticate', `Bearer error="invalid_token"`);
      res.status(status).json({ error, error_description: description });
      return;
    }
    forward(copyWithoutAuthorization(req, body), res);
  };
}

/** Names a refresh token in a log line without revealing it: 12 hex digits of its SHA-256. */
function refreshTokenId(refreshToken) {
  return refreshToken ? createHash('sha256').update(refreshToken).digest('hex').slice(0, 12) : '-';
}

/** The whole request body, or undefined when it is larger than BODY_LIMIT. */
async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A fresh, readable copy of a request whose body was already read, minus its Authorization header. */
function copyWithoutAuthorization(req, body) {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.originalUrl = req.originalUrl;
  copy.headers = { ...req.headers, 'content-length': String(body.length) };
  delete copy.headers.authorization;
  delete copy.headers['transfer-encoding'];
  copy.push(body);
  copy.push(null);
  copy.complete = true; // the whole body is there; otherwise Node treats the copy as aborted
  return copy;
}
