// The framework-neutral part of signOutHandler, signOutHandlerFastify and signOutHandlerKoa: read the
// request's tokens, end the local session, then, each step best effort and all of them within one
// deadline, revoke the refresh token, forget its renewals, forget the session in the index and make
// JustLogin's end-session URL; and say where the browser goes. Each sign-out is published on
// passport-justlogin:sign-out.
import { clientRule, type JustLoginClient } from '../client/client';
import { redirectURIRule } from '../client/end-session';
import { readOptions, rules, type OptionRule, type OptionSpec } from '../client/options';
import { reportSignOut } from '../diagnostics';
import type { JustLoginRefresher } from '../renewal/refresher';
import { randomToken } from '../sign-in/state-store';
import type { JustLoginTokenSet } from '../token-set';
import { cookieNameRule, returnToRule, STATE_COOKIE, stateCookie } from './post-logout';
import type { SessionIndex } from './session-index';

/**
 * Where a sign-out reports a step that failed or did not finish in time.
 *
 * @group Sign-out
 */
export interface SignOutLogger {
  /** Called with one line of text, never a token. */
  warn(message: string): void;
}

/**
 * Options of a sign-out handler. `Req` is what the framework hands the
 * handler (Express's and Fastify's request, Koa's context).
 *
 * @group Sign-out
 */
export interface SignOutOptions<Req> {
  /**
   * The refresher the app renews tokens with: its client revokes the refresh
   * token and ends JustLogin's session, and its memory (and coordinator)
   * forget the token's renewals. Give `refresher` or `client`.
   */
  refresher?: Pick<JustLoginRefresher, 'client' | 'forget'>;
  /** The JustLogin client, when the app has no refresher. */
  client?: JustLoginClient;
  /** The request's JustLogin tokens, or `undefined` (signed out already). Default: the user's `tokens` (`req.user?.tokens`; Koa: `ctx.state.user?.tokens`). */
  tokens?: (req: Req) => JustLoginTokenSet | undefined | Promise<JustLoginTokenSet | undefined>;
  /**
   * Where JustLogin sends the browser once its session has ended: the
   * absolute URL of the app's post-logout route, registered with JustLogin
   * (e.g. `https://app.example.com/auth/signed-out`). Without it JustLogin
   * shows its own signed-out page.
   */
  postLogoutRedirectURI?: string;
  /** Where the browser goes when JustLogin has no end-session endpoint: a path of the app or a URL; default `'/'`. */
  returnTo?: string;
  /** The index of the app's sessions (the one back-channel logout reads): this session is removed from it. */
  sessions?: SessionIndex;
  /** The request's session id, for `sessions`. Default: Express's `req.sessionID`, @fastify/session's `request.session.sessionId`. */
  sessionID?: (req: Req) => string | undefined;
  /** Milliseconds the steps at JustLogin and in Redis may take together; the browser goes on after them in any case. Default 5000. */
  timeoutMs?: number;
  /** The state cookie's name, the same as the post-logout handler's; default `'justlogin_signout'`. */
  cookieName?: string;
  /** Told of every step that failed or did not finish in time (default `console`). */
  logger?: SignOutLogger;
}

/** The settings of a sign-out: its options as read. */
interface SignOutSettings<Req> {
  readonly client: JustLoginClient;
  readonly refresher?: Pick<JustLoginRefresher, 'client' | 'forget'>;
  readonly tokens?: (req: Req) => JustLoginTokenSet | undefined | Promise<JustLoginTokenSet | undefined>;
  readonly postLogoutRedirectURI?: string;
  readonly returnTo: string;
  readonly sessions?: SessionIndex;
  readonly sessionID?: (req: Req) => string | undefined;
  readonly timeoutMs: number;
  readonly cookieName: string;
  readonly logger: SignOutLogger;
}

const refresherRule: OptionRule = (value, options) => {
  if (options.client !== undefined) return 'cannot be given with `client`: give one of them';
  const problem = rules.withMethods('forget')(value, options);
  if (problem) return `${problem} (a JustLoginRefresher)`;
  return clientRule((value as { client?: unknown }).client, options) ? 'must be a JustLoginRefresher' : undefined;
};

const OPTIONS = {
  refresher: { rule: refresherRule, required: (options) => options.client === undefined },
  client: { rule: clientRule },
  tokens: { rule: rules.func },
  postLogoutRedirectURI: { rule: redirectURIRule },
  returnTo: { rule: returnToRule, default: '/' },
  sessions: { rule: rules.withMethods('add', 'remove', 'take') },
  sessionID: { rule: rules.func },
  timeoutMs: { rule: rules.positiveDurationMs, default: 5_000 },
  cookieName: { rule: cookieNameRule, default: STATE_COOKIE },
  logger: { rule: rules.withMethods('warn'), default: console },
} satisfies Record<keyof SignOutOptions<unknown>, OptionSpec>;

/** Where the browser goes after a sign-out, and the state cookie to set when it goes to JustLogin. */
export interface SignOutAnswer {
  /** JustLogin's end-session URL, or `returnTo`. */
  location: string;
  /** A `Set-Cookie` value, when the browser comes back with a `state` to check. */
  setCookie?: string;
}

/**
 * Signs one request's user out: reads its tokens and session id, ends the
 * local session with `endLocalSession` (the framework's), then runs the steps
 * at JustLogin and in Redis, and answers where the browser goes.
 */
export type SignOut<Req> = (req: Req, endLocalSession: () => Promise<void>) => Promise<SignOutAnswer>;

/**
 * Reads a sign-out handler's options once (throwing one `JustLoginOptionsError`
 * naming `component`), with the framework's defaults for `tokens` and
 * `sessionID`, and returns the sign-out of one request.
 */
export function signOutFlow<Req>(
  component: string,
  options: SignOutOptions<Req>,
  defaults: Pick<SignOutOptions<Req>, 'tokens' | 'sessionID'>,
): SignOut<Req> {
  const read = readOptions<Omit<SignOutSettings<Req>, 'client'> & { client?: JustLoginClient }>(
    component,
    options,
    OPTIONS,
  );
  const settings: SignOutSettings<Req> = {
    ...read,
    client: read.client ?? read.refresher!.client, // checked: one of them is given
    tokens: read.tokens ?? defaults.tokens,
    sessionID: read.sessionID ?? defaults.sessionID,
  };
  return async (req, endLocalSession) => {
    const started = performance.now();
    let tokens: JustLoginTokenSet | undefined;
    let sessionID: string | undefined;
    try {
      tokens = await readTokens(settings, req);
      sessionID = settings.sessions ? settings.sessionID?.(req) : undefined;
      await endLocalSession();
    } catch (error) {
      reportSignOut(started, 'failed', { revoked: false, endSession: false }, error);
      throw error;
    }
    const failures: unknown[] = [];
    const state = randomToken();
    const revoking = revokeRefreshToken(settings.client, tokens).then(() => Boolean(tokens?.refreshToken));
    const steps = [
      bestEffort(settings, failures, 'revoke the refresh token at JustLogin', revoking),
      bestEffort(
        settings,
        failures,
        'forget the renewals of the refresh token',
        forgetRenewals(settings.refresher, tokens),
      ),
      bestEffort(settings, failures, 'remove the session from the index', unindexSession(settings.sessions, sessionID)),
    ];
    const endSession = bestEffort(
      settings,
      failures,
      "make JustLogin's end-session URL",
      endSessionURL(settings.client, tokens, settings.postLogoutRedirectURI, state),
    );
    const [location, revoked] = await withinDeadline<string | boolean | void | undefined, Req>(settings, [
      endSession,
      ...steps,
    ]);
    const ended = typeof location === 'string';
    reportSignOut(started, 'signed-out', { revoked: revoked === true, endSession: ended }, failures[0]);
    if (!ended) return { location: settings.returnTo };
    if (!settings.postLogoutRedirectURI) return { location };
    const { pathname, protocol } = new URL(settings.postLogoutRedirectURI);
    return { location, setCookie: stateCookie(settings.cookieName, state, pathname, protocol === 'https:') };
  };
}

/** The request's tokens; a failure to read them is reported, and the sign-out goes on without them. */
async function readTokens<Req>(settings: SignOutSettings<Req>, req: Req): Promise<JustLoginTokenSet | undefined> {
  try {
    return (await settings.tokens?.(req)) ?? undefined;
  } catch (error) {
    settings.logger.warn(`passport-justlogin: sign-out could not read the request's tokens (${describe(error)})`);
    return undefined;
  }
}

/** Revokes the refresh token at JustLogin, so that no copy of it renews anything again. */
export async function revokeRefreshToken(
  client: JustLoginClient,
  tokens: JustLoginTokenSet | undefined,
): Promise<void> {
  if (tokens?.refreshToken) await client.revoke(tokens.refreshToken, { tokenTypeHint: 'refresh_token' });
}

/** Forgets the refresh token's renewals in the refresher's memory and its coordinator (Redis). */
export async function forgetRenewals(
  refresher: Pick<JustLoginRefresher, 'forget'> | undefined,
  tokens: JustLoginTokenSet | undefined,
): Promise<void> {
  if (refresher && tokens?.refreshToken) await refresher.forget(tokens.refreshToken);
}

/** Removes the session from the index back-channel logout reads. */
export async function unindexSession(sessions: SessionIndex | undefined, sessionID: string | undefined): Promise<void> {
  if (sessions && typeof sessionID === 'string' && sessionID) await sessions.remove(sessionID);
}

/** JustLogin's end-session URL with the sign-in's id_token, or `undefined` when JustLogin has none. */
export function endSessionURL(
  client: JustLoginClient,
  tokens: JustLoginTokenSet | undefined,
  postLogoutRedirectURI: string | undefined,
  state: string,
): Promise<string | undefined> {
  return client.endSessionURL({
    ...(tokens?.idToken ? { idTokenHint: tokens.idToken } : {}),
    ...(postLogoutRedirectURI ? { postLogoutRedirectURI, state } : {}),
  });
}

/** `step`'s result, or `undefined` when it fails: the failure is reported and kept in `failures`, the sign-out goes on. */
async function bestEffort<T, Req>(
  settings: SignOutSettings<Req>,
  failures: unknown[],
  what: string,
  step: Promise<T>,
): Promise<T | undefined> {
  try {
    return await step;
  } catch (error) {
    failures.push(error);
    settings.logger.warn(
      `passport-justlogin: sign-out could not ${what} (${describe(error)}); the local session has ended`,
    );
    return undefined;
  }
}

/** Marks a step that had not finished by the deadline. */
const LATE = Symbol('late');

/**
 * Each step's result, or `undefined` for a step not finished within `timeoutMs` (reported once; it goes
 * on in the background, its failure reported when it comes).
 */
async function withinDeadline<T, Req>(settings: SignOutSettings<Req>, steps: Promise<T>[]): Promise<(T | undefined)[]> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof LATE>((resolve) => {
    timer = setTimeout(() => resolve(LATE), settings.timeoutMs);
  });
  try {
    const results = await Promise.all(steps.map((step) => Promise.race([step, deadline])));
    if (results.includes(LATE)) {
      settings.logger.warn(
        `passport-justlogin: sign-out steps at JustLogin did not finish within ${settings.timeoutMs} ms; the local session has ended`,
      );
    }
    return results.map((result) => (result === LATE ? undefined : result));
  } finally {
    clearTimeout(timer);
  }
}

/** An error's code, never its message (which may quote what the app put in it). */
function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : 'an error';
}
