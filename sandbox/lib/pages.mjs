// The sandbox's HTML pages: sign-in, consent, sign-out, error. Every dynamic value goes through escapeHtml.

export function escapeHtml(value) {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
  body { font-family: system-ui, sans-serif; background: #f4f6f8; color: #1d2730; margin: 0; }
  main { max-width: 22rem; margin: 4rem auto; background: #fff; padding: 2rem; border-radius: 8px;
         box-shadow: 0 1px 4px rgb(0 0 0 / 0.15); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input { display: block; width: 100%; box-sizing: border-box; padding: 0.5rem; margin-top: 0.25rem; }
  button { margin-top: 1.5rem; padding: 0.6rem 1.4rem; font-size: 1rem; cursor: pointer; border-radius: 4px; }
  button.primary { background: #0b5cad; color: #fff; border: 1px solid #0b5cad; }
  button.secondary { background: #fff; color: #1d2730; border: 1px solid #8a96a0; margin-left: 0.5rem; }
  .error { color: #a4000f; background: #fde8ea; padding: 0.6rem; border-radius: 4px; }
  .note { color: #56636e; font-size: 0.9rem; }`;

function layout(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – JustLogin sandbox</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
<p class="note">JustLogin sandbox identity server (local demo, not the real JustLogin).</p>
</main>
</body>
</html>`;
}

/** The sign-in page: Company Id, Username, Password. `error` is shown above the form. */
export function loginPage({ action, companyId = '', username = '', error }) {
  return layout(
    'Sign in',
    `<h1>Sign in to JustLogin</h1>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
  <label for="companyId">Company Id</label>
  <input id="companyId" name="companyId" value="${escapeHtml(companyId)}" autocomplete="organization" required autofocus>
  <label for="username">Username</label>
  <input id="username" name="username" value="${escapeHtml(username)}" autocomplete="username" required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit" class="primary">Sign in</button>
</form>`,
  );
}

/** The consent page: "<app> wants to connect to your JustLogin account", Yes, allow or No, deny. */
export function consentPage({ action, clientName, userName }) {
  return layout(
    'Consent',
    `<h1>${escapeHtml(clientName)} wants to connect to your JustLogin account</h1>
<p>Signed in as ${escapeHtml(userName)}. Allow ${escapeHtml(clientName)} to sign you in and to read your JustLogin details?</p>
<form method="post" action="${escapeHtml(action)}">
  <button type="submit" class="primary" name="decision" value="yes">Yes, allow</button>
  <button type="submit" class="secondary" name="decision" value="no">No, deny</button>
</form>`,
  );
}

/**
 * The end_session page. `form` is oidc-provider's hidden form (id `op.logoutForm`, with its own
 * escaped values). When the app proved who is signing out (`confirmed`: a valid id_token_hint), the
 * page submits "Yes, sign out" by itself, as IdentityServer signs out without asking then;
 * otherwise it asks.
 */
export function logoutPage({ form, clientName, confirmed }) {
  if (confirmed) {
    return layout(
      'Signing out',
      `<h1>Signing you out of JustLogin…</h1>
${form.replace('</form>', '<input type="hidden" name="logout" value="yes"></form>')}
<noscript><button type="submit" class="primary" form="op.logoutForm">Continue</button></noscript>
<script>document.getElementById('op.logoutForm').submit()</script>`,
    );
  }
  return layout(
    'Sign out',
    `<h1>Sign out of JustLogin?</h1>
<p>${clientName ? `${escapeHtml(clientName)} asks to end your JustLogin session. ` : ''}The next sign-in then asks for a Company Id, Username and Password again.</p>
${form}
<button type="submit" class="primary" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign out</button>
<button type="submit" class="secondary" form="op.logoutForm">No, stay signed in</button>`,
  );
}

/** After signing out when the app gave no post_logout_redirect_uri. */
export function signedOutPage() {
  return layout('Signed out', '<h1>You are signed out of JustLogin</h1>');
}

export function errorPage(message) {
  return layout(
    'Error',
    `<h1>Something went wrong</h1>
<p class="error" role="alert">${escapeHtml(message)}</p>`,
  );
}

/**
 * The page that signs a user out everywhere (a test and demo switch): a form for Company Id and
 * Username, and after it what was done (`done`: the user's name, how many sessions ended, which apps
 * heard of it) or why not (`error`).
 */
export function signOutEverywherePage({ done, error }) {
  const result = done
    ? `<p role="status">${escapeHtml(done.name)} is signed out everywhere: ${done.sessions} session(s) ended${
        done.notified.length
          ? `; told ${done.notified.map((app) => `${escapeHtml(app.clientID)} (${app.status || 'no answer'})`).join(', ')}`
          : ''
      }.</p>`
    : '';
  return layout(
    'Sign out everywhere',
    `<h1>Sign a user out everywhere</h1>
<p>Ends every JustLogin session of the user, revokes their tokens and sends each app with a back-channel logout URI a logout token.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}${result}
<form method="post">
  <label for="companyId">Company Id</label>
  <input id="companyId" name="companyId" required autofocus>
  <label for="username">Username</label>
  <input id="username" name="username" required>
  <button type="submit" class="primary">Sign out everywhere</button>
</form>`,
  );
}
