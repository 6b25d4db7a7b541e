// Real tokens from the sandbox: sign a demo user in on its pages (with PKCE) and redeem the code.
import { createHash, randomBytes } from 'node:crypto';
import { signIn } from 'justlogin-sandbox';

import type { DemoUser, RunningSandbox } from './sandbox';
import { appRedirectingTo } from './sandbox-sign-in';

export const SANDBOX_REDIRECT_URI = 'http://localhost:3000/auth/justlogin/callback';

export interface SandboxTokens {
  access_token: string;
  refresh_token: string;
  id_token: string;
  expires_in: number;
}

/** Signs `user` in on `sandbox` and returns the token endpoint's answer to the code. */
export async function signInForTokens(sandbox: RunningSandbox, user: DemoUser): Promise<SandboxTokens> {
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
  }).toString();
  const callback = await signIn({
    agent: appRedirectingTo(authorize.href),
    start: '/',
    ...user,
    followCallback: false,
  });
  const res = await fetch(`${sandbox.issuer}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: SANDBOX_REDIRECT_URI,
      code_verifier: verifier,
      client_id: sandbox.clientID,
      client_secret: sandbox.clientSecret,
    }),
  });
  if (res.status !== 200) throw new Error(`the sandbox refused the code with status ${res.status}`);
  return (await res.json()) as SandboxTokens;
}
