// Signing out, as JustLogin's IdentityServer does it, where oidc-provider differs or has no such
// thing: post_logout_redirect_uri is honoured only with an id_token_hint, and a user can be signed
// out everywhere at once (every session ended, every grant revoked, every app with a back-channel
// logout URI told with one logout token naming the user), from a page or a control call.
import { randomUUID } from 'node:crypto';
import express from 'express';

import { signOutEverywherePage } from './pages.mjs';

export const SIGN_OUT_PATH = '/_sandbox/sign-out';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How long an app's back-channel logout endpoint may take to answer (oidc-provider's own bound). */
const DELIVERY_TIMEOUT_MS = 2_500;

/**
 * Express middleware in front of the end_session endpoint: drops `post_logout_redirect_uri` from a
 * request without `id_token_hint`, so that the user stays on the sandbox's signed-out page (oidc-provider
 * would honour it with `client_id` alone). Only GET carries them in the query; a POST is read by the
 * provider, as it comes.
 */
export function endSessionGate(req, _res, next) {
  if (req.method === 'GET') {
    const url = new URL(req.url, 'http://sandbox.invalid');
    if (!url.searchParams.has('id_token_hint') && url.searchParams.has('post_logout_redirect_uri')) {
      url.searchParams.delete('post_logout_redirect_uri');
      req.url = `${url.pathname}${url.search}`;
    }
  }
  next();
}

/**
 * Signs users out everywhere: `signOut(sub)` ends every session of the user at the sandbox (their
 * browsers must sign in with the password again), revokes the grants of those sessions (refresh and
 * access tokens fail from then on), and posts one logout token (`sub`, no `sid`) to each client's
 * back-channel logout URI. Resolves with `{ sessions, notified: [{ clientID, status }] }`, where
 * `status` is the app's HTTP status, or 0 when it did not answer within 2.5 s.
 *
 * @param {import('oidc-provider').default} provider
 * @param {{ clientID: string, backchannelLogoutURI?: string }[]} clients
 */
export function createSignOutEverywhere(provider, clients) {
  // Session ids by user, as oidc-provider saves and destroys sessions.
  const sessionsOf = new Map();
  provider.on('session.saved', (session) => {
    if (session.accountId)
      sessionsOf.set(session.accountId, (sessionsOf.get(session.accountId) ?? new Set()).add(session.jti));
  });
  provider.on('session.destroyed', (session) => sessionsOf.get(session.accountId)?.delete(session.jti));

  async function revokeGrant(grantId) {
    await Promise.all(
      [provider.AccessToken, provider.RefreshToken, provider.AuthorizationCode].map((model) =>
        model.adapter.revokeByGrantId(grantId),
      ),
    );
    await provider.Grant.adapter.destroy(grantId);
  }

  async function notify({ clientID, backchannelLogoutURI }, sub) {
    const client = await provider.Client.find(clientID);
    const token = new provider.IdToken({ sub }, { client, ctx: undefined });
    token.mask = { sub: null };
    token.set('events', { [EVENT]: {} });
    token.set('jti', randomUUID());
    const logoutToken = await token.issue({ use: 'logout' });
    try {
      const res = await fetch(backchannelLogoutURI, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: logoutToken }),
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await res.body?.cancel();
      return { clientID, status: res.status };
    } catch {
      return { clientID, status: 0 };
    }
  }

  return async function signOut(sub) {
    let sessions = 0;
    for (const id of sessionsOf.get(sub) ?? []) {
      const session = await provider.Session.adapter.find(id);
      if (session?.accountId !== sub) continue;
      for (const { grantId } of Object.values(session.authorizations ?? {})) if (grantId) await revokeGrant(grantId);
      await provider.Session.adapter.destroy(id);
      sessions += 1;
    }
    sessionsOf.delete(sub);
    const listening = clients.filter((client) => client.backchannelLogoutURI);
    return { sessions, notified: await Promise.all(listening.map((client) => notify(client, sub))) };
  };
}

/**
 * GET: a page with a form (Company Id, Username) that signs that user out everywhere; POST (that
 * form, or JSON `{ companyId, username }` or `{ sub }`): signs them out, answering the page, or JSON
 * `{ sessions, notified }` to a JSON request. An unknown user gets 404.
 */
export function signOutRoutes(signOut, accounts) {
  const router = express.Router();
  router.use(SIGN_OUT_PATH, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.get(SIGN_OUT_PATH, (_req, res) => {
    res.type('html').send(signOutEverywherePage({}));
  });
  router.post(
    SIGN_OUT_PATH,
    express.urlencoded({ extended: false, limit: 1024 }),
    express.json({ limit: 1024 }),
    async (req, res) => {
      const { companyId = '', username = '', sub } = req.body ?? {};
      const wanted = String(companyId).trim().toLowerCase();
      const user =
        typeof sub === 'string'
          ? accounts.findUserBySub(sub)
          : accounts.users.find(
              (candidate) =>
                candidate.companyId.toLowerCase() === wanted &&
                candidate.username.toLowerCase() === String(username).trim().toLowerCase(),
            );
      const json = req.is('application/json');
      if (!user) {
        if (json) res.status(404).json({ message: 'no such user' });
        else
          res
            .status(404)
            .type('html')
            .send(signOutEverywherePage({ error: 'There is no such user.' }));
        return;
      }
      const result = await signOut(user.claims.sub);
      if (json) res.json(result);
      else
        res.type('html').send(signOutEverywherePage({ done: { name: user.claims.name ?? user.username, ...result } }));
    },
  );
  router.use(SIGN_OUT_PATH, (_err, _req, res, _next) => {
    res.status(400).json({ message: 'expected { companyId, username } or { sub }' });
  });
  return router;
}
