import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import session from 'express-session';
import passport from 'passport';

import { AppModule } from './app.module.js';
import { APP_CONFIG, type AppConfig } from './config.js';

const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: ['error', 'warn'] });
const config = app.get<AppConfig>(APP_CONFIG);
app.disable('x-powered-by');

// The session keeps the sign-in state (CSRF state, PKCE verifier) and the signed-in user with their tokens.
app.use(
  session({
    secret: config.sessionSecret,
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax' },
  }),
);
app.use(passport.session());
app.enableShutdownHooks();

await app.listen(config.port, config.host);
console.log(`NestJS example listening on ${await app.getUrl()}`);
