import { tokenResponse, type Responder } from './token-server';

/**
 * A token endpoint that rotates refresh tokens as IdentityServer does with
 * one-time refresh tokens: each refresh returns a new access token and a new
 * refresh token; a spent or unknown refresh token gets 400 `invalid_grant`.
 * `renewals` and `refused` count the answers.
 */
export function rotatingTokens(first: string, extra: Record<string, unknown> = {}) {
  const valid = new Set([first]);
  const counts = { renewals: 0, refused: 0 };
  const responder: Responder = (request) => {
    if (request.form.grant_type !== 'refresh_token' || !valid.delete(request.form.refresh_token)) {
      counts.refused += 1;
      return { status: 400, body: { error: 'invalid_grant' } };
    }
    counts.renewals += 1;
    const refreshToken = `refresh-token-rotated-${counts.renewals}`;
    valid.add(refreshToken);
    return {
      body: tokenResponse({
        access_token: `access-token-rotated-${counts.renewals}`,
        refresh_token: refreshToken,
        ...extra,
      }),
    };
  };
  return Object.assign(counts, { responder });
}
