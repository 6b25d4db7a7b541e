// Back-channel logout (OpenID Connect Back-Channel Logout 1.0), framework-neutral: verify the logout
// token JustLogin posted, then end every session of the app that holds that JustLogin session (or,
// without one, that user), whichever instance made it. Each is published on
// passport-justlogin:back-channel-logout.
import { clientRule, type JustLoginClient } from '../client/client';
import type { LogoutTokenClaims } from '../client/logout-token';
import { readOptions, rules, type OptionSpec } from '../client/options';
import { reportBackChannelLogout } from '../diagnostics';
import { LogoutTokenError } from '../errors';
import type { SessionIndex } from './session-index';

/**
 * Options of {@link backChannelLogout}.
 *
 * @group Sign-out
 */
export interface BackChannelLogoutOptions {
  /** The client whose logout tokens these are (`verifyLogoutToken`). */
  client: JustLoginClient;
  /** The index the app writes at sign-in: which of its sessions hold which JustLogin sign-in. */
  sessions: SessionIndex;
  /** Ends the app's session `sessionID` in its session store (e.g. express-session's `store.destroy`). */
  destroySession: (sessionID: string) => void | Promise<void>;
}

/**
 * The answer to JustLogin (Back-Channel Logout 1.0 §2.8): 200 once the
 * sessions are ended, 400 with an OAuth-style JSON error otherwise. Never a
 * stack, a token or a session id. Send it with `Cache-Control: no-store`.
 *
 * @group Sign-out
 */
export type BackChannelLogoutAnswer =
  | {
      /** The sessions ended. */
      status: 200;
    }
  | {
      /** The logout token was refused, or the sessions could not be ended. */
      status: 400;
      /** The JSON error body (OpenID Connect Back-Channel Logout §2.8), never a stack or a token. */
      body: {
        /** `invalid_request` for a refused logout token, `logout_failed` when the sessions could not be ended. */
        error: 'invalid_request' | 'logout_failed';
        /** What was wrong, in words. */
        error_description: string;
      };
    };

const OPTIONS = {
  client: { rule: clientRule, required: true },
  sessions: { rule: rules.withMethods('take'), required: true },
  destroySession: { rule: rules.func, required: true },
} satisfies Record<keyof BackChannelLogoutOptions, OptionSpec>;

/**
 * Back-channel logout for any framework: give it the `logout_token`
 * parameter of JustLogin's POST (a form body) and send what it resolves with
 * (`status`, `body` as JSON when present, `Cache-Control: no-store`). It
 * verifies the token with `client.verifyLogoutToken` (a replay is refused),
 * takes the app's sessions of that JustLogin session (or, without `sid`, of
 * that user) from `sessions`, and ends each with `destroySession`. Throws a
 * `JustLoginOptionsError` naming an option that is missing or invalid.
 *
 * @example
 * const logout = backChannelLogout({ client, sessions, destroySession: (id) => store.destroy(id) });
 * const answer = await logout(body.logout_token);
 *
 * @group Sign-out
 */
export function backChannelLogout(
  options: BackChannelLogoutOptions,
): (logoutToken: unknown) => Promise<BackChannelLogoutAnswer> {
  const settings = readOptions<BackChannelLogoutOptions>('backChannelLogout', options, OPTIONS);
  return async (logoutToken) => {
    const started = performance.now();
    let signedOut: LogoutTokenClaims;
    try {
      signedOut = await verifyLogoutToken(settings.client, logoutToken);
    } catch (error) {
      reportBackChannelLogout(started, 'refused', 0, error);
      const code = (error as { code?: unknown } | null)?.code;
      const description =
        error instanceof LogoutTokenError
          ? `The logout token was refused (${error.code})`
          : `The logout token could not be checked (${typeof code === 'string' && /^\w{1,32}$/.test(code) ? code : 'an error'})`;
      return { status: 400, body: { error: 'invalid_request', error_description: description } };
    }
    let ended: number;
    try {
      ended = await endSessions(settings.sessions, settings.destroySession, signedOut);
    } catch (error) {
      reportBackChannelLogout(started, 'failed', 0, error);
      return {
        status: 400,
        body: { error: 'logout_failed', error_description: "The app's sessions could not be ended" },
      };
    }
    reportBackChannelLogout(started, 'ended', ended);
    return { status: 200 };
  };
}

/** Verifies the logout token; a missing one is refused like a malformed one. */
export function verifyLogoutToken(client: JustLoginClient, logoutToken: unknown): Promise<LogoutTokenClaims> {
  if (typeof logoutToken !== 'string') {
    return Promise.reject(new LogoutTokenError('The request carries no logout_token', 'ELOGOUTFORMAT'));
  }
  return client.verifyLogoutToken(logoutToken);
}

/** Ends every session of the app that holds the JustLogin session `sid`, or, without one, the user `sub`; resolves with how many. */
export async function endSessions(
  sessions: SessionIndex,
  destroySession: (sessionID: string) => void | Promise<void>,
  signedOut: LogoutTokenClaims,
): Promise<number> {
  const ids = await sessions.take(signedOut.sid !== undefined ? { sid: signedOut.sid } : { sub: signedOut.sub });
  await Promise.all(ids.map(async (sessionID) => destroySession(sessionID)));
  return ids.length;
}
