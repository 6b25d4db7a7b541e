import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { JustLoginExceptionFilter, JustLoginModule } from 'passport-justlogin/nestjs';

import { AuthController } from './auth.controller.js';
import { loadConfig } from './config.js';
import { PeopleController } from './people.controller.js';

const { clientID, clientSecret, callbackURL, baseURL } = loadConfig();
// Registered with JustLogin beside the callback URL: where it sends the browser once signed out.
const postLogoutRedirectURI = new URL('/auth/signed-out', callbackURL).href;

@Module({
  // baseURL unset: JustLogin production.
  imports: [
    JustLoginModule.forRoot({ clientID, clientSecret, callbackURL, baseURL, signOut: { postLogoutRedirectURI } }),
  ],
  controllers: [AuthController, PeopleController],
  // JustLogin's errors as answers: 401 (and signed out), 503, 502.
  providers: [{ provide: APP_FILTER, useClass: JustLoginExceptionFilter }],
})
export class AppModule {}
