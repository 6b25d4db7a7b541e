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

function home({ user, error }) {
  const message = error ? `<p class="error" role="alert">${escape(error)}</p>` : '';
  const action = user
    ? `<p>Signed in as <strong>${escape(user.profile.displayName ?? user.profile.id)}</strong>.</p>
<p><a class="button" href="/profile">Your profile</a></p>`
    : `<p><a class="button" href="/auth/justlogin">Sign in with JustLogin</a></p>`;
  return layout(
    'Home',
    `<h1>passport-justlogin example</h1>
${message}
<p>This app signs you in with JustLogin through Passport, shows who you are, and renews your JustLogin tokens.</p>
${action}`,
  );
}

function rows(entries) {
  return entries
    .map(([key, value]) => `<tr><th scope="row">${escape(key)}</th><td>${escape(value)}</td></tr>`)
    .join('\n');
}

function profile({ user, renewed, now }) {
  const { profile: p, claims, tokens } = user;
  const expiry = tokens.expiresAt
    ? `${new Date(tokens.expiresAt * 1000).toISOString()} (in ${Math.max(0, tokens.expiresAt - Math.floor(now / 1000))} s)`
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
<form method="post" action="/refresh"><button class="button" type="submit">Renew tokens</button></form>
<form method="post" action="/logout"><button class="button secondary" type="submit">Sign out</button></form>
<h2>id_token claims</h2>
<table id="claims">
${rows(Object.entries(claims).map(([key, value]) => [key, typeof value === 'object' ? JSON.stringify(value) : value]))}
</table>`,
  );
}

function problem(title, text) {
  return layout(
    title,
    `<h1>${escape(title)}</h1><p class="error" role="alert">${escape(text)}</p><p><a href="/">Home</a></p>`,
  );
}

module.exports = { home, profile, problem };
