import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { JustLoginApiError } from 'passport-justlogin';

/**
 * Answers a failed call to JustLogin's API: 401 (and signed out) when the user must sign in again,
 * 503 when it may be retried later, 502 otherwise. The error's message never holds a token or
 * personal data, but it is not sent to the browser either.
 */
@Catch(JustLoginApiError)
export class JustLoginApiErrorFilter implements ExceptionFilter<JustLoginApiError> {
  catch(error: JustLoginApiError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    if (error.reauthenticate) {
      // The refresh token was refused (expired, revoked, already used): end the session's sign-in.
      req.logout((err?: Error) => {
        if (err) res.status(500).json({ statusCode: 500, message: 'Internal server error' });
        else res.status(401).json({ statusCode: 401, message: 'Sign in again' });
      });
    } else if (error.retryable) {
      res.status(503).json({ statusCode: 503, message: "JustLogin's API is not answering right now" });
    } else {
      res.status(502).json({ statusCode: 502, message: "JustLogin's API refused the call" });
    }
  }
}
