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

/**
 * Signs `user` in on the sandbox from `authorizeURL` (its /connect/authorize URL) with
 * signIn({ followCallback: false }) and resolves with the URL the sandbox then sends the browser to.
 * The app signIn() starts on has one route, which redirects to `authorizeURL`.
 * Rejects with the package's SandboxSignInError when the sandbox refuses the credentials.
 */
export function sandboxRedirect(authorizeURL: string, user: Credentials, consent = true): Promise<URL> {
  const app: AgentLike<{ status: number; headers: Record<string, string> }> = {
    get: () => Promise.resolve({ status: 302, headers: { location: authorizeURL } }),
  };
  return signIn({ agent: app, start: '/start', consent, followCallback: false, ...user });
}
