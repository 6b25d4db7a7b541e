// The OpenTelemetry recipe of docs/observability.md (example-app/opentelemetry.js), with the SDK's in-memory
// exporters, through a sign-in, a renewal, API calls and failures against the sandbox: a span per request to
// JustLogin with its attributes, counters of sign-ins and renewals by outcome, a histogram of durations.
import type { Server } from 'node:http';
import { metrics, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import request from 'supertest';
import {
  JustLoginApi,
  JustLoginClient,
  JustLoginRefresher,
  JustLoginStrategy,
  toTokenSet,
  type JustLoginTokenSet,
} from '../lib';
import { makeApp } from './support/app';
import { freePort } from './support/free-port';
import { DEMO_USERS, startSandbox, type RunningSandbox } from './support/sandbox';
import { signInRecordingCallback } from './support/sandbox-sign-in';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { instrumentJustLogin } = require('../example-app/opentelemetry') as {
  instrumentJustLogin: (options: { tracer: unknown; meter: unknown }) => () => void;
};

const alice = DEMO_USERS.find((user) => user.username === 'alice')!;

let sandbox: RunningSandbox;
let server: Server;
let spans: InMemorySpanExporter;
let exporter: InMemoryMetricExporter;
let reader: PeriodicExportingMetricReader;
let stop: () => void;

beforeAll(async () => {
  const port = await freePort();
  sandbox = await startSandbox({ JUSTLOGIN_SANDBOX_REDIRECT_URIS: `http://localhost:${port}/callback` });
  spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  // As an app would, through the API's global providers.
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  stop = instrumentJustLogin({ tracer: trace.getTracer('team-portal'), meter: metrics.getMeter('team-portal') });

  const client = new JustLoginClient({
    clientID: sandbox.clientID,
    clientSecret: sandbox.clientSecret,
    baseURL: sandbox.origin,
    discovery: true,
    verifyIdTokenSignature: true,
  });
  let tokens: JustLoginTokenSet | undefined;
  const strategy = new JustLoginStrategy(
    { client, callbackURL: `http://localhost:${port}/callback` },
    (accessToken, refreshToken, params, profile, done) => {
      tokens = toTokenSet(accessToken, refreshToken, params);
      done(null, { id: profile.id });
    },
  );
  server = await new Promise<Server>((resolve) => {
    const listening = makeApp(strategy).listen(port, '127.0.0.1', () => resolve(listening));
  });
  const agent = request.agent(`http://localhost:${port}`);
  expect((await signInRecordingCallback(agent, '/login', alice)).response.status).toBe(200);
  expect((await agent.get('/callback?code=c&state=forged')).headers.location).toBe('/failed');

  const refresher = new JustLoginRefresher({ client });
  const renewed = await refresher.refresh({ refreshToken: tokens!.refreshToken!, idToken: tokens!.idToken });
  await refresher.refresh({ refreshToken: tokens!.refreshToken! });
  const api = new JustLoginApi({ refresher, tokens: renewed });
  await api.employees.me();
  await expect(api.employees.get('0'.repeat(32))).rejects.toMatchObject({ code: 'EHTTPSTATUS' });
  await expect(new JustLoginRefresher({ client, graceMs: 0 }).refresh({ refreshToken: 'spent' })).rejects.toMatchObject(
    { code: 'invalid_grant' },
  );
  await reader.forceFlush();
}, 60_000);

afterAll(async () => {
  stop?.();
  trace.disable();
  metrics.disable();
  await new Promise((resolve) => server?.close(resolve));
  await sandbox?.stop();
});

/** The metric named `name`, from the last export. */
function metric(name: string): MetricData {
  const exported = exporter.getMetrics().at(-1)!;
  const found = exported.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  if (!found) throw new Error(`no metric ${name}`);
  return found;
}

/** A counter's values, by its points' attributes as JSON. */
function counts(name: string): Record<string, number> {
  return Object.fromEntries(
    metric(name).dataPoints.map((point) => [JSON.stringify(point.attributes), point.value as number]),
  );
}

it('makes a client span for each request to JustLogin, with its attributes and, on failure, its error', () => {
  const finished = spans.getFinishedSpans();
  const names = finished.map((span) => span.name);
  expect(names).toEqual(
    expect.arrayContaining(['justlogin discovery', 'justlogin keys', 'justlogin token', 'justlogin api']),
  );
  const exchange = finished.find((span) => span.attributes['justlogin.grant_type'] === 'authorization_code')!;
  expect(exchange.attributes).toMatchObject({
    'url.full': `${sandbox.issuer}/connect/token`,
    'http.response.status_code': 200,
    'justlogin.expires_in': 3600,
  });
  expect(exchange.status.code).toBe(0);
  const refused = finished.find((span) => span.attributes['error.type'] === 'invalid_grant')!;
  expect(refused.attributes['http.response.status_code']).toBe(400);
  expect(refused.status).toMatchObject({ code: 2, message: expect.stringContaining('invalid_grant') });
  const notFound = finished.find((span) => span.name === 'justlogin api' && span.attributes['error.type'])!;
  expect(notFound.attributes).toMatchObject({
    'http.request.method': 'GET',
    'url.template': '/membership/v3/users/{userGuid}',
    'http.response.status_code': 404,
    'error.type': 'EHTTPSTATUS',
    'justlogin.attempt': 1,
    'justlogin.renewed': false,
  });
});

it('counts sign-ins and renewals by outcome', () => {
  expect(counts('justlogin.sign_ins')).toEqual({
    [JSON.stringify({ outcome: 'success' })]: 1,
    [JSON.stringify({ outcome: 'failure', 'error.type': 'EBADSTATE' })]: 1,
  });
  expect(counts('justlogin.renewals')).toEqual({
    [JSON.stringify({ outcome: 'renewed', source: 'process' })]: 1,
    [JSON.stringify({ outcome: 'remembered', source: 'process' })]: 1,
    [JSON.stringify({ outcome: 'failed', source: 'process', 'error.type': 'invalid_grant' })]: 1,
  });
});

it('records the duration of token requests and API calls in a histogram, in seconds', () => {
  const histogram = metric('justlogin.request.duration');
  expect(histogram.dataPointType).toBe(DataPointType.HISTOGRAM);
  expect(histogram.descriptor.unit).toBe('s');
  const byOperation = (operation: string) =>
    histogram.dataPoints.filter((point) => point.attributes['justlogin.operation'] === operation);
  const tokenCount = byOperation('token').reduce((sum, point) => sum + (point.value as { count: number }).count, 0);
  expect(tokenCount).toBe(3);
  expect(
    byOperation('api')
      .map((point) => point.attributes['http.response.status_code'])
      .sort(),
  ).toEqual([200, 404]);
  for (const point of histogram.dataPoints) {
    const { count, sum } = point.value as { count: number; sum: number };
    expect(count).toBeGreaterThan(0);
    expect(sum / count).toBeLessThan(5);
  }
});
