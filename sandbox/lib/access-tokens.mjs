// The access tokens a sandbox issued, as its API and its token endpoint check them: opaque ones
// (oidc-provider's storage) and JWTs (`typ: at+jwt`, RS256, the sandbox's `kid`), whose signature,
// issuer, audience and type are checked before any of their claims is used.
import { createPublicKey, verify } from 'node:crypto';

/** Longer Bearer values are refused unread. */
export const MAX_ACCESS_TOKEN_LENGTH = 4096;

const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

const isJwt = (value) => typeof value === 'string' && value.length <= MAX_ACCESS_TOKEN_LENGTH && JWT.test(value);

/** The JSON object in a base64url JWT part, or undefined. */
function objectIn(part) {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the JWT access tokens signed with `signingKey` (the sandbox's private JWK, with `kid`) for
 * `issuer` and `audience`: `read(value)` returns a token's claims, or undefined for anything else.
 * Expiry is left to the caller (the token endpoint accepts an expired access token as Bearer).
 */
export function jwtAccessTokenReader({ signingKey, issuer, audience }) {
  const publicKey = createPublicKey({ key: signingKey, format: 'jwk' });
  return function read(value) {
    if (!isJwt(value)) return undefined;
    const [header, payload, signature] = value.split('.');
    const { alg, typ, kid } = objectIn(header) ?? {};
    if (alg !== 'RS256' || typ !== 'at+jwt' || kid !== signingKey.kid) return undefined;
    const signed = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      publicKey,
      Buffer.from(signature, 'base64url'),
    );
    const claims = signed ? objectIn(payload) : undefined;
    if (claims?.iss !== issuer || ![claims.aud].flat().includes(audience)) return undefined;
    const wellFormed =
      typeof claims.sub === 'string' &&
      typeof claims.client_id === 'string' &&
      typeof claims.jti === 'string' &&
      Number.isInteger(claims.exp);
    return wellFormed ? claims : undefined;
  };
}

/**
 * The access tokens `provider` issues, opaque or JWT (read with `readJwt`, a jwtAccessTokenReader),
 * as the sandbox's API and token endpoint check them; `saved` is what an earlier `saved()` returned.
 */
export function createAccessTokens({ provider, readJwt, saved = [] }) {
  // jti (an opaque token's value) -> { clientId, grantId } of every access token issued. Kept after
  // expiry: apps refresh exactly when the token has expired, and oidc-provider forgets expired ones.
  const issued = new Map(saved);
  const remember = (token) => issued.set(token.jti, { clientId: token.clientId, grantId: token.grantId });
  provider.on('access_token.saved', remember); // opaque
  provider.on('access_token.issued', remember); // JWT

  return {
    /** Every access token issued, for a data file. */
    saved: () => [...issued],

    /** The client an access token was issued to, expired or not; undefined for anything else. */
    clientOf(value) {
      return issued.get(isJwt(value) ? readJwt(value)?.jti : value)?.clientId;
    },

    /** `{ accountId }` of a live access token (not expired, its grant not revoked); undefined for anything else. */
    async find(value) {
      if (typeof value !== 'string' || value.length > MAX_ACCESS_TOKEN_LENGTH) return undefined;
      if (!isJwt(value)) {
        const token = await provider.AccessToken.find(value);
        return token && !token.isExpired ? { accountId: token.accountId } : undefined;
      }
      const claims = readJwt(value);
      const token = claims && issued.get(claims.jti);
      if (!token || claims.exp <= Math.floor(Date.now() / 1000)) return undefined;
      // Revoking a grant (a code redeemed twice, a sign-out) destroys it; a JWT outlives it unless asked.
      return (await provider.Grant.find(token.grantId)) ? { accountId: claims.sub } : undefined;
    },
  };
}
