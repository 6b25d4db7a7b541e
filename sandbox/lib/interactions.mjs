// The sign-in and consent pages oidc-provider sends the browser to (its `interactions.url`).
import express from 'express';

import { consentPage, errorPage, loginPage } from './pages.mjs';

/**
 * An Express router serving `/:uid` (the page), `/:uid/login` and `/:uid/consent` (the forms).
 *
 * @param {import('oidc-provider').default} provider
 * @param {ReturnType<import('./accounts.mjs').createAccounts>} accounts  the sandbox's users
 */
export function interactionRoutes(provider, accounts) {
  const router = express.Router();
  const form = express.urlencoded({ extended: false });

  // The interaction behind the request; `prompt` is the page the request must belong to.
  async function interaction(req, res, prompt) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== req.params.uid || (prompt && details.prompt.name !== prompt)) {
      throw new Error('this page does not belong to the current sign-in; start again from the app');
    }
    return details;
  }

  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/:uid', async (req, res) => {
    const { uid, prompt, params, session } = await interaction(req, res);
    if (prompt.name === 'login') {
      res.type('html').send(loginPage({ action: `${req.baseUrl}/${uid}/login` }));
      return;
    }
    const client = await provider.Client.find(params.client_id);
    const user = accounts.findUserBySub(session.accountId);
    res.type('html').send(
      consentPage({
        action: `${req.baseUrl}/${uid}/consent`,
        clientName: client.clientName ?? client.clientId,
        userName: `${user.claims.name} (${user.companyId})`,
      }),
    );
  });

  router.post('/:uid/login', form, async (req, res) => {
    const { uid } = await interaction(req, res, 'login');
    const { companyId = '', username = '', password = '' } = req.body ?? {};
    const user = accounts.authenticate(companyId, username, password);
    if (!user) {
      res.type('html').send(
        loginPage({
          action: `${req.baseUrl}/${uid}/login`,
          companyId,
          username,
          error: 'The Company Id, Username or Password is incorrect.',
        }),
      );
      return;
    }
    const result = { login: { accountId: user.claims.sub, amr: ['pwd'] } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  });

  router.post('/:uid/consent', form, async (req, res) => {
    const { prompt, params, session, grantId } = await interaction(req, res, 'consent');
    if (req.body?.decision !== 'yes') {
      const result = { error: 'access_denied', error_description: 'The user did not allow the connection.' };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes = {} } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    // With JWT access tokens: the API, the resource they are for.
    for (const [resource, scopes] of Object.entries(missingResourceScopes)) {
      grant.addResourceScope(resource, scopes.join(' '));
    }
    await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } });
  });

  router.use((err, _req, res, _next) => {
    res
      .status(400)
      .type('html')
      .send(errorPage(err.error_description ?? err.message));
  });

  return router;
}
