// JustLoginExceptionFilter: the package's errors as HTTP answers, on Express and on Fastify.
import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { JustLoginError } from '../index.js';
import { answerFor, send } from './answers.js';
import { endSession } from './session.js';

const logger = new Logger('JustLoginExceptionFilter');
/** Nest's own answer to an error it does not know. */
const INTERNAL_ERROR = { statusCode: 500, message: 'Internal server error' };

/**
 * Answers an error of this package that reached a route (e.g. from the
 * injected `JustLoginApi`): 401 when the user must sign in with JustLogin
 * again, after ending their session; 503 when JustLogin is not answering or
 * asks to wait; 502 when its answer cannot be used (logged); 500 for options
 * the app must fix (logged). The answer is Nest's usual JSON
 * (`{ statusCode, message, error }`), never the error's text. Works on the
 * Express and the Fastify adapter; apply it to the whole app
 * (`{ provide: APP_FILTER, useClass: JustLoginExceptionFilter }`) or to
 * controllers (`@UseFilters(JustLoginExceptionFilter)`).
 *
 * @group NestJS
 */
@Catch(JustLoginError)
export class JustLoginExceptionFilter implements ExceptionFilter<JustLoginError> {
  /** Sends the answer to `error` (HTTP requests only). */
  async catch(error: JustLoginError, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const response = http.getResponse<object>();
    const answer = answerFor(error);
    if (answer?.getStatus() !== 401 && answer?.getStatus() !== 503) logger.error(error);
    try {
      if (error.reauthenticate) await endSession(http.getRequest<object>());
    } catch (failure) {
      logger.error(failure);
      send(response, 500, INTERNAL_ERROR);
      return;
    }
    if (answer) send(response, answer.getStatus(), answer.getResponse());
    else send(response, 500, INTERNAL_ERROR);
  }
}
