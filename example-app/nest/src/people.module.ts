import { Module } from '@nestjs/common';

import { PeopleController } from './people.controller.js';

/** A feature module: JustLoginModule is global, so SignedInGuard and JustLoginApi work here without importing it. */
@Module({ controllers: [PeopleController] })
export class PeopleModule {}
