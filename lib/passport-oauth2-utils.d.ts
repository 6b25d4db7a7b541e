// passport-oauth2's own helper, used so a relative callback URL resolves exactly as it does there.
declare module 'passport-oauth2/lib/utils' {
  import type { IncomingMessage } from 'node:http';

  /** The URL the client asked for, with protocol and host (`X-Forwarded-*` only with `proxy`). */
  export function originalURL(req: IncomingMessage, options?: { proxy?: boolean }): string;
}
