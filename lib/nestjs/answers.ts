// The HTTP answers to the package's errors, never with an error's text, and sending them on Express and Fastify.
import {
  BadGatewayException,
  HttpException,
  ServiceUnavailableException,
  UnauthorizedException,
  type ExecutionContext,
} from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { JustLoginError, JustLoginOptionsError } from '../index.js';
import { appendCookie } from '../frameworks/express-sign-out.js';

/**
 * The answer to an error of this package: 401 when the user must sign in
 * again, 503 when the same call may succeed later, 502 for an answer from
 * JustLogin that cannot be used. `undefined` for any other error, and for a
 * {@link JustLoginOptionsError}: that is the app's to fix (500).
 */
export function answerFor(error: unknown): HttpException | undefined {
  if (!(error instanceof JustLoginError) || error instanceof JustLoginOptionsError) return undefined;
  if (error.reauthenticate) return signInAgain();
  if (error.retryable) return new ServiceUnavailableException('JustLogin is not answering; try again shortly');
  return new BadGatewayException('JustLogin sent an answer that cannot be used');
}

/** The answer to a user who must sign in with JustLogin again. */
export function signInAgain(): UnauthorizedException {
  return new UnauthorizedException('Sign in with JustLogin again');
}

/** Express's response or Fastify's reply, as far as sending an answer goes. */
interface AnyResponse {
  /** Fastify. */
  code?: (status: number) => { send(body: unknown): unknown };
  /** Express. */
  status?: (status: number) => { json(body: unknown): unknown };
}

/** Sends `body` as JSON with `status`, on Express's response or Fastify's reply. */
export function send(response: object, status: number, body: unknown): void {
  const { code, status: setStatus } = response as AnyResponse;
  if (typeof code === 'function') code.call(response, status).send(body);
  else if (typeof setStatus === 'function') setStatus.call(response, status).json(body);
}

/**
 * Answers the request with a redirect to `url` (302) and returns `false`, as a
 * guard that answered does: Nest's answer to a refused guard then finds the
 * reply sent and adds nothing.
 */
export function redirect(adapterHost: HttpAdapterHost, context: ExecutionContext, url: string): false {
  adapterHost.httpAdapter.redirect(context.switchToHttp().getResponse(), 302, url);
  return false;
}

/** Express's response or Fastify's reply, as far as headers go. */
interface HeaderResponse {
  /** Node's, and so Express's. */
  getHeader?: (name: string) => number | string | string[] | undefined;
  setHeader?: (name: string, value: string | readonly string[]) => unknown;
  /** Fastify's, which adds a `set-cookie` to those already set. */
  header?: (name: string, value: string) => unknown;
}

/** Sets a header on Express's response or Fastify's reply; a `set-cookie` is added to those already set. */
export function addHeader(response: object, name: string, value: string): void {
  const { getHeader, setHeader, header } = response as HeaderResponse;
  if (typeof setHeader === 'function' && typeof getHeader === 'function') {
    if (name === 'set-cookie') appendCookie(response as Parameters<typeof appendCookie>[0], value);
    else setHeader.call(response, name, value);
  } else if (typeof header === 'function') header.call(response, name, value);
}
