import { Harness, secretForms, type Outcome } from './harness';
import { hostileCases } from './cases';

// Every hostile input must end in a clear failure: the failure redirect, an
// error with a useful message, or a rejected refresh; never a success, a
// crash or a hang; and nothing the user or a log sees holds a secret or token,
// in any encoding.

let harness: Harness;
let logs: string[];
beforeEach(async () => {
  harness = await Harness.start();
  logs = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logs.push(args.map(String).join(' '));
    });
  }
});
afterEach(async () => {
  jest.restoreAllMocks();
  await harness.stop();
});

it('has at least 50 cases', () => {
  expect(hostileCases.length).toBeGreaterThanOrEqual(50);
});

it.each(hostileCases.map((c) => [c.attack, c.input, c]))('%s (%s)', async (_attack, _input, hostile) => {
  const outcome: Outcome & { tokensUntouched?: boolean } = await hostile.run(harness);
  const { expected } = hostile;
  expect(outcome.kind).toBe(expected.kind);
  if (expected.kind === 'error') {
    expect(outcome.error).toMatchObject({ name: expected.name });
    if (expected.code) expect(outcome.error?.code).toBe(expected.code);
    expect(outcome.error?.message?.length).toBeGreaterThan(10);
    if (expected.message) expect(outcome.error?.message).toContain(expected.message);
  }
  if (expected.kind === 'rejected') {
    expect(outcome.error).toMatchObject({ code: expected.code, retryable: expected.retryable });
    expect(outcome.tokensUntouched).toBe(true);
  }
  if (expected.kind === 'error' && expected.check) expect(outcome.error?.check).toBe(expected.check);
  const seen = [outcome.visible, outcome.error?.message, ...logs].join('\n');
  for (const secret of secretForms()) expect(seen).not.toContain(secret);
});
