/**
 * `passport-justlogin/nestjs`: JustLogin sign-in for NestJS apps on Express or Fastify, as a dynamic
 * module (JustLoginModule), guards (JustLoginAuthGuard, SignedInGuard), the signed-in user as a
 * parameter (JustLoginUser), the JustLogin API client per request, an exception filter
 * (JustLoginExceptionFilter) and the sign-out (JustLoginSignOut). Needs @nestjs/common,
 * @nestjs/core, @nestjs/passport and passport; the guide is docs/nestjs.md.
 *
 * @module passport-justlogin/nestjs
 */
export { JustLoginModule } from './module.js';
export type { JustLoginModuleOptions, JustLoginModuleAsyncOptions } from './options.js';
export { JustLoginAuthGuard } from './auth-guard.js';
export { SignedInGuard } from './signed-in-guard.js';
export { JustLoginUser } from './user.js';
export type { JustLoginUserProfile } from './user.js';
export { JustLoginExceptionFilter } from './exception-filter.js';
export { JustLoginSignOut } from './sign-out.js';
export type { JustLoginSignOutOptions, JustLoginSignOutRedirect } from './sign-out.js';
