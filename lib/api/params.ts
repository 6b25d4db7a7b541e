// The parameters of API calls, checked before anything is sent: what goes into a path is a GUID,
// a number or a path the app wrote itself, so nothing like `../` or `%2F` reaches a URL.
import { JustLoginOptionsError } from '../errors';
import { readOptions, type OptionRule } from '../client/options';
import type { JustLoginActiveStatus, JustLoginEmployeeInclude } from './types';

const GUID = /^[0-9A-Fa-f]{32}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A path of `request`: segments of unreserved characters and a few sub-delims between slashes; no `%`. */
const SAFE_PATH = /^(\/[A-Za-z0-9\-_~.,;=@:]+)+\/?$/;
const QUERY_NAME = /^[A-Za-z0-9\-_.~[\]]{1,64}$/;

/** The longest `query` filter sent. */
const MAX_FILTER_LENGTH = 1000;
/** The longest path `request` sends. */
const MAX_PATH_LENGTH = 2048;

const INCLUDES: readonly JustLoginEmployeeInclude[] = ['manager', 'department', 'employment', 'company', 'profile'];
const ACTIVE_STATUSES: readonly JustLoginActiveStatus[] = ['active', 'inactive', 'all'];

/**
 * A query parameter's value as `request` takes it; `undefined` leaves the parameter out.
 *
 * @inline
 */
export type QueryValue = string | number | boolean | undefined;

const wholeNumber =
  (min: number, max: number): OptionRule =>
  (value) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max
      ? undefined
      : `must be a whole number from ${min} to ${max}`;

/** The rules for the arguments of API calls. */
export const paramRules = {
  guid: ((value) =>
    typeof value === 'string' && GUID.test(value)
      ? undefined
      : 'must be a JustLogin GUID: 32 hexadecimal characters without dashes') as OptionRule,
  include: ((value) =>
    Array.isArray(value) && value.every((name) => INCLUDES.includes(name as JustLoginEmployeeInclude))
      ? undefined
      : `must be an array of ${INCLUDES.map((name) => `'${name}'`).join(', ')}`) as OptionRule,
  activeStatus: ((value) =>
    ACTIVE_STATUSES.includes(value as JustLoginActiveStatus)
      ? undefined
      : "must be 'active', 'inactive' or 'all'") as OptionRule,
  filter: ((value) =>
    typeof value === 'string' && value !== '' && value.length <= MAX_FILTER_LENGTH && isWellFormed(value)
      ? undefined
      : `must be a filter such as 'name[=]tony', at most ${MAX_FILTER_LENGTH} characters`) as OptionRule,
  /** JustLogin's `limit`: 1–100 objects a page. */
  limit: wholeNumber(1, 100),
  page: wholeNumber(1, 1_000_000),
  year: wholeNumber(1000, 9999),
  leaveTypeId: wholeNumber(0, 2_147_483_647),
  date: ((value) => (isDate(value) ? undefined : 'must be a date written YYYY-MM-DD')) as OptionRule,
};

/** Checks `options` of `JustLoginApi.<method>` with `rules` (all problems at once), as for any component. */
export function checkParams(
  method: string,
  options: unknown,
  rules: Record<string, OptionRule>,
  required: readonly string[] = [],
): void {
  const table = Object.fromEntries(
    Object.entries(rules).map(([key, rule]) => [key, { rule, required: required.includes(key) }]),
  );
  readOptions(`JustLoginApi.${method}`, options, table);
}

/** `value` when it is a GUID (32 hex characters), else throws a `JustLoginOptionsError` naming `name`. */
export function checkGuid(method: string, name: string, value: unknown): string {
  const problem = paramRules.guid(value, {});
  if (problem) throw new JustLoginOptionsError(`JustLoginApi.${method}`, [`\`${name}\` ${problem}`]);
  return value as string;
}

/** `include` as JustLogin takes it (`manager,department`), or `undefined` for none. */
export function includeParam(include: readonly JustLoginEmployeeInclude[] | undefined): string | undefined {
  return include && include.length > 0 ? [...new Set(include)].join(',') : undefined;
}

/** `activeStatus` as sent: none for active employees (JustLogin's default), else `inactive` or `all`. */
export function activeStatusParam(status: JustLoginActiveStatus | undefined): string | undefined {
  return status === 'active' ? undefined : status;
}

/** The path `request` was given, when it is one JustLogin's API could serve, such as `/membership/v3/users`. */
export function checkPath(value: unknown): string {
  const problem =
    typeof value !== 'string' || value.length > MAX_PATH_LENGTH || !SAFE_PATH.test(value)
      ? '`path` must be a path such as /membership/v3/users (letters, digits and -_~.,;=@: between slashes; the query goes in `query`)'
      : value.split('/').some((segment) => /^\.+$/.test(segment))
        ? '`path` must not have a `.` or `..` segment'
        : undefined;
  if (problem) throw new JustLoginOptionsError('JustLoginApi.request', [problem]);
  return value as string;
}

/** The query string of `params` (without `?`), in their order, leaving `undefined` out. */
export function queryString(method: string, params: Record<string, QueryValue>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const sendable =
      typeof value === 'string'
        ? isWellFormed(value)
        : typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
    if (!QUERY_NAME.test(name) || !sendable) {
      throw new JustLoginOptionsError(`JustLoginApi.${method}`, [
        'a query parameter must be named with letters, digits or -_.~[] and be a string, a finite number or a boolean',
      ]);
    }
    // Commas stay commas: JustLogin documents `include` as a comma-separated list.
    parts.push(`${name}=${encodeURIComponent(String(value)).replace(/%2C/g, ',')}`);
  }
  return parts.join('&');
}

/** True for a calendar date written `YYYY-MM-DD`. */
function isDate(value: unknown): boolean {
  const [, year, month, day] = (typeof value === 'string' && DATE.exec(value)) || [];
  if (!year) return false;
  const parsed = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return (
    parsed.getUTCFullYear() === Number(year) &&
    parsed.getUTCMonth() === Number(month) - 1 &&
    parsed.getUTCDate() === Number(day)
  );
}

/** True unless `value` holds a lone surrogate, which no URL can carry. */
function isWellFormed(value: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value);
}
