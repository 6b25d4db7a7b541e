// HTML pages of the example app. Every value is escaped.

const APP_NAME = 'Team Portal';

const escape = (value) =>
  String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

const STYLE = `
  :root { --ink: #1d2733; --muted: #5b6b7b; --line: #dde3ea; --brand: #0b6bcb; --bar: #12324f; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f4f6f9; }
  .wrap { max-width: 52rem; margin: 0 auto; padding: 0 1.25rem; }
  header { background: var(--bar); color: #fff; }
  header .wrap { display: flex; align-items: center; gap: 1.5rem; min-height: 3.5rem; flex-wrap: wrap; }
  .brand { color: #fff; font-weight: 700; font-size: 1.1rem; text-decoration: none; }
  header nav { display: flex; gap: 1rem; }
  header nav a { color: #cfe0ef; text-decoration: none; }
  header nav a:hover, header nav a[aria-current] { color: #fff; }
  .who { margin-left: auto; display: flex; align-items: center; gap: .75rem; color: #cfe0ef; font-size: .9rem; }
  main.wrap { padding-top: 2rem; padding-bottom: 1rem; }
  .paging a { color: var(--brand); }
  h1 { font-size: 1.75rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
  .lead { color: var(--muted); margin: 0 0 1.5rem; }
  .card { background: #fff; border: 1px solid var(--line); border-radius: .6rem; padding: 1.1rem 1.25rem; margin: 0 0 1.25rem; }
  .hero { text-align: center; padding: 3rem 1.25rem; }
  .hero p { color: var(--muted); max-width: 30rem; margin: .5rem auto 1.5rem; }
  dl { display: grid; grid-template-columns: 9rem 1fr; gap: .45rem 1rem; margin: 0; }
  dt { color: var(--muted); }
  dd { margin: 0; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
  thead th { color: var(--muted); font-size: .8rem; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
  tbody tr:nth-child(even) { background: #f9fafb; }
  th[scope="row"] { width: 11rem; color: var(--muted); font-weight: 500; }
  .amount { font-variant-numeric: tabular-nums; }
  .button { display: inline-block; background: var(--brand); color: #fff; border: 0; border-radius: .4rem; padding: .55rem 1.1rem; font: inherit; text-decoration: none; cursor: pointer; }
  .button:hover { background: #0959a9; }
  .quiet { background: transparent; color: #cfe0ef; border: 1px solid #4d6b88; padding: .3rem .8rem; font-size: .9rem; }
  .quiet:hover { background: #1d4468; color: #fff; }
  .light { background: #e8eef5; color: var(--ink); }
  .light:hover { background: #dbe4ee; }
  form { display: inline; margin: 0; }
  .actions { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; margin-top: 1rem; }
  .notice { background: #eef6ee; border: 1px solid #9c9; padding: .6rem .8rem; border-radius: .4rem; }
  .error { background: #fbeeee; border: 1px solid #d99; padding: .6rem .8rem; border-radius: .4rem; }
  .chips { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: .5rem; }
  .chips li { background: #e8f1fb; color: #0b4f96; border-radius: 999px; padding: .15rem .8rem; font-size: .9rem; }
  details summary { cursor: pointer; color: var(--brand); font-weight: 600; }
  details[open] summary { margin-bottom: .75rem; }
  .paging { display: flex; justify-content: space-between; align-items: center; margin-top: .75rem; color: var(--muted); }
  .paging nav { display: flex; gap: 1rem; }
  footer { color: var(--muted); font-size: .85rem; padding: 1rem 1.25rem 2rem; }
`;

/** The signed-in user's name as shown. */
const nameOf = (user) => user.profile.displayName ?? user.profile.username ?? user.profile.id;

/** The page around `body`; the bar names the signed-in `user`, if any, with links and Sign out. */
function layout(title, body, user) {
  const bar = user
    ? `<nav aria-label="Main"><a href="/profile">Your profile</a> <a href="/people">People</a></nav>
<div class="who"><span>${escape(nameOf(user))}${user.profile.companyName ? ` · ${escape(user.profile.companyName)}` : ''}</span>
<form method="post" action="/logout"><button class="button quiet" type="submit">Sign out</button></form></div>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · ${APP_NAME}</title>
<style>${STYLE}</style>
</head>
<body>
<header><div class="wrap"><a class="brand" href="/">${APP_NAME}</a>
${bar}</div></header>
<main class="wrap">
${body}
</main>
<footer class="wrap">${APP_NAME} is an example app for passport-justlogin: you sign in with JustLogin, and what it shows comes from JustLogin's API.</footer>
</body>
</html>`;
}

function home({ user, reason }) {
  const message = reason ? `<p class="error" role="alert">${escape(reason)}</p>` : '';
  const body = user
    ? `${message}
<h1>Welcome back, ${escape(nameOf(user))}</h1>
<p class="lead">You are signed in with JustLogin.</p>
<div class="actions"><a class="button" href="/people">See your colleagues</a> <a class="button light" href="/profile">Your profile</a></div>`
    : `${message}
<section class="hero card">
<h1>${APP_NAME}</h1>
<p>Your colleagues, your leave types and your pay, straight from JustLogin. Sign in with your JustLogin account to begin.</p>
<a class="button" href="/auth/justlogin">Sign in with JustLogin</a>
</section>`;
  return layout('Home', body, user);
}

/** A time in seconds since 1970, for people: "3 May 2026 at 14:05", in this computer's time zone. */
const readableTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short' });

/** `<time>` for a time in seconds since 1970: readable, with the exact time for machines. */
function timeElement(seconds) {
  const date = new Date(seconds * 1000);
  return `<time datetime="${date.toISOString()}">${escape(readableTime.format(date))}</time>`;
}

/** How far away `seconds` is from `now` (ms), for people: "in 59 minutes", "in 2 hours", "2 minutes ago". */
function fromNow(seconds, now) {
  const minutes = Math.round((seconds * 1000 - now) / 60_000);
  const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  return Math.abs(minutes) < 90
    ? relative.format(minutes, 'minute')
    : relative.format(Math.round(minutes / 60), 'hour');
}

function rows(entries) {
  return entries.map(([key, value]) => `<tr><th scope="row">${escape(key)}</th><td>${value}</td></tr>`).join('\n');
}

function definitions(entries) {
  return entries
    .filter(([, value]) => value)
    .map(([term, value]) => `<dt>${escape(term)}</dt><dd>${value}</dd>`)
    .join('\n');
}

/** Claims that hold a time in seconds since 1970 (OpenID Connect Core §2). */
const TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'];

/** Claims about the sign-in's mechanics, not about the user: never shown. */
const HIDDEN_CLAIMS = ['nonce', 'at_hash', 'c_hash', 's_hash', 'sid'];

/** A claim's value as HTML: times readable, lists joined, objects as JSON, everything escaped. */
function claimValue(name, value) {
  if (TIME_CLAIMS.includes(name) && Number.isFinite(value)) return timeElement(value);
  if (Array.isArray(value)) return escape(value.join(', '));
  return escape(typeof value === 'object' ? JSON.stringify(value) : value);
}

/** The user's role(s) and company: "HR Admin at Acme Corporation". */
function roleLine(profile) {
  const role = (profile.roles ?? []).join(', ');
  const company = profile.companyName;
  if (role && company) return `${escape(role)} at ${escape(company)}`;
  return escape(role || company || '');
}

function profile({ user, renewed, now }) {
  const { profile: p, claims = {}, tokens } = user;
  const notice = renewed ? '<p class="notice" role="status">Your tokens were renewed.</p>' : '';
  const signedInAt = claims.auth_time ?? claims.iat;
  const expiry = tokens.expiresAt
    ? `${timeElement(tokens.expiresAt)} (${escape(fromNow(tokens.expiresAt, now))}), renewed when due`
    : 'unknown';
  const shownClaims = Object.entries(claims).filter(([name]) => !HIDDEN_CLAIMS.includes(name));
  return layout(
    'Your profile',
    `<h1>Hello, ${escape(nameOf(user))}</h1>
<p class="lead">${roleLine(p)}</p>
${notice}
<section class="card">
<h2>Your account</h2>
<dl id="account">
${definitions([
  ['Name', escape(p.displayName)],
  ['Company', escape(p.companyName)],
  ['Email', escape((p.emails ?? []).map((e) => e.value).join(', '))],
  ['Username', escape(p.username)],
])}
</dl>
</section>
<section class="card">
<h2>Your sign-in</h2>
<dl id="sign-in">
${definitions([
  ['Signed in', Number.isFinite(signedInAt) ? timeElement(signedInAt) : ''],
  ['Access until', expiry],
])}
</dl>
<div class="actions"><form method="post" action="/refresh"><button class="button light" type="submit">Renew tokens</button></form></div>
</section>
<section class="card">
<details id="claims">
<summary>What JustLogin told this app about you</summary>
<table>
${rows(shownClaims.map(([name, value]) => [name, claimValue(name, value)]))}
</table>
</details>
</section>`,
    user,
  );
}

/** "Previous page" and "Next page" links of a list's paging state. */
function pageLinks({ currentPage, hasPrevious, hasNext }) {
  const links = [];
  if (hasPrevious) links.push(`<a href="/people?page=${currentPage - 1}" rel="prev">Previous page</a>`);
  if (hasNext) links.push(`<a href="/people?page=${currentPage + 1}" rel="next">Next page</a>`);
  return links.length ? `<nav aria-label="Pages">${links.join(' ')}</nav>` : '';
}

/** Pay methods as people say them; any other value as JustLogin gives it. */
const PAY_METHODS = { bank: 'Bank transfer', cash: 'Cash', cheque: 'Cheque' };

/** Pay amounts in Singapore dollars, as the sandbox's Singapore companies pay: JustLogin's pay information names no currency. */
const MONEY = new Intl.NumberFormat('en-SG', { style: 'currency', currency: 'SGD', currencyDisplay: 'code' });

/** An amount as people read it, "SGD 7,150.00"; anything but a number as it is. */
const money = (amount) => escape(typeof amount === 'number' ? MONEY.format(amount) : amount);

/**
 * @param {object} view
 * @param {object} view.user  the signed-in user
 * @param {{ items: object[], pagination: object }} view.colleagues  a page of employees.listPage
 * @param {{ year: number, leaveTypes: object[] }} view.leave  the user's leave types in that year
 * @param {object} [view.pay]  the user's pay information; undefined when JustLogin refused it (not an HR admin)
 */
function people({ user, colleagues, leave, pay }) {
  const { items, pagination } = colleagues;
  const company = user.profile.companyName;
  const list = items.length
    ? `<table id="people">
<thead><tr><th scope="col">Name</th><th scope="col">Department</th><th scope="col">Designation</th></tr></thead>
<tbody>
${items
  .map(
    (e) =>
      `<tr><td>${escape(e.fullName)}</td><td>${escape(e.department?.name)}</td><td>${escape(e.employment?.designation)}</td></tr>`,
  )
  .join('\n')}
</tbody>
</table>`
    : '<p>No one on this page.</p>';
  const leaveTypes = leave.leaveTypes.length
    ? `<ul id="leave-types" class="chips">\n${leave.leaveTypes.map((t) => `<li>${escape(t.leaveName)}</li>`).join('\n')}\n</ul>`
    : '<p>No leave types are assigned to you this year.</p>';
  const payInfo = pay
    ? `<table id="pay">\n${rows([
        ['Pay period', escape(pay.payPeriod)],
        ['Pay method', escape(PAY_METHODS[pay.payMethod] ?? pay.payMethod)],
        ['Basic pay', `<span class="amount">${money(pay.basicPay)}</span>`],
      ])}\n</table>`
    : '<p id="pay">Only HR administrators see pay information.</p>';
  return layout(
    'People',
    `<h1>People${company ? ` at ${escape(company)}` : ''}</h1>
<p class="lead">Your colleagues, your leave types and your pay, from JustLogin.</p>
<section class="card">
<h2>Colleagues</h2>
${list}
<div class="paging"><p>Page ${escape(pagination.currentPage)} of ${escape(pagination.totalPages)} (${escape(pagination.totalCount)} people)</p>
${pageLinks(pagination)}</div>
</section>
<section class="card">
<h2>Your leave types in ${escape(leave.year)}</h2>
${leaveTypes}
</section>
<section class="card">
<h2>Your pay</h2>
${payInfo}
</section>`,
    user,
  );
}

function problem(title, text) {
  return layout(
    title,
    `<h1>${escape(title)}</h1><p class="error" role="alert">${escape(text)}</p><p><a href="/">Home</a></p>`,
  );
}

module.exports = { home, profile, people, problem };
