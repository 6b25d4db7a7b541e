'use strict';
// A stand-in for JustLogin's users API (GET /membership/v3/users) on 127.0.0.1,
// run as its own process so its CPU is not counted: 10,000 employees shaped as
// JustLogin documents them (with manager, department, employment and company),
// `limit` and `page` honoured, the `x-pagination` header as JustLogin sends it.
// It answers only `Authorization: Bearer <the access token given as its argument>`.
const http = require('node:http');
const { serve } = require('./child');

const ACCESS_TOKEN = process.argv[2];
const EMPLOYEES = 10_000;
const COMPANY_GUID = '7D3A1C52B9E04F6A8C21D45E9F0B3A17';
const DEPARTMENTS = ['Engineering', 'Finance', 'Human Resources', 'Operations', 'Sales', 'Marketing'];
const DESIGNATIONS = [
  ['Software Engineer', 'SWE', 2, 'Executive'],
  ['Senior Accountant', 'SACC', 4, 'Senior Executive'],
  ['HR Executive', 'HRE', 2, 'Executive'],
  ['Operations Manager', 'OPM', 5, 'Manager'],
  ['Account Manager', 'AM', 3, 'Senior Executive'],
];
const FIRST = ['Aisha', 'Benjamin', 'Chen', 'Divya', 'Ethan', 'Farah', 'Gabriel', 'Hui Min', 'Ivan', 'Jia Hui'];
const LAST = ['Tan', 'Lim', 'Ng', 'Wong', 'Kumar', 'Rahman', 'Lee', 'Goh', 'Chua', 'Ong'];
let last = { url: '', authorization: '' };

function guid(n, salt) {
  return ((n * 2654435761 + salt) >>> 0).toString(16).toUpperCase().padStart(8, '0').repeat(4);
}

function date(n, from) {
  const day = new Date(Date.UTC(from, 0, 1) + (n % 3650) * 86_400_000);
  return day.toISOString().slice(0, 10);
}

function employee(n) {
  const fullName = `${FIRST[n % FIRST.length]} ${LAST[Math.floor(n / FIRST.length) % LAST.length]} ${n}`;
  const userName = fullName.toLowerCase().replaceAll(' ', '.');
  const [designation, designationCode, jobGradeId, jobGrade] = DESIGNATIONS[n % DESIGNATIONS.length];
  const department = DEPARTMENTS[n % DEPARTMENTS.length];
  const born = date(n * 7, 1970);
  const manager = n === 0 ? null : Math.floor((n - 1) / 8);
  return {
    userGuid: guid(n, 1),
    companyGuid: COMPANY_GUID,
    employeeId: `E${String(n + 1).padStart(5, '0')}`,
    userName,
    email: `${userName}@example.com`,
    fullName,
    createdDate: date(n, 2015),
    modifiedDate: date(n * 3, 2020),
    joinDate: date(n, 2015),
    isActive: true,
    images: {
      profileFullSize: `https://images.example.com/profile/${guid(n, 1)}.jpg`,
      profileThumbnail: `https://images.example.com/profile/${guid(n, 1)}-thumb.jpg`,
    },
    dateOfBirth: born,
    dayOfBirth: Number(born.slice(8, 10)),
    monthOfBirth: Number(born.slice(5, 7)),
    yearOfBirth: Number(born.slice(0, 4)),
    gender: n % 2 ? 'Male' : 'Female',
    manager:
      manager === null
        ? null
        : {
            userGuid: guid(manager, 1),
            email: `manager.${manager}@example.com`,
            fullName: `${FIRST[manager % FIRST.length]} Manager ${manager}`,
            employeeId: `E${String(manager + 1).padStart(5, '0')}`,
          },
    department: { departmentGuid: guid(n % DEPARTMENTS.length, 2), name: department },
    employment: {
      designation,
      designationCode,
      employmentStatus: 'Confirmed',
      jobGradeId,
      jobGrade,
      confirmationDate: `${date(n + 90, 2015)}T23:59:59.997`,
    },
    company: { name: 'Example Holdings Pte Ltd', companyGuid: COMPANY_GUID },
  };
}

const employees = Array.from({ length: EMPLOYEES }, (_, n) => employee(n));
/** Each page's body and header, by `limit,page`, serialised once. */
const pages = new Map();

function page(limit, number) {
  const key = `${limit},${number}`;
  if (!pages.has(key)) {
    const items = employees.slice((number - 1) * limit, number * limit);
    const totalPages = Math.ceil(EMPLOYEES / limit);
    const pagination = {
      TotalCount: EMPLOYEES,
      PageSize: items.length,
      CurrentPage: number,
      TotalPages: totalPages,
      HasNext: number < totalPages,
      HasPrevious: number > 1,
    };
    pages.set(key, { body: JSON.stringify(items), header: JSON.stringify(pagination) });
  }
  return pages.get(key);
}

function whole(value, fallback, max) {
  const number = value === null ? fallback : Number(value);
  return Number.isInteger(number) && number >= 1 && number <= max ? number : undefined;
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  last = { url: req.url, authorization: req.headers.authorization ?? '' };
  const limit = whole(url.searchParams.get('limit'), 50, 100);
  const number = whole(url.searchParams.get('page'), 1, 100_000);
  let status = 200;
  if (req.headers.authorization !== `Bearer ${ACCESS_TOKEN}`) status = 401;
  else if (req.method !== 'GET' || url.pathname !== '/membership/v3/users') status = 404;
  else if (!limit || !number) status = 400;
  if (status !== 200) {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end('{"message":"refused"}');
    return;
  }
  const { body, header } = page(limit, number);
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'x-pagination': header }).end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => serve(server.address().port, { last: () => last }));
