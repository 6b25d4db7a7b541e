// The users API (v3): the employees of the signed-in user's company.
import { listOf, objectOf } from './answers';
import type { ApiAnswer, ApiCall } from './call';
import { lastPage, parsePagination, walkPages } from './paging';
import { activeStatusParam, checkGuid, checkParams, includeParam, paramRules, queryString } from './params';
import { guidOrSignedIn, type SignedInUser } from './signed-in-user';
import type { JustLoginActiveStatus, JustLoginEmployee, JustLoginEmployeeInclude, JustLoginPage } from './types';

const USERS_PATH = '/membership/v3/users';

/**
 * Which employees to list, and what of each.
 *
 * @group API
 */
export interface JustLoginEmployeeListOptions {
  /** What to add to each employee besides the basic fields; `profile` adds passport and government id. */
  include?: readonly JustLoginEmployeeInclude[];
  /** Active employees (default), `inactive` ones or `all`. */
  activeStatus?: JustLoginActiveStatus;
  /** A filter passed to JustLogin untouched, e.g. `name[=]tony` (case-insensitive). */
  query?: string;
  /** Employees a page, 1–100; JustLogin's default is 50. */
  limit?: number;
  /** The page to read (`listPage`) or to start from (`list`), from 1; default 1. */
  page?: number;
}

/**
 * Options of {@link JustLoginEmployees.get}.
 *
 * @group API
 */
export interface JustLoginEmployeeGetOptions {
  /** What to add to the employee. */
  include?: readonly JustLoginEmployeeInclude[];
}

const LIST_RULES = {
  include: paramRules.include,
  activeStatus: paramRules.activeStatus,
  query: paramRules.filter,
  limit: paramRules.limit,
  page: paramRules.page,
};

/**
 * The employees of the signed-in user's company (`GET /membership/v3/users`).
 *
 * @group API
 */
export class JustLoginEmployees {
  readonly #call: (call: ApiCall) => Promise<ApiAnswer>;
  readonly #signedIn: SignedInUser;

  /** @internal Made by `JustLoginApi`. */
  constructor(call: (call: ApiCall) => Promise<ApiAnswer>, signedIn: SignedInUser) {
    this.#call = call;
    this.#signedIn = signedIn;
  }

  /**
   * Every employee, page after page: a page is read when the previous one has
   * been consumed, so one page is in memory at a time. Stops after the page
   * whose `x-pagination` says `HasNext: false` (or the last of `TotalPages`,
   * or an empty one); without the header the first page is the only one.
   * Throws a `JustLoginOptionsError` at once for bad options.
   *
   * @example
   * for await (const employee of api.employees.list({ include: ['department'], activeStatus: 'all' })) {
   *   console.log(employee.fullName, employee.department?.name);
   * }
   */
  list(options: JustLoginEmployeeListOptions = {}): AsyncGenerator<JustLoginEmployee, void, undefined> {
    checkParams('employees.list', options, LIST_RULES);
    return walkPages((page) => this.#page('employees.list', { ...options, page }), options.page ?? 1, 'employees.list');
  }

  /**
   * One page of employees and its paging state.
   *
   * @example
   * const { items, pagination } = await api.employees.listPage({ page: 2, limit: 100 });
   * if (pagination.hasNext) { … }
   */
  async listPage(options: JustLoginEmployeeListOptions = {}): Promise<JustLoginPage<JustLoginEmployee>> {
    checkParams('employees.listPage', options, LIST_RULES);
    return this.#page('employees.listPage', options);
  }

  /**
   * One employee of the signed-in user's company.
   *
   * @example
   * const employee = await api.employees.get(userGuid, { include: ['company'] });
   */
  async get(userGuid: string, options: JustLoginEmployeeGetOptions = {}): Promise<JustLoginEmployee> {
    checkGuid('employees.get', 'userGuid', userGuid);
    return this.#employee('employees.get', userGuid, options);
  }

  /**
   * The signed-in employee, whose GUID the access token carries.
   *
   * @example
   * const me = await api.employees.me({ include: ['company'] });
   */
  async me(options: JustLoginEmployeeGetOptions = {}): Promise<JustLoginEmployee> {
    return this.#employee(
      'employees.me',
      guidOrSignedIn('employees.me', 'userGuid', undefined, this.#signedIn),
      options,
    );
  }

  async #employee(what: string, userGuid: string, options: JustLoginEmployeeGetOptions): Promise<JustLoginEmployee> {
    checkParams(what, options, { include: paramRules.include });
    const { data } = await this.#call({
      what,
      method: 'GET',
      path: `${USERS_PATH}/${userGuid}`,
      query: queryString(what, { include: includeParam(options.include) }),
    });
    return objectOf(what, data) as JustLoginEmployee;
  }

  async #page(what: string, options: JustLoginEmployeeListOptions): Promise<JustLoginPage<JustLoginEmployee>> {
    const page = options.page ?? 1;
    const { data, headers } = await this.#call({
      what,
      method: 'GET',
      path: USERS_PATH,
      query: queryString(what, {
        include: includeParam(options.include),
        activeStatus: activeStatusParam(options.activeStatus),
        query: options.query,
        limit: options.limit,
        page: options.page,
      }),
    });
    const items = listOf(what, data) as JustLoginEmployee[];
    return { items, pagination: parsePagination(headers['x-pagination'], what) ?? lastPage(items.length, page) };
  }
}
