// The payroll module (v1): an employee's pay set-up and bank account.
import { objectOf } from './answers';
import type { ApiAnswer, ApiCall } from './call';
import { guidOrSignedIn, type SignedInUser } from './signed-in-user';
import type { JustLoginBankInfo, JustLoginPayInfo } from './types';

const USERS_PATH = '/payroll/employee-management/v1/users';

/**
 * An employee's pay and bank information. JustLogin answers 403 (a
 * `JustLoginApiError` with `status: 403`) unless the signed-in user's roles
 * allow it. The answers hold bank accounts: never log them.
 *
 * @group API
 */
export class JustLoginPayroll {
  readonly #call: (call: ApiCall) => Promise<ApiAnswer>;
  readonly #signedIn: SignedInUser;

  /** @internal Made by `JustLoginApi`. */
  constructor(call: (call: ApiCall) => Promise<ApiAnswer>, signedIn: SignedInUser) {
    this.#call = call;
    this.#signedIn = signedIn;
  }

  /**
   * The employee's pay set-up (`companyGUID`, `userGUID`, `payPeriod`, `payMethod`, `basicPay`);
   * without `userGuid`, the signed-in user's.
   *
   * @example
   * const { payPeriod, basicPay } = await api.payroll.payInfo();
   */
  async payInfo(userGuid?: string): Promise<JustLoginPayInfo> {
    return (await this.#read('payroll.payInfo', userGuid, 'payinfo')) as JustLoginPayInfo;
  }

  /**
   * The employee's bank account (`bankName`, `branchNo`, `branchName`, `accountNo`, …); without
   * `userGuid`, the signed-in user's.
   *
   * @example
   * const { bankName, accountNo } = await api.payroll.bankInfo(userGuid);
   */
  async bankInfo(userGuid?: string): Promise<JustLoginBankInfo> {
    return (await this.#read('payroll.bankInfo', userGuid, 'bankinfo')) as JustLoginBankInfo;
  }

  async #read(what: string, given: string | undefined, resource: string): Promise<Record<string, unknown>> {
    const userGuid = guidOrSignedIn(what, 'userGuid', given, this.#signedIn);
    const { data } = await this.#call({ what, method: 'GET', path: `${USERS_PATH}/${userGuid}/${resource}` });
    return objectOf(what, data);
  }
}
