// OpenTelemetry for passport-justlogin, from its diagnostics channels alone: a span for every request to
// JustLogin (token, API, keys, discovery), counters of sign-ins and renewals by outcome, and a histogram of
// the requests' durations. Needs only @opentelemetry/api; the app sets up the SDK and its exporters.
const { subscribe, tracingChannel, unsubscribe } = require('node:diagnostics_channel');
const { SpanKind, SpanStatusCode } = require('@opentelemetry/api');

/** The tracing channels, and the attributes of each one's spans and durations. */
const TRACED = {
  'passport-justlogin:token': (c) => ({ 'justlogin.grant_type': c.grantType, 'url.full': c.origin + c.path }),
  'passport-justlogin:api': (c) => ({ 'http.request.method': c.method, 'url.template': c.path }),
  'passport-justlogin:keys': (c) => ({ 'url.full': c.origin + c.path }),
  'passport-justlogin:discovery': (c) => ({ 'url.full': c.origin + c.path }),
};

/**
 * Subscribes to passport-justlogin's channels with `tracer` and `meter` (e.g. `trace.getTracer('app')` and
 * `metrics.getMeter('app')`); returns the function that unsubscribes.
 */
function instrumentJustLogin({ tracer, meter }) {
  const signIns = meter.createCounter('justlogin.sign_ins', { description: 'Sign-ins with JustLogin, by outcome' });
  const renewals = meter.createCounter('justlogin.renewals', { description: 'Token renewals, by outcome' });
  const durations = meter.createHistogram('justlogin.request.duration', {
    description: 'Requests to JustLogin (token, API, keys, discovery)',
    unit: 's',
  });
  const stops = [];

  for (const [name, attributesOf] of Object.entries(TRACED)) {
    const operation = name.slice('passport-justlogin:'.length);
    const spans = new WeakMap();
    const handlers = {
      start(context) {
        const span = tracer.startSpan(`justlogin ${operation}`, {
          kind: SpanKind.CLIENT,
          attributes: attributesOf(context),
        });
        spans.set(context, { span, started: performance.now() });
      },
      asyncEnd(context) {
        const traced = spans.get(context);
        if (!traced) return;
        const { span, started } = traced;
        const ended = { 'justlogin.operation': operation, ...attributesOf(context) };
        if (context.status !== undefined) ended['http.response.status_code'] = context.status;
        if (context.error) ended['error.type'] = context.error.code ?? context.error.name;
        span.setAttributes(ended);
        if (operation === 'api')
          span.setAttributes({ 'justlogin.attempt': context.attempt, 'justlogin.renewed': context.renewed });
        if (context.expiresIn !== undefined) span.setAttribute('justlogin.expires_in', context.expiresIn);
        // The error's message never holds a token or a body; its code says what happened.
        if (context.error) span.setStatus({ code: SpanStatusCode.ERROR, message: context.error.message });
        span.end();
        durations.record((performance.now() - started) / 1000, ended);
      },
      end() {},
      asyncStart() {},
      error() {},
    };
    tracingChannel(name).subscribe(handlers);
    stops.push(() => tracingChannel(name).unsubscribe(handlers));
  }

  const onSignIn = ({ outcome, code }) => signIns.add(1, { outcome, ...(code && { 'error.type': code }) });
  const onRenewal = ({ outcome, code, source }) =>
    renewals.add(1, { outcome, source, ...(code && { 'error.type': code }) });
  subscribe('passport-justlogin:sign-in', onSignIn);
  subscribe('passport-justlogin:renewal', onRenewal);
  stops.push(() => unsubscribe('passport-justlogin:sign-in', onSignIn));
  stops.push(() => unsubscribe('passport-justlogin:renewal', onRenewal));

  return () => stops.forEach((stop) => stop());
}

module.exports = { instrumentJustLogin };
