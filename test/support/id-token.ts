/** Encodes claims as a compact JWT with a placeholder signature (signatures are not checked by default). */
export function fakeIdToken(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'RS256' },
): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(claims)}.c2lnbmF0dXJl`;
}

/** Claims JustLogin would put in an id_token for `clientID`, issued now. */
export function idTokenClaims(clientID: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'https://apis.justlogin.com/v1/auth',
    sub: 'user-42',
    aud: clientID,
    exp: now + 300,
    iat: now,
    nbf: now,
    auth_time: now,
    idp: 'local',
    amr: ['pwd'],
    name: 'Alice Tan',
    preferred_username: 'alice',
    email: 'alice@acme.example',
    ...overrides,
  };
}
