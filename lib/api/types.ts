// What JustLogin's API sends, field by field as JustLogin documents it. Every object may carry
// fields JustLogin adds later: they pass through untouched (the index signatures).

/** A JustLogin GUID: 32 hexadecimal characters without dashes, e.g. `0BF91817E2E64B0C92F22FD24A9D4604`. */
export type JustLoginGuid = string;

/** A date as JustLogin writes it, `YYYY-MM-DD` (some may be `""`). */
export type JustLoginDate = string;

/** What `include` adds to an employee. `profile` adds personal data (passport, government id). */
export type JustLoginEmployeeInclude = 'manager' | 'department' | 'employment' | 'company' | 'profile';

/** Which employees a list holds: active ones (JustLogin's default), inactive ones, or all. */
export type JustLoginActiveStatus = 'active' | 'inactive' | 'all';

/** An employee's manager (`include: ['manager']`). */
export interface JustLoginManager {
  userGuid: JustLoginGuid;
  email: string;
  fullName: string;
  employeeId: string;
  [field: string]: unknown;
}

/** Links to an employee's photo. */
export interface JustLoginImages {
  profileFullSize: string;
  profileThumbnail: string;
  [field: string]: unknown;
}

/** An employee's department (`include: ['department']`). */
export interface JustLoginDepartment {
  departmentGuid: JustLoginGuid;
  name: string;
  [field: string]: unknown;
}

/** An employee's position (`include: ['employment']`). */
export interface JustLoginEmployment {
  designation: string;
  designationCode: string;
  employmentStatus: string;
  jobGradeId: number;
  jobGrade: string;
  /** e.g. `"2022-12-31T23:59:59.997"`. */
  confirmationDate: string;
  [field: string]: unknown;
}

/** Where an employee may reside, and until when (`include: ['profile']`). */
export interface JustLoginResidency {
  name: string;
  startDate: JustLoginDate;
  endDate: JustLoginDate;
  [field: string]: unknown;
}

/** An employee's passport (`include: ['profile']`). */
export interface JustLoginPassport {
  passportNo: string;
  issueDate: JustLoginDate;
  expiryDate: JustLoginDate;
  [field: string]: unknown;
}

/** An employee's company (`include: ['company']`). */
export interface JustLoginCompany {
  name: string;
  companyGuid: JustLoginGuid;
  [field: string]: unknown;
}

/** An employee's government id (`include: ['profile']`). */
export interface JustLoginGovernmentId {
  value: string;
  [field: string]: unknown;
}

/**
 * One employee of the users API (v3). The basic fields always come; the
 * others when `include` asks for them.
 */
export interface JustLoginEmployee {
  userGuid: JustLoginGuid;
  companyGuid: JustLoginGuid;
  /** e.g. `"E004"`. */
  employeeId: string;
  userName: string;
  email: string;
  fullName: string;
  createdDate: JustLoginDate;
  modifiedDate: JustLoginDate;
  joinDate: JustLoginDate;
  isActive: boolean;
  images?: JustLoginImages;
  dateOfBirth?: JustLoginDate;
  dayOfBirth?: number;
  monthOfBirth?: number;
  yearOfBirth?: number;
  /** e.g. `"Female"`. */
  gender?: string;
  /** `null` for whoever has no manager. */
  manager?: JustLoginManager | null;
  department?: JustLoginDepartment;
  employment?: JustLoginEmployment;
  residency?: JustLoginResidency;
  passport?: JustLoginPassport;
  company?: JustLoginCompany;
  governmentId?: JustLoginGovernmentId;
  [field: string]: unknown;
}

/** An employee's pay set-up (payroll v1, which writes `GUID` in upper case). */
export interface JustLoginPayInfo {
  companyGUID: JustLoginGuid;
  userGUID: JustLoginGuid;
  /** e.g. `"Fortnightly"`. */
  payPeriod: string;
  /** e.g. `"cash"`. */
  payMethod: string;
  basicPay: number;
  [field: string]: unknown;
}

/** An employee's bank account (payroll v1, which writes `GUID` in upper case). */
export interface JustLoginBankInfo {
  companyGUID: JustLoginGuid;
  userGUID: JustLoginGuid;
  bankGUID: JustLoginGuid;
  branchGUID: JustLoginGuid;
  bankName: string;
  branchNo: string;
  branchName: string;
  accountNo: string;
  [field: string]: unknown;
}

/** One leave type assigned to an employee. */
export interface JustLoginLeaveType {
  leaveType: number;
  /** e.g. `"Annual"`. */
  leaveName: string;
  [field: string]: unknown;
}

/** The leave types assigned to an employee for a year (leave v2). */
export interface JustLoginAssignedLeaveTypes {
  companyGuid: JustLoginGuid;
  userGuid: JustLoginGuid;
  leaveTypes: JustLoginLeaveType[];
  whichYear: number;
  basedOnDate: JustLoginDate;
  [field: string]: unknown;
}

/** One leave type's summary for an employee: JustLogin documents no fields, so any JSON object. */
export type JustLoginLeaveSummary = Record<string, unknown>;

/** The paging state of a list, from JustLogin's `x-pagination` header. */
export interface JustLoginPagination {
  /** The size of the whole result set. */
  totalCount: number;
  /** The number of objects in this page. */
  pageSize: number;
  /** This page, from 1. */
  currentPage: number;
  totalPages: number;
  hasNext: boolean;
  hasPrevious: boolean;
}

/** One page of a list. */
export interface JustLoginPage<T> {
  items: T[];
  pagination: JustLoginPagination;
}

/** The answer to {@link JustLoginApi.request}: the parsed JSON body, its paging state when sent, and the status. */
export interface JustLoginApiResponse<T = unknown> {
  /** The JSON body, or `undefined` when there is none. */
  data: T;
  pagination?: JustLoginPagination;
  status: number;
}
