// Sign-ins through the justlogin-sandbox package's signIn(), for the tests that also look at the
// URL the sandbox sends the browser back to (the app's callback, with `code`, `state`, `iss` or `error`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { signIn, type AgentLike, type SandboxUser } from 'justlogin-sandbox';
import request from 'supertest';

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
 * An app whose every route redirects to `authorizeURL` (a sandbox /connect/authorize URL of the
 * test's own making), as a supertest agent: where signIn() starts when the test plays the app.
 */
export function appRedirectingTo(authorizeURL: string) {
  return request.agent((_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(302, { location: authorizeURL }).end();
  });
}
