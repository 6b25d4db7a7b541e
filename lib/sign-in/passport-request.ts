/**
 * The request Passport hands the strategy and its state store, as far as this
 * package reads it: Express's request fits, and so do those Fastify and Koa
 * hand Passport through their adapters. Structural, so that no web
 * framework's types are needed to use the package. A verify callback that
 * takes `req` may name the framework's own type for it, e.g.
 * `(req: express.Request, accessToken, refreshToken, params, profile, done) => …`.
 *
 * @group Sign-in
 */
export interface PassportRequestLike {
  /** Header names in lower case, as Node.js parses them. */
  readonly headers: { readonly [name: string]: string | string[] | undefined };
  /** The path and query string the browser asked for; a relative `callbackURL` is resolved against it. */
  readonly url?: string;
  /** The parsed query string, where JustLogin's authorization response arrives. */
  readonly query?: unknown;
  /** The parsed body, where a `form_post` authorization response arrives. */
  readonly body?: unknown;
  /** The session (express-session or alike), where the default state store keeps a pending sign-in. */
  readonly session?: unknown;
  /** The response (Express's `req.res`), where `CookieStateStore` sets its cookie. */
  readonly res?: unknown;
}
