// The payroll module (v1): an employee's pay set-up and bank account.
import { objectOf } from './answers';
import type { ApiAnswer, ApiCall } from './call';
import { checkGuid } from './params';
import type { JustLoginBankInfo, JustLoginPayInfo } from './types';

const USERS_PATH = '/payroll/employee-management/v1/users';

/**
 * An employee's pay and bank information. JustLogin answers 403 (a
 * `JustLoginApiError` with `status: 403`) unless the signed-in user's roles
 * allow it. The answers hold bank accounts: never log them.
 */
export class JustLoginPayroll {
  readonly #call: (call: ApiCall) => Promise<ApiAnswer>;

  /** @internal Made by `JustLoginApi`. */
  constructor(call: (call: ApiCall) => Promise<ApiAnswer>) {
    this.#call = call;
  }

  /**
   * The employee's pay set-up (`companyGUID`, `userGUID`, `payPeriod`, `payMethod`, `basicPay`).
   *
   * @example
   * const { payPeriod, basicPay } = await api.payroll.payInfo(userGuid);
   */
  async payInfo(userGuid: string): Promise<JustLoginPayInfo> {
    return (await this.#read('payroll.payInfo', userGuid, 'payinfo')) as JustLoginPayInfo;
  }

  /**
   * The employee's bank account (`bankName`, `branchNo`, `branchName`, `accountNo`, …).
   *
   * @example
   * const { bankName, accountNo } = await api.payroll.bankInfo(userGuid);
   */
  async bankInfo(userGuid: string): Promise<JustLoginBankInfo> {
    return (await this.#read('payroll.bankInfo', userGuid, 'bankinfo')) as JustLoginBankInfo;
  }

  async #read(what: string, userGuid: string, resource: string): Promise<Record<string, unknown>> {
    checkGuid(what, 'userGuid', userGuid);
    const { data } = await this.#call({ what, method: 'GET', path: `${USERS_PATH}/${userGuid}/${resource}` });
    return objectOf(what, data);
  }
}
