import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { JustLoginExceptionFilter, JustLoginModule } from 'passport-justlogin/nestjs';

import { AuthController } from './auth.controller.js';
import { APP_CONFIG, ConfigModule, type AppConfig } from './config.js';
import { PeopleModule } from './people.module.js';

@Module({
  imports: [
    JustLoginModule.forRootAsync({
      imports: [ConfigModule],
      inject: [APP_CONFIG],
      useFactory: ({ clientID, clientSecret, callbackURL, baseURL }: AppConfig) => ({
        clientID,
        clientSecret,
        callbackURL,
        baseURL, // unset: JustLogin production
        failureRedirect: '/?sign-in=failed',
        signInRedirect: '/auth/justlogin',
        // Registered with JustLogin beside the callback URL: where it sends the browser once signed out.
        signOut: { postLogoutRedirectURI: new URL('/auth/signed-out', callbackURL).href },
      }),
    }),
    PeopleModule,
  ],
  controllers: [AuthController],
  // JustLogin's errors as answers: 401 (and signed out), 503, 502.
  providers: [{ provide: APP_FILTER, useClass: JustLoginExceptionFilter }],
})
export class AppModule {}
