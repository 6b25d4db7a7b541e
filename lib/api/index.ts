/**
 * `passport-justlogin/api`: the types of JustLogin's API, field by field as JustLogin documents
 * it: what `JustLoginApi`'s calls resolve with and the values their parameters take. Types only;
 * `JustLoginApi` itself comes from the main entry.
 *
 * @module passport-justlogin/api
 */
export type {
  JustLoginGuid,
  JustLoginDate,
  JustLoginEmployeeInclude,
  JustLoginActiveStatus,
  JustLoginManager,
  JustLoginImages,
  JustLoginDepartment,
  JustLoginEmployment,
  JustLoginResidency,
  JustLoginPassport,
  JustLoginCompany,
  JustLoginGovernmentId,
  JustLoginEmployee,
  JustLoginPayInfo,
  JustLoginBankInfo,
  JustLoginLeaveType,
  JustLoginAssignedLeaveTypes,
  JustLoginLeaveSummary,
  JustLoginPagination,
  JustLoginPage,
  JustLoginApiResponse,
} from './types';
