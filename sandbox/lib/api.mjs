// JustLogin's six documented API endpoints, at JustLogin's paths, over the seeded demo data
// (api-data.mjs). A call needs a live access token this sandbox issued; it sees only the signed-in
// user's company; pay and bank information need the HR Admin role.
import express from 'express';

import { MAX_ACCESS_TOKEN_LENGTH } from './access-tokens.mjs';
import { buildApiData, companyGuidOf, hashOf, leaveTypesOf, seededRandom } from './api-data.mjs';

/** The paths the API answers under (anything else passes on to the next route). */
const API_PATH = /^\/(membership|payroll|leave)(\/|$)/i;
/** The roles that may read pay and bank information. */
export const PAYROLL_ROLES = ['HR Admin'];
export const INCLUDES = ['manager', 'department', 'employment', 'company', 'profile'];

const MAX_QUERY_LENGTH = 200;
const MAX_PAGE = 100_000;
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 50;
const GUID = /^[0-9A-Fa-f]{32}$/;

class ApiError extends Error {
  constructor(status, message, headers = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

const unauthorized = (error) =>
  new ApiError(401, 'a live access token is required', {
    'WWW-Authenticate': error ? `Bearer error="${error}"` : 'Bearer',
  });
const notFound = () => new ApiError(404, 'not found');
const badRequest = (message) => new ApiError(400, message);

/**
 * The API as an Express router, mounted at the origin's root.
 *
 * @param {object} options
 * @param {ReturnType<import('./access-tokens.mjs').createAccessTokens>} options.accessTokens  the sandbox's, the only ones accepted
 * @param {ReturnType<import('./accounts.mjs').createAccounts>} options.accounts  the sandbox's users
 * @param {{ middleware: import('express').RequestHandler }} options.faults  the test-only fault switch
 */
export function apiRoutes({ accessTokens, accounts, faults }) {
  let data; // built on the first call, to keep start-up fast
  const router = express.Router();

  router.use((req, res, next) => {
    if (!API_PATH.test(req.path)) {
      next('router');
      return;
    }
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(faults.middleware);
  router.use(async (req, res, next) => {
    res.locals.caller = await callerOf(accessTokens, accounts, req.headers.authorization);
    next();
  });

  const routes = {
    '/membership/v3/users': listEmployees,
    '/membership/v3/users/:userGuid': getEmployee,
    '/payroll/employee-management/v1/users/:userGuid/payinfo': payInfo,
    '/payroll/employee-management/v1/users/:userGuid/bankinfo': bankInfo,
    '/leave/setup/leave/v2/companies/:companyGuid/users/:userGuid/assignedleavetypes': assignedLeaveTypes,
    '/leave/setup/leave/v2/companies/:companyGuid/users/:userGuid/leavetypes/:leaveTypeId/leavesummary': leaveSummary,
  };
  for (const [path, handler] of Object.entries(routes)) {
    router.get(path, (req, res) => {
      data ??= buildApiData(accounts.users);
      handler({ data, caller: res.locals.caller, params: req.params, req, res });
    });
    router.all(path, (_req, res) => {
      res.set('Allow', 'GET, HEAD').status(405).json({ message: 'method not allowed' });
    });
  }
  router.use(() => {
    throw notFound();
  });

  router.use((err, _req, res, _next) => {
    const status = err instanceof ApiError ? err.status : err.status >= 400 && err.status < 500 ? err.status : 500;
    const message = err instanceof ApiError ? err.message : status === 500 ? 'internal error' : 'bad request';
    if (status === 500) console.error(`sandbox API: ${err.name} while answering a call`);
    res
      .set(err.headers ?? {})
      .status(status)
      .json({ message });
  });
  return router;
}

/** The signed-in user behind `Authorization: Bearer <access token>`, or a 401. */
async function callerOf(accessTokens, accounts, authorization) {
  const [, scheme, value] = /^(\S+) +(\S+)$/.exec(authorization ?? '') ?? [];
  if (scheme?.toLowerCase() !== 'bearer') throw unauthorized();
  if (value.length > MAX_ACCESS_TOKEN_LENGTH) throw unauthorized('invalid_token');
  const token = await accessTokens.find(value);
  if (!token) throw unauthorized('invalid_token');
  const user = accounts.findUserBySub(token.accountId);
  if (!user) throw unauthorized('invalid_token');
  const roles = [user.claims.role].flat();
  return {
    companyGuid: companyGuidOf(user),
    mayReadPayroll: roles.some((role) => PAYROLL_ROLES.includes(role)),
  };
}

// ---- query parameters: names case-insensitive, each at most once ----

function queryOf(req) {
  const params = new Map();
  for (const [name, value] of new URL(req.originalUrl, 'http://sandbox').searchParams) {
    const key = name.toLowerCase();
    params.set(key, [...(params.get(key) ?? []), value]);
  }
  return {
    get(name) {
      const values = params.get(name) ?? [];
      if (values.length > 1) throw badRequest(`${name} may be given once`);
      return values[0];
    },
  };
}

function integerParam(query, name, { min, max, fallback }) {
  const raw = query.get(name);
  if (raw === undefined) return fallback;
  const value = /^\d{1,7}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

function includesOf(query) {
  const raw = query.get('include');
  if (raw === undefined || raw === '') return new Set();
  const names = raw.split(',').map((name) => name.trim().toLowerCase());
  if (names.length > INCLUDES.length * 2 || !names.every((name) => INCLUDES.includes(name))) {
    throw badRequest(`include is a comma-separated subset of ${INCLUDES.join(', ')}`);
  }
  return new Set(names);
}

/** `name[=]value`: the employees whose full name contains value, case-insensitively. */
function nameFilterOf(query) {
  const raw = query.get('query');
  if (raw === undefined) return () => true;
  if (raw.length > MAX_QUERY_LENGTH) throw badRequest(`query is at most ${MAX_QUERY_LENGTH} characters`);
  const [, field, value] = /^(\w+)\[=\](.+)$/s.exec(raw) ?? [];
  if (field?.toLowerCase() !== 'name') throw badRequest('query must look like name[=]value');
  const needle = value.trim().toLowerCase();
  return (employee) => employee.fullName.toLowerCase().includes(needle);
}

function statusFilterOf(query) {
  const raw = query.get('activestatus')?.toLowerCase();
  if (raw === undefined || raw === 'active') return (employee) => employee.isActive;
  if (raw === 'inactive') return (employee) => !employee.isActive;
  if (raw === 'all') return () => true;
  throw badRequest('activeStatus is inactive, all, or unset for active users');
}

function yearParam(query, name) {
  return integerParam(query, name, { min: 1900, max: 2100, fallback: new Date().getUTCFullYear() });
}

function dateParam(query, name) {
  const raw = query.get(name);
  if (raw === undefined) return new Date().toISOString().slice(0, 10);
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(raw) && new Date(`${raw}T00:00:00Z`).toISOString().startsWith(raw);
  if (!valid) throw badRequest(`${name} must be a date YYYY-MM-DD`);
  return raw;
}

// ---- lookups scoped to the caller's company ----

function companyOf(data, caller) {
  return data.companies.get(caller.companyGuid);
}

/** An employee of the caller's company; 404 for anyone else, so other companies stay invisible. */
function colleague(data, caller, userGuid) {
  if (!GUID.test(userGuid)) throw badRequest('userGuid must be 32 hexadecimal characters');
  const employee = data.employees.get(userGuid.toUpperCase());
  if (!employee || employee.companyGuid !== caller.companyGuid) throw notFound();
  return employee;
}

function leaveColleague(data, caller, params) {
  if (!GUID.test(params.companyGuid)) throw badRequest('companyGuid must be 32 hexadecimal characters');
  if (params.companyGuid.toUpperCase() !== caller.companyGuid) throw notFound();
  return colleague(data, caller, params.userGuid);
}

function requirePayrollRole(caller) {
  if (!caller.mayReadPayroll) throw new ApiError(403, 'pay and bank information need an HR Admin role');
}

// ---- the six endpoints ----

function listEmployees({ data, caller, req, res }) {
  const query = queryOf(req);
  const limit = integerParam(query, 'limit', { min: 1, max: MAX_LIMIT, fallback: DEFAULT_LIMIT });
  const page = integerParam(query, 'page', { min: 1, max: MAX_PAGE, fallback: 1 });
  const includes = includesOf(query);
  const byStatus = statusFilterOf(query);
  const byName = nameFilterOf(query);

  const company = companyOf(data, caller);
  const matching = company.employees.filter((employee) => byStatus(employee) && byName(employee));
  const items = matching.slice((page - 1) * limit, page * limit);
  const totalPages = Math.ceil(matching.length / limit);
  res.set(
    'x-pagination',
    JSON.stringify({
      TotalCount: matching.length,
      PageSize: items.length,
      CurrentPage: page,
      TotalPages: totalPages,
      HasNext: page < totalPages,
      HasPrevious: page > 1,
    }),
  );
  res.json(items.map((employee) => employeeJson(data, company, employee, includes)));
}

function getEmployee({ data, caller, params, req, res }) {
  const includes = includesOf(queryOf(req));
  const employee = colleague(data, caller, params.userGuid);
  res.json(employeeJson(data, companyOf(data, caller), employee, includes));
}

function payInfo({ data, caller, params, res }) {
  requirePayrollRole(caller);
  const employee = colleague(data, caller, params.userGuid);
  res.json({ companyGUID: employee.companyGuid, userGUID: employee.userGuid, ...employee.payInfo });
}

function bankInfo({ data, caller, params, res }) {
  requirePayrollRole(caller);
  const employee = colleague(data, caller, params.userGuid);
  res.json({ companyGUID: employee.companyGuid, userGUID: employee.userGuid, ...employee.bankInfo });
}

function assignedLeaveTypes({ data, caller, params, req, res }) {
  const whichYear = yearParam(queryOf(req), 'whichyear');
  const employee = leaveColleague(data, caller, params);
  const joined = Number(employee.joinDate.slice(0, 4)) <= whichYear;
  res.json({
    companyGuid: employee.companyGuid,
    userGuid: employee.userGuid,
    leaveTypes: joined ? leaveTypesOf(employee).map(({ leaveType, leaveName }) => ({ leaveType, leaveName })) : [],
    whichYear,
    basedOnDate: `${whichYear}-01-01`,
  });
}

function leaveSummary({ data, caller, params, req, res }) {
  const baseOnDate = dateParam(queryOf(req), 'baseondate');
  const employee = leaveColleague(data, caller, params);
  if (!/^\d{1,4}$/.test(params.leaveTypeId)) throw badRequest('leaveTypeId must be a number');
  const type = leaveTypesOf(employee).find(({ leaveType }) => leaveType === Number(params.leaveTypeId));
  if (!type || baseOnDate < employee.joinDate) throw notFound();
  res.json(summaryOf(employee, type, baseOnDate));
}

/** A leave balance worked out from the employee, the type and the date alone (so always the same). */
function summaryOf(employee, type, baseOnDate) {
  const [year, month] = baseOnDate.split('-').map(Number);
  const random = seededRandom(hashOf(`${employee.userGuid}:${type.leaveType}:${year}`));
  const halfDays = (days) => Math.round(days * 2) / 2;
  const entitlement = type.leaveName === 'Annual' ? type.days + employee.employment.jobGradeId : type.days;
  const earned = type.leaveName === 'Annual' ? halfDays((entitlement * month) / 12) : entitlement;
  const taken = halfDays(earned * random() * (type.days > 30 ? 0.1 : 0.6));
  const pending = halfDays(Math.min(earned - taken, random() * 2));
  return {
    companyGuid: employee.companyGuid,
    userGuid: employee.userGuid,
    leaveType: type.leaveType,
    leaveName: type.leaveName,
    baseOnDate,
    entitlement,
    earned,
    taken,
    pending,
    balance: earned - taken - pending,
  };
}

/** One employee as JustLogin's v3 users API writes it: the basic fields plus those `includes` asks for. */
function employeeJson(data, company, employee, includes) {
  const json = {
    userGuid: employee.userGuid,
    companyGuid: employee.companyGuid,
    employeeId: employee.employeeId,
    userName: employee.userName,
    email: employee.email,
    fullName: employee.fullName,
    createdDate: employee.createdDate,
    modifiedDate: employee.modifiedDate,
    joinDate: employee.joinDate,
  };
  if (includes.has('profile')) {
    const [yearOfBirth, monthOfBirth, dayOfBirth] = employee.dateOfBirth.split('-').map(Number);
    Object.assign(json, { dateOfBirth: employee.dateOfBirth, dayOfBirth, monthOfBirth, yearOfBirth });
    json.gender = employee.gender;
  }
  json.isActive = employee.isActive;
  if (includes.has('manager')) {
    const manager = data.employees.get(employee.managerGuid);
    json.manager = manager
      ? { userGuid: manager.userGuid, email: manager.email, fullName: manager.fullName, employeeId: manager.employeeId }
      : null;
  }
  json.images = {
    profileFullSize: `https://files.justlogin.example/profile/${employee.userGuid}/full.jpg`,
    profileThumbnail: `https://files.justlogin.example/profile/${employee.userGuid}/thumbnail.jpg`,
  };
  if (includes.has('department')) json.department = { ...employee.department };
  if (includes.has('employment')) json.employment = { ...employee.employment };
  if (includes.has('profile')) {
    json.residency = { ...employee.residency };
    json.passport = { ...employee.passport };
  }
  if (includes.has('company')) json.company = { name: company.name, companyGuid: company.companyGuid };
  if (includes.has('profile')) json.governmentId = { ...employee.governmentId };
  return json;
}
