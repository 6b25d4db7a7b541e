import { randomBytes, randomFillSync } from 'node:crypto';
import { JustLoginOptionsError } from '../errors';
import type { PassportRequestLike } from './passport-request';

/** What passport-oauth2 tells a state store about the sign-in. */
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
 * A passport-oauth2 state store that keeps the PKCE verifier and the app's
 * state object (where the nonce travels) with the `state` it issues:
 * passport-oauth2's five-argument `store` and four-argument `verify`.
 */
export interface JustLoginStateStore {
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

interface SessionEntry {
  handle: string;
  code_verifier?: string;
  state?: Record<string, unknown>;
}

type Session = Record<string, { state?: SessionEntry } | undefined>;

const NO_SESSION =
  'OAuth 2.0 authentication requires session support when using state: use express-session (or alike) before Passport, or give a `store` such as CookieStateStore';

/** Bytes from node:crypto's CSPRNG, drawn 4 KiB at a time: one call per ~100 sign-ins, not two per sign-in. */
const pool = Buffer.alloc(4096);
let drawn = pool.length;

/** A random, URL-safe value of `bytes` bytes of entropy; no byte is handed out twice, nor kept once used. */
export function randomToken(bytes = 24): string {
  if (bytes > pool.length) return randomBytes(bytes).toString('base64url');
  if (drawn + bytes > pool.length) {
    randomFillSync(pool);
    drawn = 0;
  }
  const token = pool.toString('base64url', drawn, drawn + bytes);
  pool.fill(0, drawn, drawn + bytes);
  drawn += bytes;
  return token;
}

/**
 * Keeps the state of one pending sign-in in `req.session[key]`, as
 * passport-oauth2's session stores do, and lets it be used once.
 */
export class SessionStateStore implements JustLoginStateStore {
  constructor(private readonly key: string) {}

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
    session[this.key] = { ...session[this.key], state: entry };
    callback(null, entry.handle);
  }

  verify(req: PassportRequestLike, handle: string, _meta: StateStoreMeta, callback: StateVerifyCallback): void {
    const session = sessionOf(req);
    if (!session) return callback(new JustLoginOptionsError('JustLoginStrategy', [NO_SESSION]));
    const holder = session[this.key];
    const entry = holder?.state;
    if (!holder || !entry) return callback(null, false, { message: 'Unable to verify authorization request state.' });
    // Written back by assignment: a session that tracks changes through its setters (@fastify/secure-session) sees it.
    const { state: _used, ...rest } = holder;
    session[this.key] = Object.keys(rest).length > 0 ? rest : undefined;
    if (session[this.key] === undefined) delete session[this.key];
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
