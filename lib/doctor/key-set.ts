import { createPublicKey } from 'node:crypto';
import { ID_TOKEN_ALGORITHMS } from '../client/id-token-signature';

/** The algorithm each EC curve signs with (RFC 7518 §3.4), as Node names the curve. */
const CURVE_ALGORITHMS: Record<string, string> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' };

/** What a JSON Web Key Set holds for checking id_token signatures. */
export interface KeySetSummary {
  /** The keys the package can check id_token signatures with. */
  signingKeys: number;
  /** Their algorithms (the key's `alg`, or the family's usual one), each once. */
  algorithms: string[];
  /** Keys that carry private parts: a key set must never publish them. */
  privateKeys: number;
}

/**
 * Reads a JWKS (RFC 7517 §5) as the package's id_token check uses it: a key
 * counts when Node takes it as a public key of a type the package checks (RSA
 * of 2048 bits or more, EC on P-256, P-384 or P-521, Ed25519 or Ed448), with
 * an `alg` the package accepts when it has one, and not marked `use: "enc"`.
 * Returns `undefined` when `text` is not a JSON object with a `keys` array.
 */
export function summarizeKeySet(text: string): KeySetSummary | undefined {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  const keys = (document as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return undefined;
  const algorithms = new Set<string>();
  let signingKeys = 0;
  let privateKeys = 0;
  for (const key of keys as unknown[]) {
    if (typeof key !== 'object' || key === null) continue;
    const jwk = key as Record<string, unknown>;
    if (jwk.d !== undefined) privateKeys += 1;
    const algorithm = jwk.use === 'enc' || jwk.d !== undefined ? undefined : algorithmOf(jwk);
    if (algorithm) {
      signingKeys += 1;
      algorithms.add(algorithm);
    }
  }
  return { signingKeys, algorithms: [...algorithms], privateKeys };
}

/** The algorithm `jwk` checks signatures with, or `undefined` when the package could not use it. */
function algorithmOf(jwk: Record<string, unknown>): string | undefined {
  let type: string | undefined;
  let details: { modulusLength?: number; namedCurve?: string } | undefined;
  try {
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    type = key.asymmetricKeyType;
    details = key.asymmetricKeyDetails;
  } catch {
    return undefined;
  }
  const usual =
    type === 'rsa' && (details?.modulusLength ?? 0) >= 2048
      ? 'RS256'
      : type === 'ec'
        ? CURVE_ALGORITHMS[details?.namedCurve ?? '']
        : type === 'ed25519' || type === 'ed448'
          ? 'EdDSA'
          : undefined;
  if (!usual || jwk.alg === undefined) return usual;
  const alg = jwk.alg as string;
  const fits = usual === 'RS256' ? /^(RS|PS)(256|384|512)$/.test(alg) : alg === usual;
  return fits && ID_TOKEN_ALGORITHMS.includes(alg) ? alg : undefined;
}
