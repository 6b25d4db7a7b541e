import { Module } from '@nestjs/common';

import { AuthController } from './auth.controller.js';
import { APP_CONFIG, loadConfig } from './config.js';
import { JustLoginAuth } from './justlogin.strategy.js';
import { SessionSerializer } from './session.serializer.js';

@Module({
  controllers: [AuthController],
  providers: [{ provide: APP_CONFIG, useFactory: () => loadConfig() }, JustLoginAuth, SessionSerializer],
})
export class AppModule {}
