// Real tokens from the sandbox: sign a demo user in on its pages (with PKCE) and redeem the code.
import { createHash, randomBytes } from 'node:crypto';
import { signIn } from 'justlogin-sandbox';

import type { RunningSandbox } from './sandbox';
import { appRedirectingTo, type Credentials } from './sandbox-sign-in';

export const SANDBOX_REDIRECT_URI = 'http://localhost:3000/auth/justlogin/callback';

export interface SandboxTokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
  expires_in: number;
}

/** Where the sandbox's token endpoint is, and the client that asks it. */
type TokenEndpoint = Pick<RunningSandbox, 'issuer' | 'clientID' | 'clientSecret'>;

/** Signs `user` in on `sandbox` (PKCE, and `nonce` when given); returns the code and its verifier. */
export async function signInForCode(
  sandbox: TokenEndpoint,
  user: Credentials,
  nonce?: string,
): Promise<{ code: string; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${sandbox.issuer}/connect/authorize`);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: sandbox.clientID,
    redirect_uri: SANDBOX_REDIRECT_URI,
    scope: 'openid',
    state: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(nonce === undefined ? {} : { nonce }),
  }).toString();
  const { companyId, username, password } = user;
  const callback = await signIn({
    agent: appRedirectingTo(authorize.href),
    start: '/',
    companyId,
    username,
    password,
    followCallback: false,
  });
  return { code: callback.searchParams.get('code') ?? '', verifier };
}

/** The token endpoint's answer to a code from signInForCode(). */
export async function redeemCode(
  sandbox: TokenEndpoint,
  { code, verifier }: { code: string; verifier: string },
): Promise<{ status: number; body: Partial<SandboxTokens> & { error?: string } }> {
  const res = await fetch(`${sandbox.issuer}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: SANDBOX_REDIRECT_URI,
      code_verifier: verifier,
      client_id: sandbox.clientID,
      client_secret: sandbox.clientSecret,
    }),
  });
  return { status: res.status, body: (await res.json()) as Partial<SandboxTokens> };
}

/** Signs `user` in on `sandbox` and returns the token endpoint's answer to the code. */
export async function signInForTokens(
  sandbox: TokenEndpoint,
  user: Credentials,
  nonce?: string,
): Promise<SandboxTokens> {
  const { status, body } = await redeemCode(sandbox, await signInForCode(sandbox, user, nonce));
  if (status !== 200) throw new Error(`the sandbox refused the code with status ${status}`);
  return body as SandboxTokens;
}
