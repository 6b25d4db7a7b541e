// The sandbox's demo users (demo-users.json) and how they sign in.
import { readFileSync } from 'node:fs';

/** @type {{ companyId: string, username: string, password: string, claims: Record<string, string> }[]} */
export const DEMO_USERS = JSON.parse(readFileSync(new URL('./demo-users.json', import.meta.url), 'utf8'));

/** The claims every demo user carries (all go into the id_token under the `openid` scope). */
export const CLAIM_NAMES = Object.keys(DEMO_USERS[0].claims);

/** Company Id and Username are matched case-insensitively, the password exactly. */
export function authenticate(companyId, username, password) {
  return DEMO_USERS.find(
    (user) =>
      user.companyId.toLowerCase() === String(companyId).trim().toLowerCase() &&
      user.username.toLowerCase() === String(username).trim().toLowerCase() &&
      user.password === password,
  );
}

export function findUserBySub(sub) {
  return DEMO_USERS.find((user) => user.claims.sub === sub);
}

/** oidc-provider's `findAccount`: the account behind a `sub`. */
export async function findAccount(_ctx, sub) {
  const user = findUserBySub(sub);
  if (!user) return undefined;
  return { accountId: sub, claims: async () => ({ ...user.claims, idp: 'local' }) };
}
