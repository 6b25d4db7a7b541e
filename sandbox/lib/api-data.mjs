// The seeded demo data behind the sandbox's API: one company per Company Id of the sandbox's
// users, each with generated colleagues. A fixed seed makes every start produce the same data.

const SEED = 20260101;

/**
 * How many people each demo company has, how many of them have left, and where the demo users
 * sit. A company of the caller's own users gets OTHER_COMPANY, its users as staff.
 */
const COMPANIES = {
  ACME: {
    employees: 137,
    inactive: 9,
    departments: ['Engineering', 'Finance', 'Human Resources', 'Operations', 'Sales', 'Marketing', 'Customer Support'],
    demoUsers: {
      alice: { department: 'Human Resources', head: true, gender: 'Female' },
      bob: { department: 'Engineering', head: false, gender: 'Male' },
    },
  },
  GLOBEX: {
    employees: 14,
    inactive: 2,
    departments: ['Finance', 'Operations', 'Sales'],
    demoUsers: { carol: { department: 'Finance', head: false, gender: 'Female' } },
  },
};

const OTHER_COMPANY = { employees: 20, inactive: 2, departments: ['Operations', 'Finance', 'Sales'], demoUsers: {} };

// [designation, designationCode, jobGradeId]
const HEADS = {
  Management: ['Chief Executive Officer', 'CEO', 8],
  Engineering: ['Engineering Manager', 'EM', 5],
  Finance: ['Finance Manager', 'FM', 5],
  'Human Resources': ['HR Manager', 'HRM', 5],
  Operations: ['Operations Manager', 'OPM', 5],
  Sales: ['Sales Manager', 'SM', 5],
  Marketing: ['Marketing Manager', 'MM', 5],
  'Customer Support': ['Customer Support Manager', 'CSM', 5],
};
const STAFF = {
  Engineering: [
    ['Software Engineer', 'SWE', 2],
    ['Senior Software Engineer', 'SSWE', 4],
    ['QA Engineer', 'QAE', 2],
    ['DevOps Engineer', 'DOE', 3],
  ],
  Finance: [
    ['Accountant', 'ACC', 3],
    ['Accounts Executive', 'AE', 2],
    ['Senior Accountant', 'SACC', 4],
  ],
  'Human Resources': [
    ['HR Executive', 'HRE', 2],
    ['Payroll Specialist', 'PAYS', 3],
  ],
  Operations: [
    ['Operations Executive', 'OPE', 2],
    ['Logistics Coordinator', 'LOGC', 2],
  ],
  Sales: [
    ['Sales Executive', 'SE', 2],
    ['Account Manager', 'AM', 3],
  ],
  Marketing: [
    ['Marketing Executive', 'ME', 2],
    ['Content Strategist', 'CS', 3],
  ],
  'Customer Support': [
    ['Support Specialist', 'SS', 1],
    ['Support Team Lead', 'STL', 3],
  ],
};
const JOB_GRADES = [
  '',
  'Associate',
  'Senior Associate',
  'Specialist',
  'Senior Specialist',
  'Manager',
  'Senior Manager',
  'Director',
  'Chief Executive',
];

// [first name, gender]
const FIRST_NAMES = [
  ['Aaron', 'Male'],
  ['Adeline', 'Female'],
  ['Ahmad', 'Male'],
  ['Aisha', 'Female'],
  ['Amanda', 'Female'],
  ['Antony', 'Male'],
  ['Benjamin', 'Male'],
  ['Cheryl', 'Female'],
  ['Daniel', 'Male'],
  ['Darren', 'Male'],
  ['Deepa', 'Female'],
  ['Elaine', 'Female'],
  ['Farah', 'Female'],
  ['Gabriel', 'Male'],
  ['Grace', 'Female'],
  ['Hafiz', 'Male'],
  ['Hui Min', 'Female'],
  ['Ivan', 'Male'],
  ['Jasmine', 'Female'],
  ['Jia Hui', 'Female'],
  ['Joshua', 'Male'],
  ['Kumar', 'Male'],
  ['Li Ting', 'Female'],
  ['Marcus', 'Male'],
  ['Mei Ling', 'Female'],
  ['Michelle', 'Female'],
  ['Muhammad', 'Male'],
  ['Nadia', 'Female'],
  ['Nicholas', 'Male'],
  ['Priya', 'Female'],
  ['Rachel', 'Female'],
  ['Rajesh', 'Male'],
  ['Ryan', 'Male'],
  ['Samuel', 'Male'],
  ['Siti', 'Female'],
  ['Tony', 'Male'],
  ['Vanessa', 'Female'],
  ['Wei Jie', 'Male'],
  ['Xin Yi', 'Female'],
  ['Zhi Hao', 'Male'],
];
const LAST_NAMES = [
  'Tan',
  'Lim',
  'Lee',
  'Ng',
  'Ong',
  'Wong',
  'Goh',
  'Chua',
  'Chan',
  'Koh',
  'Teo',
  'Ang',
  'Yeo',
  'Tay',
  'Ho',
  'Low',
  'Toh',
  'Sim',
  'Chong',
  'Rahman',
  'Ismail',
  'Pillai',
  'Nair',
  'Singh',
  'Fernandez',
];

const BANKS = [
  ['DBS Bank', ['Raffles Place', 'Tampines', 'Jurong East']],
  ['OCBC Bank', ['Chulia Street', 'Orchard', 'Woodlands']],
  ['United Overseas Bank', ['Raffles Place', 'Ang Mo Kio']],
  ['Standard Chartered', ['Battery Road', 'Bedok']],
  ['Maybank', ['Robinson Road', 'Serangoon']],
];

/** Leave types and their yearly entitlement in days; `who` says which employees get them. */
const LEAVE_TYPES = [
  { leaveType: 1, leaveName: 'Annual', days: 14, who: 'all' },
  { leaveType: 2, leaveName: 'Sick', days: 14, who: 'all' },
  { leaveType: 3, leaveName: 'Hospitalisation', days: 60, who: 'all' },
  { leaveType: 4, leaveName: 'Childcare', days: 6, who: 'parents' },
  { leaveType: 5, leaveName: 'Maternity', days: 112, who: 'mothers' },
  { leaveType: 6, leaveName: 'Paternity', days: 14, who: 'fathers' },
  { leaveType: 7, leaveName: 'Compassionate', days: 3, who: 'all' },
  { leaveType: 8, leaveName: 'Unpaid', days: 30, who: 'all' },
];

/** mulberry32: a small deterministic generator of numbers in [0, 1). */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a: a 32-bit number from a string, to seed a generator per company or per question. */
export function hashOf(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function generatorFor(name) {
  const random = seededRandom(hashOf(`${SEED}:${name}`));
  const int = (min, max) => min + Math.floor(random() * (max - min + 1));
  const pick = (list) => list[int(0, list.length - 1)];
  const digits = (count) => Array.from({ length: count }, () => int(0, 9)).join('');
  const guid = () =>
    Array.from({ length: 4 }, () =>
      Math.floor(random() * 2 ** 32)
        .toString(16)
        .padStart(8, '0'),
    )
      .join('')
      .toUpperCase();
  const day = (from, to) => isoDay(int(dayNumber(from), dayNumber(to)));
  return { random, int, pick, digits, guid, day };
}

const dayNumber = (iso) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const isoDay = (days) => new Date(days * 86_400_000).toISOString().slice(0, 10);
const addDays = (iso, days) => isoDay(dayNumber(iso) + days);
function addMonths(iso, months) {
  const [year, month, dayOfMonth] = iso.split('-').map(Number);
  return new Date(Date.UTC(year, month - 1 + months, dayOfMonth)).toISOString().slice(0, 10);
}

function generateBanks() {
  const gen = generatorFor('banks');
  return BANKS.map(([bankName, branches]) => ({
    bankGUID: gen.guid(),
    bankName,
    branches: branches.map((branchName) => ({ branchGUID: gen.guid(), branchNo: gen.digits(3), branchName })),
  }));
}

/** A user's company GUID in the API: their `CompanyGUID` claim, or one made from their Company Id. */
export function companyGuidOf(user) {
  return (user.claims.CompanyGUID ?? generatorFor(`company-guid:${user.companyId.toUpperCase()}`).guid()).toUpperCase();
}

/** A user's own GUID in the API: their `UserGUID` claim, or one made from their `sub`. */
export function userGuidOf(user) {
  return (user.claims.UserGUID ?? generatorFor(`user-guid:${user.claims.sub}`).guid()).toUpperCase();
}

function generateCompany(companyId, plan, banks, users) {
  const demoUsers = users.filter((user) => user.companyId === companyId);
  const companyGuid = companyGuidOf(demoUsers[0]);
  const companyName = demoUsers[0].claims.CompanyName ?? companyId;
  const domain = demoUsers[0].claims.email?.split('@')[1] ?? `${companyId.toLowerCase()}.example`;
  const gen = generatorFor(`company:${companyId}`);
  const size = Math.max(plan.employees, plan.departments.length + 2 + demoUsers.length * 2);

  const departments = ['Management', ...plan.departments].map((name) => ({ departmentGuid: gen.guid(), name }));
  const byName = new Map(departments.map((department) => [department.name, department]));

  // Slots: the chief executive, one head per department, then staff spread over the departments.
  const slots = departments.map((department) => ({ department, role: HEADS[department.name], head: true }));
  while (slots.length < size) {
    const department = byName.get(gen.pick(plan.departments));
    slots.push({ department, role: gen.pick(STAFF[department.name]), head: false });
  }

  const takenNames = new Set(users.map((user) => user.claims.name));
  const employees = slots.map((slot, index) => {
    let first;
    let gender;
    let fullName;
    do {
      [first, gender] = gen.pick(FIRST_NAMES);
      fullName = `${first} ${gen.pick(LAST_NAMES)}`;
    } while (takenNames.has(fullName));
    takenNames.add(fullName);
    const userName = fullName.toLowerCase().replaceAll(' ', '.');

    const [designation, designationCode, jobGradeId] = slot.role;
    const joinDate = gen.day('2012-01-02', '2025-09-30');
    const confirmationDay = addMonths(joinDate, gen.pick([3, 6]));
    const dateOfBirth = gen.day('1966-01-01', '2002-12-31');
    const residencyKind = gen.pick(['citizen', 'citizen', 'citizen', 'pr', 'pass']);
    const passportIssued = gen.day('2016-01-01', '2025-06-30');
    const bank = gen.pick(banks);
    const branch = gen.pick(bank.branches);
    const parent = gen.random() < 0.35;
    return {
      userGuid: gen.guid(),
      companyGuid,
      employeeId: `E${String(index + 1).padStart(3, '0')}`,
      userName,
      email: `${userName}@${domain}`,
      fullName,
      createdDate: addDays(joinDate, -gen.int(3, 30)),
      modifiedDate: gen.day(joinDate, '2026-03-31'),
      joinDate,
      dateOfBirth,
      gender,
      isActive: true,
      managerGuid: undefined, // set below, once every demo user has taken their slot
      department: slot.department,
      head: slot.head,
      employment: {
        designation,
        designationCode,
        employmentStatus: dayNumber(confirmationDay) < dayNumber('2026-01-01') ? 'Confirmed' : 'Probation',
        jobGradeId,
        jobGrade: JOB_GRADES[jobGradeId],
        confirmationDate: `${confirmationDay}T23:59:59.997`,
      },
      residency: residency(gen, residencyKind, joinDate),
      passport: {
        passportNo: residencyKind === 'citizen' ? `K${gen.digits(7)}${letter(gen)}` : `${letter(gen)}${gen.digits(8)}`,
        issueDate: passportIssued,
        expiryDate: addDays(addMonths(passportIssued, 120), -1),
      },
      governmentId: {
        value: `${residencyKind === 'pass' ? 'G' : gen.pick(['S', 'T'])}${gen.digits(7)}${letter(gen)}`,
      },
      payInfo: {
        payPeriod: gen.random() < 0.85 ? 'Monthly' : 'Fortnightly',
        payMethod: gen.random() < 0.9 ? 'bank' : gen.pick(['cash', 'cheque']),
        basicPay: 1800 + jobGradeId * 950 + gen.int(0, 24) * 50,
      },
      bankInfo: {
        bankGUID: bank.bankGUID,
        branchGUID: branch.branchGUID,
        bankName: bank.bankName,
        branchNo: branch.branchNo,
        branchName: branch.branchName,
        accountNo: gen.digits(gen.pick([9, 10, 12])),
      },
      parent,
    };
  });

  // Each user takes the first free slot of their place (staff anywhere for users not in the plan),
  // keeping the data around it.
  const taken = new Set();
  for (const user of demoUsers) {
    const place = plan.demoUsers[user.username];
    const employee = employees.find(
      (e, index) =>
        index > 0 &&
        !taken.has(e) &&
        (place ? e.department.name === place.department && e.head === place.head : !e.head),
    );
    taken.add(employee);
    Object.assign(employee, {
      userGuid: userGuidOf(user),
      userName: user.username,
      email: user.claims.email ?? `${user.username.toLowerCase()}@${domain}`,
      fullName: user.claims.name ?? user.username,
      gender: place?.gender ?? employee.gender,
    });
  }

  const [chief] = employees;
  const headOf = new Map(employees.filter((e) => e.head).map((e) => [e.department.name, e]));
  for (const employee of employees) {
    if (employee === chief) continue;
    employee.managerGuid = employee.head ? chief.userGuid : headOf.get(employee.department.name).userGuid;
  }

  // Those who have left: staff that no demo user stands in for.
  const demoGuids = new Set(demoUsers.map(userGuidOf));
  const leavers = employees.filter((e) => !e.head && !demoGuids.has(e.userGuid));
  for (let left = 0; left < plan.inactive; left += 1) {
    const [employee] = leavers.splice(gen.int(0, leavers.length - 1), 1);
    employee.isActive = false;
    employee.employment.employmentStatus = 'Resigned';
  }

  return { companyGuid, name: companyName, employees };
}

/** The leave types (ids) an employee is entitled to. */
export function leaveTypesOf(employee) {
  const { parent, gender } = employee;
  return LEAVE_TYPES.filter(
    ({ who }) =>
      who === 'all' ||
      (parent && who === 'parents') ||
      (parent && who === 'mothers' && gender === 'Female') ||
      (parent && who === 'fathers' && gender === 'Male'),
  );
}

function letter(gen) {
  return String.fromCharCode(65 + gen.int(0, 25));
}

function residency(gen, kind, joinDate) {
  if (kind === 'citizen') return { name: 'Singapore Citizen', startDate: '', endDate: '' };
  if (kind === 'pr') return { name: 'Permanent Resident', startDate: gen.day('2005-01-01', joinDate), endDate: '' };
  // A pass runs two years and is renewed: the current one started on or after the join date.
  const renewed = gen.day('2024-04-01', '2026-01-31');
  const startDate = dayNumber(renewed) > dayNumber(joinDate) ? renewed : addDays(joinDate, -gen.int(7, 40));
  return { name: 'Employment Pass', startDate, endDate: addDays(addMonths(startDate, 24), -1) };
}

/**
 * Builds the companies of `users`: `{ companies: Map<companyGuid, { companyGuid, name, employees }>,
 * employees: Map<userGuid, employee> }`, employees in employeeId order. Same users, same data,
 * every time.
 */
export function buildApiData(users) {
  const banks = generateBanks();
  const companies = new Map();
  const employees = new Map();
  for (const companyId of new Set(users.map((user) => user.companyId))) {
    const company = generateCompany(companyId, COMPANIES[companyId] ?? OTHER_COMPANY, banks, users);
    companies.set(company.companyGuid, company);
    for (const employee of company.employees) employees.set(employee.userGuid, employee);
  }
  return { companies, employees };
}
