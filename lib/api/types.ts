// What JustLogin's API sends, field by field as JustLogin documents it. Every object may carry
// fields JustLogin adds later: they pass through untouched (the index signatures).

/**
 * A JustLogin GUID: 32 hexadecimal characters without dashes, e.g. `0BF91817E2E64B0C92F22FD24A9D4604`.
 *
 * @group API
 */
export type JustLoginGuid = string;

/**
 * A date as JustLogin writes it, `YYYY-MM-DD` (some may be `""`).
 *
 * @group API
 */
export type JustLoginDate = string;

/**
 * What `include` adds to an employee. `profile` adds personal data (passport, government id).
 *
 * @group API
 */
export type JustLoginEmployeeInclude = 'manager' | 'department' | 'employment' | 'company' | 'profile';

/**
 * Which employees a list holds: active ones (JustLogin's default), inactive ones, or all.
 *
 * @group API
 */
export type JustLoginActiveStatus = 'active' | 'inactive' | 'all';

/**
 * An employee's manager (`include: ['manager']`).
 *
 * @group API
 */
export interface JustLoginManager {
  /** The manager's GUID. */
  userGuid: JustLoginGuid;
  /** The manager's work email. */
  email: string;
  /** The manager's full name. */
  fullName: string;
  /** The manager's employee id. */
  employeeId: string;
  [field: string]: unknown;
}

/**
 * Links to an employee's photo.
 *
 * @group API
 */
export interface JustLoginImages {
  /** URL of the full-size photo. */
  profileFullSize: string;
  /** URL of the thumbnail. */
  profileThumbnail: string;
  [field: string]: unknown;
}

/**
 * An employee's department (`include: ['department']`).
 *
 * @group API
 */
export interface JustLoginDepartment {
  /** The department's GUID. */
  departmentGuid: JustLoginGuid;
  /** The department's name. */
  name: string;
  [field: string]: unknown;
}

/**
 * An employee's position (`include: ['employment']`).
 *
 * @group API
 */
export interface JustLoginEmployment {
  /** The job title. */
  designation: string;
  /** The job title's code. */
  designationCode: string;
  /** The employment status, as JustLogin names it. */
  employmentStatus: string;
  /** The job grade's id. */
  jobGradeId: number;
  /** The job grade's name. */
  jobGrade: string;
  /** e.g. `"2022-12-31T23:59:59.997"`. */
  confirmationDate: string;
  [field: string]: unknown;
}

/**
 * Where an employee may reside, and until when (`include: ['profile']`).
 *
 * @group API
 */
export interface JustLoginResidency {
  /** The residency's name. */
  name: string;
  /** Its first day. */
  startDate: JustLoginDate;
  /** Its last day. */
  endDate: JustLoginDate;
  [field: string]: unknown;
}

/**
 * An employee's passport (`include: ['profile']`).
 *
 * @group API
 */
export interface JustLoginPassport {
  /** The passport number. */
  passportNo: string;
  /** When it was issued. */
  issueDate: JustLoginDate;
  /** When it expires. */
  expiryDate: JustLoginDate;
  [field: string]: unknown;
}

/**
 * An employee's company (`include: ['company']`).
 *
 * @group API
 */
export interface JustLoginCompany {
  /** The company's name. */
  name: string;
  /** The company's GUID. */
  companyGuid: JustLoginGuid;
  [field: string]: unknown;
}

/**
 * An employee's government id (`include: ['profile']`).
 *
 * @group API
 */
export interface JustLoginGovernmentId {
  /** The id number. */
  value: string;
  [field: string]: unknown;
}

/**
 * One employee of the users API (v3). The basic fields always come; the
 * others when `include` asks for them.
 *
 * @group API
 */
export interface JustLoginEmployee {
  /** The employee's GUID (the `UserGUID` claim of their id_token). */
  userGuid: JustLoginGuid;
  /** Their company's GUID. */
  companyGuid: JustLoginGuid;
  /** e.g. `"E004"`. */
  employeeId: string;
  /** Their JustLogin username. */
  userName: string;
  /** Their work email. */
  email: string;
  /** Their full name. */
  fullName: string;
  /** When their record was created. */
  createdDate: JustLoginDate;
  /** When their record last changed. */
  modifiedDate: JustLoginDate;
  /** Their first day at the company. */
  joinDate: JustLoginDate;
  /** False for an employee who is no longer active. */
  isActive: boolean;
  /** Links to their photo. */
  images?: JustLoginImages;
  /** Their date of birth. */
  dateOfBirth?: JustLoginDate;
  /** The day of the month of their birth, 1 to 31. */
  dayOfBirth?: number;
  /** The month of their birth, 1 to 12. */
  monthOfBirth?: number;
  /** The year of their birth. */
  yearOfBirth?: number;
  /** e.g. `"Female"`. */
  gender?: string;
  /** `null` for whoever has no manager. */
  manager?: JustLoginManager | null;
  /** With `include: ['department']`. */
  department?: JustLoginDepartment;
  /** With `include: ['employment']`. */
  employment?: JustLoginEmployment;
  /** With `include: ['profile']`. */
  residency?: JustLoginResidency;
  /** With `include: ['profile']`. */
  passport?: JustLoginPassport;
  /** With `include: ['company']`. */
  company?: JustLoginCompany;
  /** With `include: ['profile']`. */
  governmentId?: JustLoginGovernmentId;
  [field: string]: unknown;
}

/**
 * An employee's pay set-up (payroll v1, which writes `GUID` in upper case).
 *
 * @group API
 */
export interface JustLoginPayInfo {
  /** The company's GUID. */
  companyGUID: JustLoginGuid;
  /** The employee's GUID. */
  userGUID: JustLoginGuid;
  /** e.g. `"Fortnightly"`. */
  payPeriod: string;
  /** e.g. `"cash"`. */
  payMethod: string;
  /** The basic pay. */
  basicPay: number;
  [field: string]: unknown;
}

/**
 * An employee's bank account (payroll v1, which writes `GUID` in upper case).
 *
 * @group API
 */
export interface JustLoginBankInfo {
  /** The company's GUID. */
  companyGUID: JustLoginGuid;
  /** The employee's GUID. */
  userGUID: JustLoginGuid;
  /** The bank's GUID. */
  bankGUID: JustLoginGuid;
  /** The branch's GUID. */
  branchGUID: JustLoginGuid;
  /** The bank's name. */
  bankName: string;
  /** The branch number. */
  branchNo: string;
  /** The branch's name. */
  branchName: string;
  /** The account number. */
  accountNo: string;
  [field: string]: unknown;
}

/**
 * One leave type assigned to an employee.
 *
 * @group API
 */
export interface JustLoginLeaveType {
  /** The leave type's id. */
  leaveType: number;
  /** e.g. `"Annual"`. */
  leaveName: string;
  [field: string]: unknown;
}

/**
 * The leave types assigned to an employee for a year (leave v2).
 *
 * @group API
 */
export interface JustLoginAssignedLeaveTypes {
  /** The company's GUID. */
  companyGuid: JustLoginGuid;
  /** The employee's GUID. */
  userGuid: JustLoginGuid;
  /** The leave types assigned to the employee. */
  leaveTypes: JustLoginLeaveType[];
  /** The year they apply to. */
  whichYear: number;
  /** The day JustLogin based them on. */
  basedOnDate: JustLoginDate;
  [field: string]: unknown;
}

/**
 * One leave type's summary for an employee: JustLogin documents no fields, so any JSON object.
 *
 * @group API
 */
export type JustLoginLeaveSummary = Record<string, unknown>;

/**
 * The paging state of a list, from JustLogin's `x-pagination` header.
 *
 * @group API
 */
export interface JustLoginPagination {
  /** The size of the whole result set. */
  totalCount: number;
  /** The number of objects in this page. */
  pageSize: number;
  /** This page, from 1. */
  currentPage: number;
  /** The number of pages. */
  totalPages: number;
  /** Whether a page follows this one. */
  hasNext: boolean;
  /** Whether a page comes before this one. */
  hasPrevious: boolean;
}

/**
 * One page of a list.
 *
 * @group API
 */
export interface JustLoginPage<T> {
  /** The objects of this page. */
  items: T[];
  /** The paging state of the list. */
  pagination: JustLoginPagination;
}

/**
 * The answer to {@link passport-justlogin!JustLoginApi.request}: the parsed JSON body, its paging state when sent, and the status.
 *
 * @group API
 */
export interface JustLoginApiResponse<T = unknown> {
  /** The JSON body, or `undefined` when there is none. */
  data: T;
  /** The paging state, when JustLogin sent an `x-pagination` header. */
  pagination?: JustLoginPagination;
  /** The HTTP status. */
  status: number;
}
