import { readOptions, rules, type OptionRule, type OptionSpec } from './options';
import { credentialsProblem } from './endpoints';

/**
 * What {@link JustLoginClient.endSessionURL} puts in the end-session URL.
 *
 * @group Sign-out
 */
export interface EndSessionParams {
  /**
   * The id_token JustLogin issued at sign-in (`id_token_hint`): it says who
   * signs out, so that JustLogin ends the session at once and honours
   * `postLogoutRedirectURI`. An expired one does.
   */
  idTokenHint?: string;
  /**
   * Where JustLogin sends the browser once its session has ended: an absolute
   * URL registered with JustLogin for the app. IdentityServer honours it only
   * with an `idTokenHint`.
   */
  postLogoutRedirectURI?: string;
  /** Sent back with the browser to `postLogoutRedirectURI`, for the app to check. */
  state?: string;
}

/** @internal The option rule for `postLogoutRedirectURI`: an absolute http(s) URL without a user name or password. */
export const redirectURIRule: OptionRule = (value) => {
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return 'must be an absolute http(s) URL';
  return credentialsProblem(url);
};

const OPTIONS = {
  idTokenHint: { rule: rules.nonEmptyString },
  postLogoutRedirectURI: { rule: redirectURIRule },
  state: { rule: rules.nonEmptyString },
} satisfies Record<keyof EndSessionParams, OptionSpec>;

/**
 * The end-session URL (OpenID Connect RP-Initiated Logout 1.0 §2): `endpoint`
 * with `client_id`, and `id_token_hint`, `post_logout_redirect_uri` and
 * `state` when given. Throws a `JustLoginOptionsError` naming a parameter
 * that is not what it must be.
 */
export function endSessionURL(endpoint: string, clientID: string, params: EndSessionParams): string {
  const settings = readOptions<EndSessionParams>('JustLoginClient.endSessionURL', params, OPTIONS);
  const url = new URL(endpoint);
  url.searchParams.set('client_id', clientID);
  if (settings.idTokenHint !== undefined) url.searchParams.set('id_token_hint', settings.idTokenHint);
  if (settings.postLogoutRedirectURI !== undefined) {
    url.searchParams.set('post_logout_redirect_uri', settings.postLogoutRedirectURI);
  }
  if (settings.state !== undefined) url.searchParams.set('state', settings.state);
  return url.href;
}
