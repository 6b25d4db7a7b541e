import { Module } from '@nestjs/common';

import { AuthController } from './auth.controller.js';
import { APP_CONFIG, loadConfig } from './config.js';
import { JustLoginApiService } from './justlogin-api.service.js';
import { refresherProvider } from './justlogin-refresher.js';
import { JustLoginAuth } from './justlogin.strategy.js';
import { PeopleController } from './people.controller.js';
import { SessionSerializer } from './session.serializer.js';

@Module({
  controllers: [AuthController, PeopleController],
  providers: [
    { provide: APP_CONFIG, useFactory: () => loadConfig() },
    JustLoginAuth,
    SessionSerializer,
    refresherProvider,
    JustLoginApiService,
  ],
})
export class AppModule {}
