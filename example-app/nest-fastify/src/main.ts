import 'reflect-metadata';
import secureSession from '@fastify/secure-session';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import passport from 'passport';
import { passportOnFastify } from 'passport-justlogin/fastify';

import { AppModule } from './app.module.js';
import { loadConfig } from './config.js';

const config = loadConfig();
const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
  logger: ['error', 'warn'],
});

// The session (an encrypted cookie) keeps the sign-in state (CSRF state, PKCE verifier) and the signed-in user.
await app.register(secureSession, { key: config.sessionKey, cookie: { path: '/', httpOnly: true, sameSite: 'lax' } });
// Passport's middleware, as @nestjs/passport runs it, on Fastify's request and reply; restores req.user.
passportOnFastify(app.getHttpAdapter().getInstance(), { passport });

app.enableShutdownHooks();
await app.listen(config.port, config.host);
console.log(`NestJS on Fastify example listening on ${await app.getUrl()}`);
