// Sign-ins through the justlogin-sandbox package's signIn(), for the tests that also look at the
// URL the sandbox sends the browser back to (the app's callback, with `code`, `state`, `iss` or `error`).
import { signIn, type AgentLike, type SandboxUser } from 'justlogin-sandbox';

export type Credentials = Pick<SandboxUser, 'companyId' | 'username' | 'password'>;

/** The callback request signIn() made on the app: its path with the query, and the query's parameters. */
export interface CallbackRequest {
  path: string;
  params: URLSearchParams;
}

/**
 * signIn() with `agent` from `start`, answering the consent page with `consent`; resolves with the
 * app's response to the callback and the callback request, as the sandbox's redirect made it.
 */
export async function signInRecordingCallback<R>(
  agent: AgentLike<R>,
  start: string,
  user: Credentials,
  consent = true,
): Promise<{ response: R; callback: CallbackRequest }> {
  const paths: string[] = [];
  const recording: AgentLike<R> = {
    get(path) {
      paths.push(path);
      return agent.get(path);
    },
  };
  const response = await signIn({ agent: recording, start, consent, ...user });
  const path = paths[paths.length - 1];
  return { response, callback: { path, params: new URL(path, 'http://app.invalid').searchParams } };
}

/** The app every signIn() of sandboxRedirect() starts on: its one route redirects to the authorize URL. */
const NO_APP = 'http://app.invalid';

/**
 * Signs `user` in on the sandbox from `authorizeURL` (its /connect/authorize URL) with signIn() and
 * resolves with the URL the sandbox then sends the browser to, without opening it.
 * Rejects with the package's SandboxSignInError when the sandbox refuses the credentials.
 */
export async function sandboxRedirect(authorizeURL: string, user: Credentials, consent = true): Promise<URL> {
  const sandboxOrigin = new URL(authorizeURL).origin;
  let redirect: URL | undefined;
  const browser = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.origin === sandboxOrigin) return fetch(input, init);
    if (url.href === `${NO_APP}/start`) return new Response(null, { status: 302, headers: { location: authorizeURL } });
    redirect = url;
    return new Response(null, { status: 204 });
  };
  await signIn({ start: `${NO_APP}/start`, fetch: browser, consent, ...user });
  if (!redirect) throw new Error('the sandbox sent the browser nowhere');
  return redirect;
}
