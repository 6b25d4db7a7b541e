import type { ProbeAnswer } from './probe';
import { printable } from './report';

/**
 * What JustLogin's authorize endpoint did with a sign-in request for the
 * callback URL: sent the browser to its sign-in page (`accepted`), to its
 * error page or an error page of its own (`refused`), back to the callback URL
 * with an OAuth `error` (`accepted-with-error`), or something not recognised
 * (`unknown`). `where` says where, for the report: a page (its origin, or origin
 * and path), the OAuth error code, or an HTTP status; never a query, a cookie or a body.
 */
export interface AuthorizeVerdict {
  outcome: 'accepted' | 'refused' | 'accepted-with-error' | 'unknown';
  where: string;
  /** For `refused`: whether the page blamed the client ID rather than the redirect_uri. */
  unknownClient?: boolean;
}

/**
 * Reads the first answer to an authorize request (OAuth 2.0 §4.1.1), as
 * IdentityServer and oidc-provider give it:
 * - IdentityServer redirects a request it refuses before trusting its
 *   redirect_uri to its error page (`/home/error?errorId=…`), and a good one to
 *   its sign-in page (`/account/login?ReturnUrl=…`);
 * - oidc-provider (the sandbox) answers a refused redirect_uri with an error
 *   page (HTTP 400, `invalid_redirect_uri`), and redirects a good request to its
 *   interaction page (`…/interaction/<uid>`);
 * - either sends an error it may report to the app to the callback URL itself,
 *   which it does only once that URL is accepted (§4.1.2.1).
 */
export function judgeAuthorizeAnswer(answer: ProbeAnswer, authorizeURL: URL, callbackURL: URL): AuthorizeVerdict {
  const { status } = answer;
  const location = typeof answer.headers.location === 'string' ? answer.headers.location : undefined;
  if (status >= 300 && status < 400 && location !== undefined) {
    const target = URL.canParse(location, authorizeURL.href) ? new URL(location, authorizeURL) : undefined;
    if (!target) return { outcome: 'unknown', where: `HTTP ${status} to a Location that is not a URL` };
    if (target.origin === callbackURL.origin && target.pathname === callbackURL.pathname) {
      const error = target.searchParams.get('error');
      return error === null
        ? { outcome: 'accepted', where: 'the callback URL' }
        : { outcome: 'accepted-with-error', where: printable(error).slice(0, 64) };
    }
    const page = printable(`${target.origin}${target.pathname}`);
    const names = [...target.searchParams.keys()].map((name) => name.toLowerCase());
    if (names.includes('errorid') || /\/error\/?$/i.test(target.pathname)) {
      return { outcome: 'refused', where: `its error page at ${page}` };
    }
    if (names.includes('returnurl') || /\/(login|signin|interaction\/[^/]+)\/?$/i.test(target.pathname)) {
      // The origin only: the path of an interaction page names the pending request.
      return { outcome: 'accepted', where: `its sign-in page at ${printable(target.origin)}` };
    }
    return { outcome: 'unknown', where: `HTTP ${status} to ${page}` };
  }
  if (status >= 400 && status < 500 && /redirect_uri/i.test(answer.body)) {
    return { outcome: 'refused', where: `an error page (HTTP ${status})` };
  }
  if (status >= 400 && status < 500 && /invalid_client/i.test(answer.body)) {
    return { outcome: 'refused', where: `an error page (HTTP ${status})`, unknownClient: true };
  }
  return { outcome: 'unknown', where: `HTTP ${status}` };
}
