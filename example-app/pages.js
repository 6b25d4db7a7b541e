// HTML pages of the example app. Every value is escaped.

const escape = (value) =>
  String(value ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

function layout(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · passport-justlogin example</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1d2733; }
  h1 { font-size: 1.5rem; }
  table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #dde3ea; vertical-align: top; }
  th { width: 12rem; color: #4b5b6b; font-weight: 600; }
  .button { display: inline-block; background: #0b6bcb; color: #fff; border: 0; border-radius: .3rem; padding: .55rem 1rem; font-size: 1rem; text-decoration: none; cursor: pointer; }
  .secondary { background: #5b6b7b; }
  .notice { background: #eef6ee; border: 1px solid #9c9; padding: .6rem .8rem; border-radius: .3rem; }
  .error { background: #fbeeee; border: 1px solid #d99; padding: .6rem .8rem; border-radius: .3rem; }
  form { display: inline; margin-right: .5rem; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

function home({ user, reason }) {
  const message = reason ? `<p class="error" role="alert">${escape(reason)}</p>` : '';
  const action = user
    ? `<p>Signed in as <strong>${escape(user.profile.displayName ?? user.profile.id)}</strong>.</p>
<p><a class="button" href="/profile">Your profile</a> <a class="button" href="/people">People</a></p>`
    : `<p><a class="button" href="/auth/justlogin">Sign in with JustLogin</a></p>`;
  return layout(
    'Home',
    `<h1>passport-justlogin example</h1>
${message}
<p>This app signs you in with JustLogin through Passport, shows who you are and your colleagues from JustLogin's API, and renews your JustLogin tokens.</p>
${action}`,
  );
}

function rows(entries) {
  return entries
    .map(([key, value]) => `<tr><th scope="row">${escape(key)}</th><td>${escape(value)}</td></tr>`)
    .join('\n');
}

/** Claims that hold a time in seconds since 1970 (OpenID Connect Core §2). */
const TIME_CLAIMS = ['exp', 'iat', 'nbf', 'auth_time'];

/** A time in seconds since 1970 as an ISO 8601 date and time (UTC). */
const isoTime = (seconds) => new Date(seconds * 1000).toISOString();

/** A claim's value as shown: times readable, objects as JSON. */
function claimValue(name, value) {
  if (TIME_CLAIMS.includes(name) && Number.isFinite(value)) return isoTime(value);
  return typeof value === 'object' ? JSON.stringify(value) : value;
}

function profile({ user, renewed, now }) {
  const { profile: p, claims, tokens } = user;
  const expiry = tokens.expiresAt
    ? `${isoTime(tokens.expiresAt)} (in ${Math.max(0, tokens.expiresAt - Math.floor(now / 1000))} s)`
    : 'unknown';
  const notice = renewed ? '<p class="notice" role="status">Your tokens were renewed.</p>' : '';
  return layout(
    'Profile',
    `<h1>Hello, ${escape(p.displayName ?? p.username ?? p.id)}</h1>
${notice}
<h2>Profile</h2>
<table id="profile">
${rows([
  ['id', p.id],
  ['displayName', p.displayName],
  ['username', p.username],
  ['emails', (p.emails ?? []).map((e) => e.value).join(', ')],
])}
</table>
<h2>Tokens</h2>
<table id="tokens">
${rows([
  ['access token expires', expiry],
  ['scope', tokens.scope],
  ['refresh token', tokens.refreshToken ? 'present' : 'none'],
])}
</table>
<p><a href="/people">People</a></p>
<form method="post" action="/refresh"><button class="button" type="submit">Renew tokens</button></form>
<form method="post" action="/logout"><button class="button secondary" type="submit">Sign out</button></form>
<h2>id_token claims</h2>
<table id="claims">
${rows(Object.entries(claims).map(([key, value]) => [key, claimValue(key, value)]))}
</table>`,
  );
}

/** "Previous page" and "Next page" links of a list's paging state. */
function pageLinks({ currentPage, hasPrevious, hasNext }) {
  const links = [];
  if (hasPrevious) links.push(`<a href="/people?page=${currentPage - 1}" rel="prev">Previous page</a>`);
  if (hasNext) links.push(`<a href="/people?page=${currentPage + 1}" rel="next">Next page</a>`);
  return links.length ? `<nav aria-label="Pages">${links.join(' ')}</nav>` : '';
}

/**
 * @param {object} view
 * @param {object} view.user  the signed-in user
 * @param {{ items: object[], pagination: object }} view.colleagues  a page of employees.listPage
 * @param {{ year: number, leaveTypes: object[] }} view.leave  the user's leave types in that year
 * @param {object} [view.pay]  the user's pay information; undefined when JustLogin refused it (not an HR admin)
 */
function people({ user, colleagues, leave, pay }) {
  const { items, pagination } = colleagues;
  const company = user.claims?.CompanyName;
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
    ? `<ul id="leave-types">\n${leave.leaveTypes.map((t) => `<li>${escape(t.leaveName)}</li>`).join('\n')}\n</ul>`
    : '<p>No leave types are assigned to you this year.</p>';
  const payInfo = pay
    ? `<table id="pay">\n${rows([
        ['pay period', pay.payPeriod],
        ['pay method', pay.payMethod],
        ['basic pay', pay.basicPay],
      ])}\n</table>`
    : '<p id="pay">Only HR administrators see pay information.</p>';
  return layout(
    'People',
    `<h1>People${company ? ` at ${escape(company)}` : ''}</h1>
<p><a href="/profile">Your profile</a></p>
<h2>Colleagues</h2>
${list}
<p>Page ${escape(pagination.currentPage)} of ${escape(pagination.totalPages)} (${escape(pagination.totalCount)} people)</p>
${pageLinks(pagination)}
<h2>Your leave types in ${escape(leave.year)}</h2>
${leaveTypes}
<h2>Your pay</h2>
${payInfo}`,
  );
}

function problem(title, text) {
  return layout(
    title,
    `<h1>${escape(title)}</h1><p class="error" role="alert">${escape(text)}</p><p><a href="/">Home</a></p>`,
  );
}

module.exports = { home, profile, people, problem };
