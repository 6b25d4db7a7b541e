// NODE_DEBUG=passport-justlogin: one readable line per event of the package's diagnostics channels,
// written from their messages alone (so it shows nothing they do not: no token, code or secret).
import { subscribe, tracingChannel } from 'node:diagnostics_channel';
import type { DebugLogger } from 'node:util';
import type {
  CHANNELS,
  JustLoginApiTrace,
  JustLoginBackChannelLogoutMessage,
  JustLoginFetchTrace,
  JustLoginRenewalMessage,
  JustLoginSignInMessage,
  JustLoginSignOutMessage,
  JustLoginTokenTrace,
  JustLoginTraceEnd,
} from './diagnostics';

/** Subscribes `debug` to every channel of `channels`: a line per sign-in, renewal, sign-out, back-channel logout and request to JustLogin. */
export function logEvents(debug: DebugLogger, channels: typeof CHANNELS): void {
  traceLines<JustLoginTokenTrace>(debug, channels.token, (c) => [
    `token grant=${c.grantType} url=${c.origin}${c.path}`,
    c.expiresIn !== undefined && `expiresIn=${c.expiresIn}`,
  ]);
  traceLines<JustLoginApiTrace>(debug, channels.api, (c) => [
    `api ${c.method} ${c.path}`,
    `attempt=${c.attempt}`,
    `renewed=${c.renewed}`,
  ]);
  traceLines<JustLoginFetchTrace>(debug, channels.keys, (c) => [`keys url=${c.origin}${c.path}`]);
  traceLines<JustLoginFetchTrace>(debug, channels.discovery, (c) => [`discovery url=${c.origin}${c.path}`]);
  traceLines<JustLoginFetchTrace>(debug, channels.revocation, (c) => [`revocation url=${c.origin}${c.path}`]);
  subscribe(channels.signIn, (message) => {
    const { outcome, code, durationMs } = message as JustLoginSignInMessage;
    debug('%s', line([`sign-in outcome=${outcome}`, code && `code=${code}`, `durationMs=${durationMs.toFixed(1)}`]));
  });
  subscribe(channels.renewal, (message) => {
    const { outcome, code, source } = message as JustLoginRenewalMessage;
    debug('%s', line([`renewal outcome=${outcome}`, code && `code=${code}`, `source=${source}`]));
  });
  subscribe(channels.signOut, (message) => {
    const { outcome, revoked, endSession, code, durationMs } = message as JustLoginSignOutMessage;
    debug(
      '%s',
      line([
        `sign-out outcome=${outcome}`,
        code && `code=${code}`,
        `revoked=${revoked} endSession=${endSession}`,
        `durationMs=${durationMs.toFixed(1)}`,
      ]),
    );
  });
  subscribe(channels.backChannelLogout, (message) => {
    const { outcome, code, sessions, durationMs } = message as JustLoginBackChannelLogoutMessage;
    debug(
      '%s',
      line([
        `back-channel-logout outcome=${outcome}`,
        code && `code=${code}`,
        `sessions=${sessions}`,
        `durationMs=${durationMs.toFixed(1)}`,
      ]),
    );
  });
}

/** One line when an operation of `name` ends: `describe`'s first words, its status, the others, its error and duration. */
function traceLines<C extends JustLoginTraceEnd>(
  debug: DebugLogger,
  name: string,
  describe: (context: C) => (string | false)[],
): void {
  const started = new WeakMap<object, number>();
  tracingChannel<unknown, C>(name).subscribe({
    start: (context) => {
      started.set(context, performance.now());
    },
    end: ignore,
    asyncStart: ignore,
    error: ignore,
    asyncEnd: (context) => {
      const { status, error } = context;
      const failure = error as { code?: unknown; retryable?: unknown; reauthenticate?: unknown } | undefined;
      const begun = started.get(context);
      const [head, ...details] = describe(context);
      debug(
        '%s',
        line([
          head,
          status !== undefined && `status=${status}`,
          ...details,
          failure && `error=${typeof failure.code === 'string' && WORD.test(failure.code) ? failure.code : 'unknown'}`,
          failure && `retryable=${failure.retryable === true} reauthenticate=${failure.reauthenticate === true}`,
          begun !== undefined && `durationMs=${(performance.now() - begun).toFixed(1)}`,
        ]),
      );
    },
  });
}

const ignore = () => undefined;

/** A code printed as it is: a short printable word. */
const WORD = /^[\x21-\x7e]{1,64}$/;

function line(words: (string | false | undefined)[]): string {
  return words.filter(Boolean).join(' ');
}
