// What the package tells observers through node:diagnostics_channel: a tracing channel for each kind of
// request to JustLogin, a plain channel for sign-ins, renewals, sign-outs and back-channel logouts. Nothing is built or published
// while nobody subscribes, and no message holds a token, a code, a verifier, a secret or a response body.
import { channel, tracingChannel, type TracingChannel } from 'node:diagnostics_channel';
import { debuglog } from 'node:util';
import { logEvents } from './debug-log';
import type { JustLoginError } from './errors';

/**
 * What a traced request to JustLogin ends with: `status` once JustLogin
 * answered, `error` when it failed.
 *
 * @group Observability
 */
export interface JustLoginTraceEnd {
  /** The HTTP status of JustLogin's answer, once there is one. */
  status?: number;
  /**
   * Why it failed: the package's typed error (`code`, `retryable`,
   * `reauthenticate`). On an API call, also whatever your `onTokens` threw.
   */
  error?: JustLoginError | Error;
}

/**
 * The context of `passport-justlogin:token`: one request to JustLogin's token
 * endpoint (the code exchange at sign-in, or a refresh).
 *
 * @group Observability
 */
export interface JustLoginTokenTrace extends JustLoginTraceEnd {
  /** `authorization_code` or `refresh_token`. */
  grantType: string;
  /** The token endpoint's origin, e.g. `https://apis.justlogin.com`. */
  origin: string;
  /** The token endpoint's path, e.g. `/v1/auth/connect/token`. */
  path: string;
  /** Seconds the new access token lives (`expires_in`), once JustLogin answered with tokens. */
  expiresIn?: number;
}

/**
 * The context of `passport-justlogin:api`: one call to JustLogin's API, its retries and renewal included.
 *
 * @group Observability
 */
export interface JustLoginApiTrace extends JustLoginTraceEnd {
  /** `GET` or `POST`. */
  method: 'GET' | 'POST';
  /** The path with its GUIDs named, e.g. `/membership/v3/users/{userGuid}`; never the query. */
  path: string;
  /** How many requests the call has sent so far: 1 unless it was retried (or sent again after a renewal). */
  attempt: number;
  /** Whether the call's access token was renewed on its way (due before it, or refused with a 401). */
  renewed: boolean;
}

/**
 * The context of `passport-justlogin:keys` (a fetch of JustLogin's key set), of
 * `passport-justlogin:discovery` (a read of its OpenID configuration) and of
 * `passport-justlogin:revocation` (a request to revoke a token).
 *
 * @group Observability
 */
export interface JustLoginFetchTrace extends JustLoginTraceEnd {
  /** The origin fetched from, e.g. `https://apis.justlogin.com`. */
  origin: string;
  /** The path fetched, e.g. `/v1/auth/.well-known/openid-configuration`. */
  path: string;
}

/**
 * The message of `passport-justlogin:sign-in`, published when a callback ends.
 *
 * @group Observability
 */
export interface JustLoginSignInMessage {
  /** `success` when Passport was told of a user, `failure` when the sign-in failed or met an error. */
  outcome: 'success' | 'failure';
  /** A failure's code: that of `fail()`'s info (`EBADSTATE`, `access_denied`, …) or of the error. */
  code?: string;
  /** Milliseconds from the callback's arrival to its end. */
  durationMs: number;
}

/**
 * The message of `passport-justlogin:renewal`, published by every `refresh`
 * and `ensureFresh` that did more than return fresh tokens.
 *
 * @group Observability
 */
export interface JustLoginRenewalMessage {
  /**
   * `renewed`: this process renewed the tokens; `remembered`: they were renewed
   * within the grace window and given again; `waited`: another caller renewed
   * them while this one waited; `failed`: the renewal failed.
   */
  outcome: 'renewed' | 'remembered' | 'waited' | 'failed';
  /** A failure's code (`invalid_grant`, `ETIMEDOUT`, `ENOREFRESHTOKEN`, …). */
  code?: string;
  /**
   * `redis`: the tokens (or the failure) came from another instance through a
   * shared coordinator such as `RedisRefreshCoordinator`; `process`: from this process.
   */
  source: 'process' | 'redis';
}

/**
 * The message of `passport-justlogin:sign-out`, published when a sign-out
 * handler's sign-out ends.
 *
 * @group Observability
 */
export interface JustLoginSignOutMessage {
  /** `signed-out` once the local session ended (whatever happened at JustLogin), `failed` when it could not end. */
  outcome: 'signed-out' | 'failed';
  /** Whether JustLogin accepted the revocation of the refresh token, within the deadline. */
  revoked: boolean;
  /** Whether the browser was sent to JustLogin's end-session URL (else to `returnTo`). */
  endSession: boolean;
  /**
   * A failure's code: why the local session could not end, or, once signed
   * out, why the first step at JustLogin or in Redis failed (`invalid_client`, `ETIMEDOUT`, …).
   */
  code?: string;
  /** Milliseconds from the sign-out's start to its answer. */
  durationMs: number;
}

/**
 * The message of `passport-justlogin:back-channel-logout`, published for each
 * logout token JustLogin posts to the app.
 *
 * @group Observability
 */
export interface JustLoginBackChannelLogoutMessage {
  /**
   * `ended`: the app's sessions of that sign-in ended; `refused`: the logout
   * token was refused; `failed`: the sessions could not be ended.
   */
  outcome: 'ended' | 'refused' | 'failed';
  /** A refusal's or failure's code (`ELOGOUTREPLAY`, `ELOGOUTSIGNATURE`, …). */
  code?: string;
  /** How many of the app's sessions it ended: 0 unless `ended`. */
  sessions: number;
  /** Milliseconds from the logout token's arrival to the answer. */
  durationMs: number;
}

/** Every channel's name. */
export const CHANNELS = {
  token: 'passport-justlogin:token',
  api: 'passport-justlogin:api',
  keys: 'passport-justlogin:keys',
  discovery: 'passport-justlogin:discovery',
  revocation: 'passport-justlogin:revocation',
  signIn: 'passport-justlogin:sign-in',
  renewal: 'passport-justlogin:renewal',
  signOut: 'passport-justlogin:sign-out',
  backChannelLogout: 'passport-justlogin:back-channel-logout',
} as const;

/** The context of each tracing channel. */
interface Traces {
  token: JustLoginTokenTrace;
  api: JustLoginApiTrace;
  keys: JustLoginFetchTrace;
  discovery: JustLoginFetchTrace;
  revocation: JustLoginFetchTrace;
}

const TRACING: { [K in keyof Traces]: TracingChannel<unknown, Traces[K]> } = {
  token: tracingChannel(CHANNELS.token),
  api: tracingChannel(CHANNELS.api),
  keys: tracingChannel(CHANNELS.keys),
  discovery: tracingChannel(CHANNELS.discovery),
  revocation: tracingChannel(CHANNELS.revocation),
};
const signInChannel = channel(CHANNELS.signIn);
const renewalChannel = channel(CHANNELS.renewal);
const signOutChannel = channel(CHANNELS.signOut);
const backChannelLogoutChannel = channel(CHANNELS.backChannelLogout);

/**
 * Runs `run` as one operation of the tracing channel `kind`, as `tracePromise` would (start, end, then asyncStart and
 * asyncEnd when it settles, error before them when it rejects), except that what it resolves with
 * never enters the context: `ended` copies the safe fields from it. `context` is built, and `run`
 * given it, only while someone subscribes; `run` must return a promise (be an async function).
 */
export function trace<K extends keyof Traces, T>(
  kind: K,
  context: () => Traces[K],
  run: (context: Traces[K] | undefined) => Promise<T>,
  ended?: (value: T, context: Traces[K]) => void,
): Promise<T> {
  const traced = TRACING[kind];
  if (!traced.hasSubscribers) return run(undefined);
  const message = context();
  return traced.start.runStores(message, () => {
    const running = run(message);
    traced.end.publish(message);
    return running.then(
      (value) => {
        ended?.(value, message);
        traced.asyncStart.publish(message);
        traced.asyncEnd.publish(message);
        return value;
      },
      (error: unknown) => {
        message.error = error as Error;
        traced.error.publish(message);
        traced.asyncStart.publish(message);
        traced.asyncEnd.publish(message);
        throw error;
      },
    );
  });
}

/** Where a request goes, as traces name it: the origin and the path, never the query. */
export function place(url: URL): { origin: string; path: string } {
  return { origin: url.origin, path: url.pathname };
}

const GUID = /^(?:[0-9A-Fa-f]{32}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})$/;
/** What a GUID or number after each segment names. */
const NAMED = new Map([
  ['users', '{userGuid}'],
  ['companies', '{companyGuid}'],
  ['leavetypes', '{leaveTypeId}'],
]);

/** An API path with its GUIDs and numbers named, e.g. `/membership/v3/users/{userGuid}`. */
export function pathTemplate(path: string): string {
  const segments = path.split('/');
  return segments
    .map((segment, i) => {
      const guid = GUID.test(segment);
      if (!guid && !/^\d+$/.test(segment)) return segment;
      return NAMED.get(segments[i - 1].toLowerCase()) ?? (guid ? '{guid}' : '{id}');
    })
    .join('/');
}

/** A code fit to publish: a short printable word, or nothing. */
function codeOf(value: unknown): string | undefined {
  const code = typeof value === 'object' && value !== null ? (value as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[\x21-\x7e]{1,64}$/.test(code) ? code : undefined;
}

/** Passport's actions on the object a strategy authenticates a request with. */
interface SignInActions {
  success: (...args: unknown[]) => void;
  fail: (...args: unknown[]) => void;
  error: (...args: unknown[]) => void;
}

/**
 * While someone subscribes to `passport-justlogin:sign-in`: replaces `success`, `fail` and `error` on
 * `strategy` (the object Passport authenticates this request with) by ones that publish the callback's
 * end, put Passport's own back and call them. Returns `strategy`.
 */
export function observeSignIn<S extends object>(strategy: S): S {
  if (!signInChannel.hasSubscribers) return strategy;
  const started = performance.now();
  const actions = strategy as S & SignInActions;
  const { success, fail, error } = actions;
  const end = (outcome: JustLoginSignInMessage['outcome'], code?: string) => {
    Object.assign(actions, { success, fail, error });
    if (!signInChannel.hasSubscribers) return;
    const message: JustLoginSignInMessage = { outcome, durationMs: performance.now() - started };
    if (code) message.code = code;
    signInChannel.publish(message);
  };
  actions.success = (...args) => {
    end('success');
    success.apply(actions, args);
  };
  actions.fail = (...args) => {
    // fail(info, status) or fail(status): info carries the code
    end('failure', codeOf(args[0]));
    fail.apply(actions, args);
  };
  actions.error = (...args) => {
    end('failure', codeOf(args[0]));
    error.apply(actions, args);
  };
  return strategy;
}

/** Publishes a renewal's outcome, when someone subscribes; `failure` is what it failed with. */
export function reportRenewal(
  outcome: JustLoginRenewalMessage['outcome'],
  source: JustLoginRenewalMessage['source'],
  failure?: unknown,
): void {
  if (!renewalChannel.hasSubscribers) return;
  const message: JustLoginRenewalMessage = { outcome, source };
  const code = codeOf(failure);
  if (code) message.code = code;
  renewalChannel.publish(message);
}

/**
 * Publishes a sign-out's end, when someone subscribes: `started` is `performance.now()` at its start,
 * `failure` what the local session's end failed with (`failed`) or the first step that failed.
 */
export function reportSignOut(
  started: number,
  outcome: JustLoginSignOutMessage['outcome'],
  steps: Pick<JustLoginSignOutMessage, 'revoked' | 'endSession'>,
  failure?: unknown,
): void {
  if (!signOutChannel.hasSubscribers) return;
  const message: JustLoginSignOutMessage = {
    outcome,
    revoked: steps.revoked,
    endSession: steps.endSession,
    durationMs: performance.now() - started,
  };
  const code = codeOf(failure);
  if (code) message.code = code;
  signOutChannel.publish(message);
}

/** Publishes a back-channel logout's end, when someone subscribes; `started` as for {@link reportSignOut}. */
export function reportBackChannelLogout(
  started: number,
  outcome: JustLoginBackChannelLogoutMessage['outcome'],
  sessions: number,
  failure?: unknown,
): void {
  if (!backChannelLogoutChannel.hasSubscribers) return;
  const message: JustLoginBackChannelLogoutMessage = { outcome, sessions, durationMs: performance.now() - started };
  const code = codeOf(failure);
  if (code) message.code = code;
  backChannelLogoutChannel.publish(message);
}

// NODE_DEBUG=passport-justlogin: one line per event, from the messages above.
const debug = debuglog('passport-justlogin');
if (debug.enabled) logEvents(debug, CHANNELS);
