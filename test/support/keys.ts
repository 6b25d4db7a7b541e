import { exportJWK, generateKeyPair, SignJWT, type JWK, type KeyLike } from 'jose';

/** A signing key with its public JWK, as an identity server holds it. */
export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: KeyLike | Uint8Array;
  jwk: JWK;
}

export async function signingKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, jwk };
}

/** Signs `claims` as an id_token with `key` (header `kid` overridable). */
export function signIdToken(claims: Record<string, unknown>, key: SigningKey, kid: string = key.kid): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid, typ: 'JWT' }).sign(key.privateKey);
}
