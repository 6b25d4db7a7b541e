import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';

/** What passport.authenticate and passport.session() add to the Fastify request. */
interface PassportRequest {
  isAuthenticated(): boolean;
}

/**
 * Runs the JustLogin strategy: on /auth/justlogin it redirects to JustLogin; on the callback it
 * completes the sign-in and stores the user in the session (req.logIn).
 */
@Injectable()
export class JustLoginGuard extends AuthGuard('justlogin') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const result = (await super.canActivate(context)) as boolean;
    await super.logIn(context.switchToHttp().getRequest());
    return result;
  }
}

/** Lets a request through when its session holds a signed-in user; 401 otherwise. */
@Injectable()
export class SignedInGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!context.switchToHttp().getRequest<PassportRequest>().isAuthenticated()) throw new UnauthorizedException();
    return true;
  }
}
