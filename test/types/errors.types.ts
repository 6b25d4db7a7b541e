// Type tests: the error family's codes, and the failure info the strategy passes to Passport.
import {
  type IdTokenError,
  type JustLoginError,
  type JustLoginOptionsError,
  type NoRefreshTokenError,
  type JustLoginErrorCode,
  type JustLoginFailure,
} from '../../lib';
import { assertType, type Equal } from './expect';

// Every error has the same three fields, whatever its class.
assertType<Equal<JustLoginError['code'], JustLoginErrorCode>>(true);
assertType<Equal<JustLoginError['retryable'], boolean>>(true);
assertType<Equal<JustLoginError['reauthenticate'], boolean>>(true);

// The union lists OAuth's codes as JustLogin sends them and the package's own, and still takes any other string.
const oauth: JustLoginErrorCode = 'invalid_grant';
const own: JustLoginErrorCode = 'ETIMEDOUT';
const other: JustLoginErrorCode = 'a_code_justlogin_made_up';
void [oauth, own, other];
assertType<'ENOREFRESHTOKEN' extends JustLoginErrorCode ? true : false>(true);

// Classes with one code say which.
assertType<Equal<IdTokenError['code'], 'EBADIDTOKEN'>>(true);
assertType<Equal<NoRefreshTokenError['code'], 'ENOREFRESHTOKEN'>>(true);
assertType<Equal<JustLoginOptionsError['code'], 'EBADOPTIONS'>>(true);

// A failure's code is one of a closed list.
assertType<Equal<JustLoginFailure['code'], 'access_denied' | 'EBADSTATE' | 'EBADCALLBACK' | 'EBADISSUER' | 'EBADHOST'>>(
  true,
);
assertType<Equal<JustLoginFailure['message'], string>>(true);
