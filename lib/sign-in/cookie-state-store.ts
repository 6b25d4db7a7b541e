import type { ServerResponse } from 'node:http';
import { JustLoginOptionsError } from '../errors';
import { readOptions, rules, type OptionSpec } from '../client/options';
import type { PassportRequestLike } from './passport-request';
import { JsonSealer } from '../sealed-tokens';
import {
  randomToken,
  type AppState,
  type JustLoginStateStore,
  type StateStoreCallback,
  type StateStoreMeta,
  type StateVerifyCallback,
} from './state-store';

/**
 * Options of {@link CookieStateStore}.
 *
 * @group Sign-in
 */
export interface CookieStateStoreOptions {
  /**
   * Encrypts the cookie (AES-256-GCM under a key derived from it): at least 32 characters (or bytes),
   * kept secret, stable across instances. `undefined` (an unset environment variable) throws.
   */
  secret: string | Buffer | undefined;
  /**
   * Cookie name; default `justlogin_state`. Over https, `__Host-justlogin_state` is better: browsers
   * then keep only a cookie set by this host itself, with `Secure` and `Path=/` (which the store sets
   * for such a name), so a sibling subdomain cannot plant one. `__Secure-` names need `Secure` too.
   */
  name?: string;
  /**
   * Milliseconds a sign-in may take before its cookie is refused; default 600000 (10 minutes). The
   * cookie's `Max-Age` is this in whole seconds, rounded up.
   */
  maxAgeMs?: number;
  /** The `Secure` attribute; default `true`. `false` is accepted only for a callback on http://localhost. */
  secure?: boolean;
}

interface CookiePayload {
  /** state handle */
  h: string;
  /** PKCE code verifier */
  v?: string;
  /** app state, with the nonce */
  s?: Record<string, unknown>;
  /** expiry, epoch seconds */
  e: number;
}

const KEY_INFO = 'passport-justlogin state cookie v1';
/** A cookie name: an RFC 6265 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A name that browsers keep only with `Secure` (RFC 6265bis §4.1.3), matched as they match it: in any case. */
const SECURE_PREFIX = /^__(host|secure)-/i;
/** A name that browsers keep only with `Secure`, `Path=/` and no `Domain`. */
const HOST_PREFIX = /^__host-/i;

const OPTIONS = {
  secret: { rule: rules.secret(32), required: true },
  name: {
    rule: (value, options) => {
      if (typeof value !== 'string' || !COOKIE_NAME.test(value)) {
        return "must be a cookie name: letters, digits and !#$%&'*+-.^_`|~ only";
      }
      return SECURE_PREFIX.test(value) && options.secure === false
        ? 'starting with __Host- or __Secure- needs `secure: true`: browsers refuse such a cookie without Secure'
        : undefined;
    },
    default: 'justlogin_state',
  },
  maxAgeMs: { rule: rules.positiveDurationMs, default: 600_000, formerlySeconds: 'maxAge' },
  secure: { rule: rules.boolean, default: true },
} satisfies Record<keyof CookieStateStoreOptions, OptionSpec>;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** The most used handles a store remembers; past it the oldest is forgotten. */
const MAX_USED_HANDLES = 100_000;
/** RFC 6265 §4.1.1 `path-value`: any character but controls and `;`. */
const COOKIE_PATH = /^[\x20-\x3a\x3c-\x7e]+$/;

/**
 * Keeps one pending sign-in's state, PKCE verifier, nonce and app state
 * (e.g. `returnTo`) in an encrypted, `HttpOnly`, `SameSite=Lax`, `Secure` cookie
 * scoped to the callback path (`/` for a `__Host-` name), for apps without sessions (NestJS with JWTs,
 * serverless). The cookie is sealed with AES-256-GCM under a key derived
 * from `secret` and bound to the cookie name, so the browser can neither read
 * nor alter it. The cookie is cleared when used; a replayed, tampered,
 * expired or missing cookie fails the sign-in. A replay is recognised by the
 * process that took the cookie, which remembers the last 100,000 it took.
 *
 * @example
 * passport.use(new JustLoginStrategy({
 *   clientID, clientSecret, callbackURL,
 *   store: new CookieStateStore({ secret: process.env.STATE_COOKIE_SECRET }),
 * }, verify));
 *
 * @group Sign-in
 */
export class CookieStateStore implements JustLoginStateStore {
  readonly #name: string;
  /** Seconds: the cookie's Max-Age. */
  readonly #maxAge: number;
  readonly #secure: boolean;
  /** The cookie's Path for a `__Host-` name, else `undefined`: the callback's path. */
  readonly #path: '/' | undefined;
  readonly #sealer: JsonSealer<CookiePayload>;
  /**
   * Handles already used in this process, oldest first, each with the expiry of its cookie; at most
   * MAX_USED_HANDLES, so that checking and recording one is constant work.
   */
  readonly #used = new Map<string, number>();

  /**
   * Throws a {@link JustLoginOptionsError} listing every option that is missing, unknown or invalid.
   */
  constructor(options: CookieStateStoreOptions) {
    const settings = readOptions<Required<CookieStateStoreOptions>>('CookieStateStore', options, OPTIONS);
    this.#sealer = new JsonSealer(settings.secret as string | Buffer, KEY_INFO); // checked: given
    this.#name = settings.name;
    this.#maxAge = Math.ceil(settings.maxAgeMs / 1000);
    this.#secure = settings.secure;
    this.#path = HOST_PREFIX.test(this.#name) ? '/' : undefined;
  }

  store(
    req: PassportRequestLike,
    verifier: string | undefined,
    state: AppState | undefined,
    meta: StateStoreMeta,
    callback: StateStoreCallback,
  ): void {
    const res = req.res as ServerResponse | undefined;
    const callbackURL = meta.callbackURL ? new URL(meta.callbackURL) : undefined;
    if (!res || !callbackURL) {
      return callback(
        new JustLoginOptionsError('CookieStateStore', [
          'the request must carry its response (req.res, as in Express) and the `callbackURL` must be absolute',
        ]),
      );
    }
    const path = this.#path ?? callbackURL.pathname;
    if (!COOKIE_PATH.test(path)) {
      return callback(
        new JustLoginOptionsError('CookieStateStore', [
          "the `callbackURL`'s path cannot be a cookie's Path: it holds ';' or a control character",
        ]),
      );
    }
    if (!this.#secure && !(callbackURL.protocol === 'http:' && LOOPBACK_HOSTS.has(callbackURL.hostname))) {
      return callback(
        new JustLoginOptionsError('CookieStateStore', [
          '`secure: false` is only allowed for a callback on http://localhost',
        ]),
      );
    }
    const payload: CookiePayload = { h: randomToken(), e: Math.floor(Date.now() / 1000) + this.#maxAge };
    if (verifier) payload.v = verifier;
    if (state) payload.s = state;
    this.#setCookie(res, path, this.#sealer.seal(payload, this.#name), this.#maxAge);
    callback(null, payload.h);
  }

  verify(req: PassportRequestLike, handle: string, meta: StateStoreMeta, callback: StateVerifyCallback): void {
    const res = req.res as ServerResponse | undefined;
    const path = this.#path ?? (meta.callbackURL ? new URL(meta.callbackURL).pathname : '/');
    if (res && COOKIE_PATH.test(path)) this.#setCookie(res, path, '', 0);
    const payload = this.#read(req.headers.cookie);
    const now = Math.floor(Date.now() / 1000);
    this.#forgetExpired(now);
    if (!payload || payload.e <= now || this.#used.has(payload.h)) {
      return callback(null, false, { message: 'Unable to verify authorization request state.' });
    }
    if (typeof handle !== 'string' || payload.h !== handle) {
      return callback(null, false, { message: 'Invalid authorization request state.' });
    }
    if (this.#used.size >= MAX_USED_HANDLES) this.#used.delete(this.#used.keys().next().value as string);
    this.#used.set(payload.h, payload.e);
    callback(null, payload.v ?? true, payload.s);
  }

  /** The payload of a cookie this store sealed under this name, or `undefined`. */
  #read(header: string | string[] | undefined): CookiePayload | undefined {
    const value = typeof header === 'string' ? cookieValue(header, this.#name) : undefined;
    const payload = value ? this.#sealer.open(value, this.#name) : undefined;
    return typeof payload?.h === 'string' && typeof payload.e === 'number' ? payload : undefined;
  }

  /** Adds `Set-Cookie` for this store's cookie; `value` is base64url (a sealed payload) or empty. */
  #setCookie(res: ServerResponse, path: string, value: string, maxAge: number): void {
    const secure = this.#secure ? '; Secure' : '';
    const header = `${this.#name}=${value}; Max-Age=${Math.floor(maxAge)}; Path=${path}; HttpOnly${secure}; SameSite=Lax`;
    const previous = res.getHeader('Set-Cookie');
    const cookies = previous === undefined ? [] : Array.isArray(previous) ? previous : [String(previous)];
    res.setHeader('Set-Cookie', [...cookies, header]);
  }

  /**
   * Forgets the oldest used handles while their cookie has expired. One used after a later one
   * waits behind it: its cookie is refused as expired meanwhile.
   */
  #forgetExpired(now: number): void {
    for (const [handle, expiry] of this.#used) {
      if (expiry > now) return;
      this.#used.delete(handle);
    }
  }
}

/** The value of the first cookie named `name` in a `Cookie` header (RFC 6265 §5.4), without its quotes. */
function cookieValue(header: string, name: string): string | undefined {
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0 || pair.slice(0, equals).trim() !== name) continue;
    const value = pair.slice(equals + 1).trim();
    return value.length > 1 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  }
  return undefined;
}
