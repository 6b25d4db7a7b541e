import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { JustLoginExceptionFilter, JustLoginModule } from 'passport-justlogin/nestjs';

import { AuthController } from './auth.controller.js';
import { loadConfig } from './config.js';
import { PeopleController } from './people.controller.js';

const { clientID, clientSecret, callbackURL, baseURL } = loadConfig();

@Module({
  // baseURL unset: JustLogin production.
  imports: [JustLoginModule.forRoot({ clientID, clientSecret, callbackURL, baseURL })],
  controllers: [AuthController, PeopleController],
  // JustLogin's errors as answers: 401 (and signed out), 503, 502.
  providers: [{ provide: APP_FILTER, useClass: JustLoginExceptionFilter }],
})
export class AppModule {}
