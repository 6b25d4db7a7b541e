'use strict';
// Sandbox#signOutEverywhere(user), for both entries: the control call POST /_sandbox/sign-out.

/** Signs `user` (`{ companyId, username }` or `{ sub }`) out everywhere on the sandbox at `origin`; see index.d.cts. */
async function signOutEverywhere(origin, user) {
  const named =
    typeof user?.sub === 'string' || (typeof user?.companyId === 'string' && typeof user?.username === 'string');
  if (!named) throw new TypeError('signOutEverywhere() needs { companyId, username } or { sub }');
  const body =
    typeof user.sub === 'string' ? { sub: user.sub } : { companyId: user.companyId, username: user.username };
  const res = await fetch(`${origin}/_sandbox/sign-out`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status === 404) throw new Error('signOutEverywhere(): no such user');
  if (!res.ok) throw new Error(`signOutEverywhere(): the sandbox answered ${res.status}`);
  return res.json();
}

module.exports = { signOutEverywhere };
