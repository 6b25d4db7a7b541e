// The NestJS-on-Fastify example (example-app/nest-fastify: @nestjs/passport's AuthGuard with
// passportOnFastify, @fastify/secure-session, keepTokensFreshFastify as a hook), built and run as its
// own process on the built package, on the JustLogin sandbox, driven over HTTP as a browser would.
import { join } from 'node:path';
import { describeFastifyExample } from './support/fastify-example';
import { DEMO_USERS } from './support/sandbox';

describeFastifyExample(
  'the NestJS-on-Fastify example',
  join(__dirname, '..', 'example-app', 'nest-fastify', 'dist', 'main.js'),
  {
    passport: '@nestjs/passport',
    // validate() gets the token response: username and company come from it.
    profile: { id: DEMO_USERS[0].claims.sub, name: 'Alice Tan', username: 'alice', company: 'Acme Corporation' },
    signedOut: { statusCode: 401, message: 'Unauthorized' },
    refusedState: 401,
    unavailable: { statusCode: 503, message: 'JustLogin is not answering', error: 'Service Unavailable' },
  },
);
