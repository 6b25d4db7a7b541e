// JustLoginApi injected per request: a request-scoped provider, built on first use from the session's tokens.
import { Scope, type FactoryProvider } from '@nestjs/common';
import { REQUEST } from '@nestjs/core';
import { JustLoginApi, JustLoginApiError } from '../index.js';
import { JUSTLOGIN_CONTEXT, type JustLoginContext } from './context.js';
import { saveTokens } from './session.js';
import { userOf } from './user.js';

/**
 * Provides `JustLoginApi` per request. Nest makes it before the guards run,
 * so it is built when first used: by then `SignedInGuard` has renewed the
 * tokens it reads. Renewed tokens are saved in the session.
 */
export const apiProvider: FactoryProvider<JustLoginApi> = {
  provide: JustLoginApi,
  scope: Scope.REQUEST,
  inject: [REQUEST, JUSTLOGIN_CONTEXT],
  useFactory: (request: object, justLogin: JustLoginContext) => onFirstUse(() => apiFor(request, justLogin)),
};

/** The request's client, bound to the signed-in user's tokens and GUIDs. */
function apiFor(request: object, { refresher }: JustLoginContext): JustLoginApi {
  const user = userOf(request);
  if (!user) {
    throw new JustLoginApiError(
      'The request has no JustLogin tokens; the user must sign in with JustLogin',
      'ENOTOKENS',
      {
        retryable: false,
        reauthenticate: true,
      },
    );
  }
  const { userGuid, companyGuid } = user.profile;
  return new JustLoginApi({
    refresher,
    tokens: user.tokens,
    identity: { userGuid, companyGuid },
    onTokens: (tokens) => saveTokens(request, tokens),
  });
}

/**
 * A `JustLoginApi` that is `create()` once something of it is used. Not a
 * promise: its `then` is undefined, so that Nest, awaiting the provider, does
 * not build it.
 */
function onFirstUse(create: () => JustLoginApi): JustLoginApi {
  let api: JustLoginApi | undefined;
  return new Proxy(Object.create(JustLoginApi.prototype) as JustLoginApi, {
    get(_target, key) {
      if (key === 'then') return undefined;
      api ??= create();
      const value: unknown = Reflect.get(api, key, api);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(api) : value;
    },
  });
}
