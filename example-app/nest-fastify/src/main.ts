import 'reflect-metadata';
import secureSession from '@fastify/secure-session';
import { ServiceUnavailableException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import passport from 'passport';
import { JustLoginRefresher } from 'passport-justlogin';
import { keepTokensFreshFastify, passportOnFastify } from 'passport-justlogin/fastify';

import { AppModule } from './app.module.js';
import { APP_CONFIG, type AppConfig } from './config.js';
import { JustLoginAuth, type SessionUser } from './justlogin.strategy.js';

const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
  logger: ['error', 'warn'],
});
const config = app.get<AppConfig>(APP_CONFIG);
const fastify = app.getHttpAdapter().getInstance();

// The session (an encrypted cookie) keeps the sign-in state (CSRF state, PKCE verifier) and the signed-in user.
await app.register(secureSession, { key: config.sessionKey, cookie: { path: '/', httpOnly: true, sameSite: 'lax' } });
// Passport's middleware, as @nestjs/passport runs it, on Fastify's request and reply; restores req.user.
passportOnFastify(fastify, { passport });

// Renews the tokens before every route when they expire within 60 s (one renewal for concurrent requests).
type SignedInRequest = FastifyRequest & { user?: SessionUser };
const refresher = JustLoginRefresher.fromStrategy(app.get(JustLoginAuth));
const renewTokens = keepTokensFreshFastify(refresher, {
  get: (request: SignedInRequest) => request.user?.tokens,
  set: (request: SignedInRequest, tokens) => {
    if (request.user) request.user.tokens = tokens; // the session's own object
    request.session.touch(); // so @fastify/secure-session writes the cookie again
  },
});
fastify.addHook('preHandler', async (request: SignedInRequest, reply: FastifyReply) => {
  try {
    return await renewTokens(request, reply);
  } catch (err) {
    // Timeout, connection failure, 5xx: the tokens are unchanged; try again later.
    if ((err as { retryable?: boolean }).retryable) throw new ServiceUnavailableException('JustLogin is not answering');
    throw err;
  }
});

app.enableShutdownHooks();
await app.listen(config.port, config.host);
console.log(`NestJS on Fastify example listening on ${await app.getUrl()}`);
