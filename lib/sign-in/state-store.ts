import { randomBytes } from 'node:crypto';
import type OAuth2Strategy from 'passport-oauth2';
import { JustLoginOptionsError } from '../errors';
import type { PassportRequestLike } from './passport-request';

/**
 * What passport-oauth2 tells a state store about the sign-in.
 *
 * @group Sign-in
 */
export interface StateStoreMeta {
  /** JustLogin's authorization endpoint. */
  authorizationURL: string;
  /** JustLogin's token endpoint. */
  tokenURL: string;
  /** The app's client id. */
  clientID: string;
  /** The app's callback URL. */
  callbackURL?: string;
}

/**
 * Receives the handle sent as `state`.
 *
 * @inline
 */
export type StateStoreCallback = (err: Error | null, handle?: string) => void;

/**
 * Receives the PKCE verifier (or `true`) and the app state, or `false` and why.
 *
 * @inline
 */
export type StateVerifyCallback = (err: Error | null, ok?: string | boolean, state?: unknown) => void;

/**
 * The app's state object, which also carries the nonce.
 *
 * @inline
 */
export type AppState = Record<string, unknown>;

/**
 * A state store that keeps the PKCE verifier and the app's state object
 * (where the nonce travels) with the `state` it issues. The strategy calls
 * `store` and `verify` with every argument below, whatever number of
 * parameters the functions declare (a rest parameter is fine).
 *
 * @group Sign-in
 */
export interface JustLoginStateStore {
  /**
   * `false` for a store written for one of passport-oauth2's shorter forms
   * (`store(req, callback)`, `store(req, meta, callback)`,
   * `store(req, state, meta, callback)`, `verify(req, handle, callback)`): the
   * strategy then calls it as passport-oauth2 does, by the number of
   * parameters its functions declare, and sends no nonce. Absent or `true`:
   * every argument, and a nonce in `state`.
   */
  readonly keepsNonce?: boolean;
  /** Keeps the verifier and the state object, and calls back with the handle to send as `state`. */
  store(
    req: PassportRequestLike,
    verifier: string | undefined,
    state: AppState | undefined,
    meta: StateStoreMeta,
    callback: StateStoreCallback,
  ): void;
  /** Looks up the handle that came back as `state`, once, and calls back with the verifier and the state object. */
  verify(req: PassportRequestLike, handle: string, meta: StateStoreMeta, callback: StateVerifyCallback): void;
}

/** A state store the strategy was given: its own kind, or passport-oauth2's. */
export type AnyStateStore = JustLoginStateStore | OAuth2Strategy.StateStore;

/** A store as the strategy calls it: any arguments. */
type Callable = Record<'store' | 'verify', (...args: unknown[]) => void>;

/** True unless `store` says `keepsNonce: false` (or there is no store). */
export function keepsNonce(store: AnyStateStore | undefined): boolean {
  return store !== undefined && (store as JustLoginStateStore).keepsNonce !== false;
}

/**
 * Why the strategy cannot take `store`, or `undefined`: a `keepsNonce` that is not a boolean, or
 * none on a store whose functions declare passport-oauth2's shorter forms, which every argument
 * would break.
 */
export function stateStoreProblem(store: AnyStateStore): string | undefined {
  const declared = (store as JustLoginStateStore).keepsNonce;
  if (declared !== undefined) {
    return typeof declared === 'boolean' ? undefined : 'must have a boolean `keepsNonce`, if any';
  }
  const stores = store.store.length;
  const verifies = store.verify.length;
  return (stores >= 2 && stores <= 4) || verifies === 3
    ? `declares ${stores} parameters in its \`store\` and ${verifies} in its \`verify\`, as passport-oauth2's ` +
        'shorter forms do: say so with `keepsNonce: false` on it (it then gets no nonce), ' +
        'or `keepsNonce: true` if it takes every argument'
    : undefined;
}

/**
 * Calls `store.store`, or passport-oauth2's NullStore without a store (no state).
 * A store with `keepsNonce: false` is called as passport-oauth2 calls it.
 */
export function storeState(
  store: AnyStateStore | undefined,
  req: PassportRequestLike,
  verifier: string | undefined,
  state: AppState | undefined,
  meta: StateStoreMeta,
  callback: StateStoreCallback,
): void {
  if (!store) return callback(null);
  const target = store as unknown as Callable;
  const declared = target.store.length;
  if (keepsNonce(store) || declared === 5) target.store(req, verifier, state, meta, callback);
  else if (declared === 4) target.store(req, state, meta, callback);
  else if (declared === 3) target.store(req, meta, callback);
  else target.store(req, callback);
}

/** Calls `store.verify` as {@link storeState} calls `store.store`; without a store, any handle passes. */
export function verifyState(
  store: AnyStateStore | undefined,
  req: PassportRequestLike,
  handle: string,
  meta: StateStoreMeta,
  callback: StateVerifyCallback,
): void {
  if (!store) return callback(null, true);
  const target = store as unknown as Callable;
  if (keepsNonce(store) || target.verify.length === 4) target.verify(req, handle, meta, callback);
  else target.verify(req, handle, callback);
}

interface SessionEntry {
  handle: string;
  code_verifier?: string;
  state?: Record<string, unknown>;
}

type Session = Record<string, { state?: SessionEntry } | undefined>;

const NO_SESSION =
  'OAuth 2.0 authentication requires session support when using state: use express-session (or alike) before Passport, or give a `store` such as CookieStateStore';

/** A random, URL-safe value of `bytes` bytes of entropy. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Keeps the state of one pending sign-in in `req.session[key]`, as
 * passport-oauth2's session stores do, and lets it be used once.
 */
export class SessionStateStore implements JustLoginStateStore {
  readonly #key: string;

  constructor(key: string) {
    this.#key = key;
  }

  store(
    req: PassportRequestLike,
    verifier: string | undefined,
    state: AppState | undefined,
    _meta: StateStoreMeta,
    callback: StateStoreCallback,
  ): void {
    const session = sessionOf(req);
    if (!session) return callback(new JustLoginOptionsError('JustLoginStrategy', [NO_SESSION]));
    const entry: SessionEntry = { handle: randomToken() };
    if (verifier) entry.code_verifier = verifier;
    if (state) entry.state = state;
    session[this.#key] = { ...session[this.#key], state: entry };
    callback(null, entry.handle);
  }

  verify(req: PassportRequestLike, handle: string, _meta: StateStoreMeta, callback: StateVerifyCallback): void {
    const session = sessionOf(req);
    if (!session) return callback(new JustLoginOptionsError('JustLoginStrategy', [NO_SESSION]));
    const holder = session[this.#key];
    const entry = holder?.state;
    if (!holder || !entry) return callback(null, false, { message: 'Unable to verify authorization request state.' });
    // Written back by assignment: a session that tracks changes through its setters (@fastify/secure-session) sees it.
    const { state: _used, ...rest } = holder;
    session[this.#key] = Object.keys(rest).length > 0 ? rest : undefined;
    if (session[this.#key] === undefined) delete session[this.#key];
    if (typeof handle !== 'string' || entry.handle !== handle) {
      return callback(null, false, { message: 'Invalid authorization request state.' });
    }
    callback(null, entry.code_verifier ?? true, entry.state);
  }
}

/** The express-session session of `req`, if the app has sessions. */
function sessionOf(req: PassportRequestLike): Session | undefined {
  return (req as unknown as { session?: Session }).session;
}
