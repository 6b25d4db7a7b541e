// The `state` of a sign-out, from the sign-out route to the page JustLogin sends the browser back to:
// kept in a short cookie scoped to that page's path, checked there once and cleared.
import { hash, timingSafeEqual } from 'node:crypto';
import { readOptions, type OptionRule, type OptionSpec } from '../client/options';

/** The state cookie's name unless the options name another. */
export const STATE_COOKIE = 'justlogin_signout';
/** Seconds a sign-out may spend at JustLogin before its return is refused. */
const STATE_MAX_AGE = 600;
/** A cookie name: an RFC 6265 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The option rule for `cookieName`. */
export const cookieNameRule: OptionRule = (value) =>
  typeof value === 'string' && COOKIE_NAME.test(value)
    ? undefined
    : "must be a cookie name: letters, digits and !#$%&'*+-.^_`|~ only";

/**
 * The option rule for `returnTo`: a path of the app (`/…`, not `//…`) or an
 * absolute http(s) URL, never anything a browser could take for another scheme.
 */
export const returnToRule: OptionRule = (value) => {
  if (typeof value === 'string' && /^\/(?![/\\])[^\\\s]*$/.test(value)) return undefined;
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  return url && (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === ''
    ? undefined
    : "must be a path of the app (e.g. '/') or an absolute http(s) URL";
};

/**
 * Options of the post-logout return (`postLogoutHandler`, `postLogoutHandlerFastify`, `postLogoutHandlerKoa`).
 *
 * @group Sign-out
 */
export interface PostLogoutOptions {
  /** Where the browser goes once back: a path of the app or an absolute URL; default `'/'`. */
  returnTo?: string;
  /** The state cookie's name, the same as the sign-out handler's; default `'justlogin_signout'`. */
  cookieName?: string;
}

const OPTIONS = {
  returnTo: { rule: returnToRule, default: '/' },
  cookieName: { rule: cookieNameRule, default: STATE_COOKIE },
} satisfies Record<keyof PostLogoutOptions, OptionSpec>;

/** What the return answers: a redirect to `returnTo`, or 400 for a state that is not this browser's. */
export type PostLogoutAnswer =
  | { status: 303; location: string; setCookie: string }
  | { status: 400; body: { error: 'invalid_state'; error_description: string } };

/**
 * The return from JustLogin's end-session endpoint, framework-neutral: reads
 * the options once (throwing a `JustLoginOptionsError` naming `component`)
 * and answers one return, given its `state` parameter, its `Cookie` header and
 * its path. The cookie is cleared once its state came back; a forged return
 * leaves it, so that it cannot spoil the browser's own.
 */
export function postLogoutReturn(
  component: string,
  options: PostLogoutOptions,
): (state: unknown, cookieHeader: unknown, path: string) => PostLogoutAnswer {
  const { returnTo, cookieName } = readOptions<Required<PostLogoutOptions>>(component, options, OPTIONS);
  return (state, cookieHeader, path) => {
    const kept = typeof cookieHeader === 'string' ? cookieValue(cookieHeader, cookieName) : undefined;
    if (typeof state === 'string' && kept !== undefined && same(state, kept)) {
      return { status: 303, location: returnTo, setCookie: stateCookie(cookieName, '', path, false, 0) };
    }
    return {
      status: 400,
      body: {
        error: 'invalid_state',
        error_description: 'This return from JustLogin is not the sign-out of this browser',
      },
    };
  };
}

/** A `Set-Cookie` value keeping `state` for the return to `path` (or clearing it, with an empty `state` and `maxAge` 0). */
export function stateCookie(
  name: string,
  state: string,
  path: string,
  secure: boolean,
  maxAge = STATE_MAX_AGE,
): string {
  return `${name}=${state}; Max-Age=${maxAge}; Path=${path}; HttpOnly${secure ? '; Secure' : ''}; SameSite=Lax`;
}

/** Compares two strings in a time that depends on neither. */
function same(a: string, b: string): boolean {
  return b !== '' && timingSafeEqual(hash('sha256', a, 'buffer'), hash('sha256', b, 'buffer'));
}

/** The value of the first cookie named `name` in a `Cookie` header (RFC 6265 §5.4). */
function cookieValue(header: string, name: string): string | undefined {
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals >= 0 && pair.slice(0, equals).trim() === name) return pair.slice(equals + 1).trim();
  }
  return undefined;
}
