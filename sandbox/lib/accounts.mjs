// The sandbox's users (the demo users of demo-users.json, or the caller's own) and how they sign in.
import { readFileSync } from 'node:fs';

/** @type {{ companyId: string, username: string, password: string, claims: Record<string, string | string[]> }[]} */
export const DEMO_USERS = JSON.parse(readFileSync(new URL('../demo-users.json', import.meta.url), 'utf8'));

/** The users of one sandbox: lookups by credentials and by `sub`, and oidc-provider's `findAccount`. */
export function createAccounts(users = DEMO_USERS) {
  return {
    users,
    /** Every claim name any user carries (in the id_token with `idTokenClaims: 'all'`). */
    claimNames: [...new Set(users.flatMap((user) => Object.keys(user.claims)))],
    /** Company Id and Username are matched case-insensitively, the password exactly. */
    authenticate(companyId, username, password) {
      return users.find(
        (user) =>
          user.companyId.toLowerCase() === String(companyId).trim().toLowerCase() &&
          user.username.toLowerCase() === String(username).trim().toLowerCase() &&
          user.password === password,
      );
    },
    findUserBySub(sub) {
      return users.find((user) => user.claims.sub === sub);
    },
    /**
     * oidc-provider's `findAccount`: the account behind a `sub`, with the user's claims, `idp` and,
     * for an id_token, `nbf` (IdentityServer sets it, oidc-provider does not).
     */
    async findAccount(_ctx, sub) {
      const user = users.find((candidate) => candidate.claims.sub === sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async (use) => ({
          ...user.claims,
          idp: 'local',
          ...(use === 'id_token' ? { nbf: Math.floor(Date.now() / 1000) } : {}),
        }),
      };
    },
  };
}
