// The leave module (v2): the leave types assigned to an employee and one type's summary.
import { objectOf } from './answers';
import type { ApiAnswer, ApiCall } from './call';
import { checkParams, paramRules, queryString } from './params';
import { guidOrSignedIn, type SignedInUser } from './signed-in-user';
import type { JustLoginAssignedLeaveTypes, JustLoginLeaveSummary } from './types';

/**
 * Whose leave types (default: the signed-in user's), for which year.
 *
 * @group API
 */
export interface JustLoginAssignedLeaveTypesOptions {
  /** The employee's company's GUID; default: the signed-in user's. */
  companyGuid?: string;
  /** The employee's GUID; default: the signed-in user's. */
  userGuid?: string;
  /** e.g. `2026`; default: JustLogin's (this year). */
  year?: number;
}

/**
 * Whose leave (default: the signed-in user's), of which type, on which day.
 *
 * @group API
 */
export interface JustLoginLeaveSummaryOptions {
  /** The employee's company's GUID; default: the signed-in user's. */
  companyGuid?: string;
  /** The employee's GUID; default: the signed-in user's. */
  userGuid?: string;
  /** A `leaveType` of {@link JustLoginAssignedLeaveTypes}. */
  leaveTypeId: number;
  /** `YYYY-MM-DD`; default: JustLogin's (today). */
  date?: string;
}

const EMPLOYEE_RULES = { companyGuid: paramRules.guid, userGuid: paramRules.guid };

/**
 * An employee's leave.
 *
 * @group API
 */
export class JustLoginLeave {
  readonly #call: (call: ApiCall) => Promise<ApiAnswer>;
  readonly #signedIn: SignedInUser;

  /** @internal Made by `JustLoginApi`. */
  constructor(call: (call: ApiCall) => Promise<ApiAnswer>, signedIn: SignedInUser) {
    this.#call = call;
    this.#signedIn = signedIn;
  }

  /**
   * The leave types assigned to an employee for a year (`whichyear`).
   *
   * @example
   * const { leaveTypes } = await api.leave.assignedLeaveTypes({ year: 2026 });
   */
  async assignedLeaveTypes(options: JustLoginAssignedLeaveTypesOptions = {}): Promise<JustLoginAssignedLeaveTypes> {
    const what = 'leave.assignedLeaveTypes';
    checkParams(what, options, { ...EMPLOYEE_RULES, year: paramRules.year });
    const { data } = await this.#call({
      what,
      method: 'GET',
      path: `${this.#employeePath(what, options)}/assignedleavetypes`,
      query: queryString(what, { whichyear: options.year }),
    });
    return objectOf(what, data) as JustLoginAssignedLeaveTypes;
  }

  /**
   * One leave type's summary for an employee on a day (`baseondate`).
   * JustLogin documents no fields for it: any JSON object.
   *
   * @example
   * const summary = await api.leave.leaveSummary({ leaveTypeId: 1, date: '2026-11-28' });
   */
  async leaveSummary(options: JustLoginLeaveSummaryOptions): Promise<JustLoginLeaveSummary> {
    const what = 'leave.leaveSummary';
    const rules = { ...EMPLOYEE_RULES, leaveTypeId: paramRules.leaveTypeId, date: paramRules.date };
    checkParams(what, options, rules, ['leaveTypeId']);
    const { data } = await this.#call({
      what,
      method: 'GET',
      path: `${this.#employeePath(what, options)}/leavetypes/${options.leaveTypeId}/leavesummary`,
      query: queryString(what, { baseondate: options.date }),
    });
    return objectOf(what, data);
  }

  /** The path of the employee `options` name, or of the signed-in user. */
  #employeePath(what: string, options: { companyGuid?: string; userGuid?: string }): string {
    const companyGuid = guidOrSignedIn(what, 'companyGuid', options.companyGuid, this.#signedIn);
    const userGuid = guidOrSignedIn(what, 'userGuid', options.userGuid, this.#signedIn);
    return `/leave/setup/leave/v2/companies/${companyGuid}/users/${userGuid}`;
  }
}
