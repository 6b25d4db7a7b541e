import type { Request } from 'express';
import {
  randomToken,
  type AppState,
  type JustLoginStateStore,
  type StateStoreCallback,
  type StateStoreMeta,
  type StateVerifyCallback,
} from './state-store';

/** The nonce each callback request must find in its id_token, until it is read once. */
const expectedNonces = new WeakMap<object, string>();

/** A fresh nonce for one authorization request. */
export function newNonce(): string {
  return randomToken(32);
}

/** The nonce stored with this callback's state, removed as it is read. */
export function takeExpectedNonce(req: object): string | undefined {
  const nonce = expectedNonces.get(req);
  expectedNonces.delete(req);
  return nonce;
}

/**
 * Wraps a state store so that the nonce travels inside the stored state
 * (`state.nonce`) and is handed to the id_token check on the callback; the
 * app sees its own state object without it.
 */
export class NonceStateStore implements JustLoginStateStore {
  constructor(private readonly inner: JustLoginStateStore) {}

  store(
    req: Request,
    verifier: string | undefined,
    state: AppState | undefined,
    meta: StateStoreMeta,
    callback: StateStoreCallback,
  ): void {
    this.inner.store(req, verifier, state, meta, callback);
  }

  verify(req: Request, handle: string, meta: StateStoreMeta, callback: StateVerifyCallback): void {
    this.inner.verify(req, handle, meta, (err, ok, state) => {
      if (err || !ok || !isObject(state) || typeof state.nonce !== 'string') return callback(err, ok, state);
      const { nonce, ...appState } = state;
      expectedNonces.set(req, nonce);
      callback(null, ok, Object.keys(appState).length > 0 ? appState : undefined);
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
