import { JustLoginError, JustLoginOptionsError } from '../../lib/errors';
import { readOptions, rules, type OptionRule, type OptionTable } from '../../lib/client/options';
import { seeGuide } from '../support/guide';

const strategyRules: Record<string, OptionRule> = {
  clientID: rules.nonEmptyString,
  clientSecret: rules.nonEmptyString,
  callbackURL: rules.nonEmptyString,
  timeout: rules.positiveDurationMs,
  clockTolerance: rules.seconds,
  pkce: rules.boolean,
  scope: rules.any,
};
const required = ['clientID', 'clientSecret', 'callbackURL'];
const valid = { clientID: 'id', clientSecret: 'secret', callbackURL: '/callback' };

/** A table of `optionRules`, the `requiredKeys` required. */
const tableOf = (optionRules: Record<string, OptionRule>, requiredKeys: string[]): OptionTable =>
  Object.fromEntries(
    Object.entries(optionRules).map(([key, rule]) => [key, { rule, required: requiredKeys.includes(key) }]),
  );

/** The error `readOptions` throws for `options`, or `undefined`. */
function thrown(
  options: unknown,
  optionRules = strategyRules,
  requiredKeys = required,
): JustLoginOptionsError | undefined {
  try {
    readOptions('JustLoginStrategy', options, tableOf(optionRules, requiredKeys));
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(JustLoginOptionsError);
    return error as JustLoginOptionsError;
  }
}

describe('readOptions: the problems', () => {
  it('accepts valid options, with or without the optional ones', () => {
    expect(thrown(valid)).toBeUndefined();
    expect(thrown({ ...valid, timeout: 5_000, clockTolerance: 0, pkce: false, scope: ['openid'] })).toBeUndefined();
    expect(thrown({ ...valid, timeout: undefined })).toBeUndefined();
  });

  it.each([
    ['clientId', 'clientID'],
    ['clientid', 'clientID'],
    ['CLIENTSECRET', 'clientSecret'],
    ['callbackUrl', 'callbackURL'],
    ['timout', 'timeout'],
    ['timeuot', 'timeout'],
    ['timeouts', 'timeout'],
    ['tiemuot', 'timeout'],
    ['clockTolerence', 'clockTolerance'],
    ['pcke', 'pkce'],
    ['scopes', 'scope'],
  ])('`%s` is not an option; it suggests `%s`', (key, suggestion) => {
    const error = thrown({ ...valid, [key]: 'x' });
    expect(error?.problems).toEqual([`\`${key}\` is not an option; did you mean \`${suggestion}\`?`]);
  });

  it.each(['redirectUri', 'verbose', 'ab', 'x', 'clientCertificate'])(
    '`%s` is not an option and resembles none closely enough for a suggestion',
    (key) => {
      expect(thrown({ ...valid, [key]: 1 })?.problems).toEqual([`\`${key}\` is not an option`]);
    },
  );

  it('suggests the closest option, not merely the first within two edits', () => {
    const error = thrown({ abcd: 1 }, { abxy: rules.any, abcx: rules.any }, []);
    expect(error?.problems).toEqual(['`abcd` is not an option; did you mean `abcx`?']);
  });

  it.each([
    [{ ...valid, timeout: 0 }, '`timeout` must be a positive whole number of milliseconds (at most 2147483647)'],
    [{ ...valid, timeout: 1.5 }, '`timeout` must be a positive whole number of milliseconds (at most 2147483647)'],
    [{ ...valid, timeout: 2 ** 31 }, '`timeout` must be a positive whole number of milliseconds (at most 2147483647)'],
    [{ ...valid, timeout: '5000' }, '`timeout` must be a positive whole number of milliseconds (at most 2147483647)'],
    [{ ...valid, clockTolerance: -1 }, '`clockTolerance` must be a number of seconds, 0 or more'],
    [{ ...valid, clockTolerance: Number.NaN }, '`clockTolerance` must be a number of seconds, 0 or more'],
    [{ ...valid, pkce: 'yes' }, '`pkce` must be a boolean'],
    [{ ...valid, clientID: '' }, '`clientID` must be a non-empty string'],
    [{ ...valid, clientSecret: undefined }, '`clientSecret` is required'],
  ])('%j: %s', (options, problem) => {
    const error = thrown(options);
    expect(error?.problems).toEqual([problem]);
    expect(error?.message).toBe(`passport-justlogin: ${problem} (JustLoginStrategy)${seeGuide('EBADOPTIONS')}`);
  });

  it('reports every problem at once, in one JustLoginOptionsError with one prefix', () => {
    const error = thrown({ clientId: 'id', callbackURL: 7, timeout: -5, pkce: 1 });
    expect(error).toBeInstanceOf(JustLoginOptionsError);
    expect(error?.problems).toEqual([
      '`clientId` is not an option; did you mean `clientID`?',
      '`clientID` is required',
      '`clientSecret` is required',
      '`callbackURL` must be a non-empty string',
      '`timeout` must be a positive whole number of milliseconds (at most 2147483647)',
      '`pkce` must be a boolean',
    ]);
    expect(error?.message).toBe(
      [
        'passport-justlogin: JustLoginStrategy options are invalid:',
        '- `clientId` is not an option; did you mean `clientID`?',
        '- `clientID` is required',
        '- `clientSecret` is required',
        '- `callbackURL` must be a non-empty string',
        '- `timeout` must be a positive whole number of milliseconds (at most 2147483647)',
        `- \`pkce\` must be a boolean${seeGuide('EBADOPTIONS')}`,
      ].join('\n'),
    );
    expect(error?.message.match(/passport-justlogin:/g)).toHaveLength(1);
  });

  it.each([
    [undefined, 'undefined'],
    [null, 'null'],
    ['clientID=id', 'string'],
    [42, 'number'],
    [[valid], 'an array'],
  ])('options %j are one problem', (options, what) => {
    const error = thrown(options);
    expect(error?.problems).toEqual([`options must be an object, not ${what}`]);
    expect(error?.message).toBe(
      `passport-justlogin: options must be an object, not ${what} (JustLoginStrategy)${seeGuide('EBADOPTIONS')}`,
    );
  });

  it('never puts a value into the message', () => {
    const error = thrown({ ...valid, clientSecret: 42, clientSecrte: 'hunter2-very-secret' });
    expect(error?.message).not.toMatch(/hunter2|42/);
  });

  it('names an unknown key on one line, at most 64 characters of it', () => {
    const forged = 'timeout\n- `clientSecret` is required';
    expect(thrown({ ...valid, [forged]: 1 })?.problems).toEqual([
      '`timeout?- `clientSecret` is required` is not an option',
    ]);
    const long = 'k'.repeat(10_000);
    expect(thrown({ ...valid, [long]: 1 })?.problems).toEqual([`\`${'k'.repeat(63)}…\` is not an option`]);
  });

  it('lists at most 10 unknown keys (options given something else, such as process.env)', () => {
    const env = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`VARIABLE_${i}`, 'value']));
    const problems = thrown({ ...valid, ...env })?.problems ?? [];
    expect(problems).toHaveLength(11);
    expect(problems.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `\`VARIABLE_${i}\` is not an option`));
    expect(problems[10]).toBe('190 more keys are not options');
  });

  it('gives every rule the whole options, for rules that depend on another option', () => {
    const needsState: OptionRule = (value, options) =>
      value === true && options.state !== true ? 'needs `state`' : undefined;
    const optionRules = { pkce: needsState, state: rules.boolean };
    expect(thrown({ pkce: true }, optionRules, [])?.problems).toEqual(['`pkce` needs `state`']);
    expect(thrown({ pkce: true, state: true }, optionRules, [])).toBeUndefined();
  });

  it('is one of the package errors: code, retryable, reauthenticate', () => {
    const error = thrown({});
    expect(error).toBeInstanceOf(JustLoginError);
    expect(error).toMatchObject({
      name: 'JustLoginOptionsError',
      code: 'EBADOPTIONS',
      retryable: false,
      reauthenticate: false,
    });
  });
});

describe('readOptions: the settings', () => {
  const table: OptionTable = {
    name: { rule: rules.nonEmptyString, required: true },
    timeout: { rule: rules.positiveDurationMs, default: 10_000 },
    skewMs: { rule: rules.durationMs, default: 60_000, formerlySeconds: 'skewSeconds' },
    label: { rule: rules.string },
  };

  it('holds every option of the table, given or its default, frozen', () => {
    const settings = readOptions('Component', { name: 'a', skewMs: 0 }, table);
    expect(settings).toEqual({ name: 'a', timeout: 10_000, skewMs: 0, label: undefined });
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it('reads each value once, and hands the rules those values', () => {
    let reads = 0;
    const options = {
      get name() {
        reads += 1;
        return reads === 1 ? 'checked' : '';
      },
    };
    const seen: unknown[] = [];
    const settings = readOptions<{ name: string }>('Component', options, {
      name: { rule: (value, given) => (seen.push(value, given.name), rules.nonEmptyString(value, given)) },
    });
    expect([settings.name, reads, seen]).toEqual(['checked', 1, ['checked', 'checked']]);
  });

  it('returns settings given again to a table whose every option they were read with, and reads anything else', () => {
    const settings = readOptions('Component', { name: 'a' }, table);
    expect(readOptions('Component', settings, table)).toBe(settings);
    expect(readOptions('Part', settings, { skewMs: table.skewMs, timeout: table.timeout })).toBe(settings);
    // The same option by another spec: read, and the keys it does not know are not options.
    expect(() => readOptions('Other', settings, { skewMs: { rule: rules.durationMs } })).toThrow(
      '`name` is not an option',
    );
    expect(readOptions('Component', { ...settings }, table)).not.toBe(settings);
  });

  it('a required option may depend on the others', () => {
    const needsName: OptionTable = {
      name: { rule: rules.string, required: (given) => given.client === undefined },
      client: { rule: rules.any },
    };
    expect(() => readOptions('Component', {}, needsName)).toThrow('`name` is required');
    expect(readOptions('Component', { client: {} }, needsName)).toMatchObject({ name: undefined });
  });

  it('names the new name of an option that took seconds, without a value', () => {
    expect(() => readOptions('Component', { name: 'a', skewSeconds: 60 }, table)).toThrow(
      'passport-justlogin: `skewSeconds` is not an option: it is now `skewMs`, in milliseconds (seconds × 1000) (Component)',
    );
  });
});

describe('rules', () => {
  const cases: Array<[string, OptionRule, unknown[], unknown[], string]> = [
    ['string', rules.string, ['', 'a'], [1, null, {}], 'must be a string'],
    ['nonEmptyString', rules.nonEmptyString, ['a'], ['', 1, ['a']], 'must be a non-empty string'],
    ['boolean', rules.boolean, [true, false], [0, 'true', null], 'must be a boolean'],
    ['func', rules.func, [() => 1, class {}], [{}, 'f', null], 'must be a function'],
    ['object', rules.object, [{}, new Map()], [null, [], 'x', () => 1], 'must be an object'],
    [
      'positiveDurationMs',
      rules.positiveDurationMs,
      [1, 10_000, 2_147_483_647],
      [0, -1, 0.5, 2_147_483_648, Infinity, Number.NaN, '10'],
      'must be a positive whole number of milliseconds (at most 2147483647)',
    ],
    [
      'durationMs',
      rules.durationMs,
      [0, 1, 2_147_483_647],
      [-1, 0.5, 2_147_483_648, Number.NaN, null],
      'must be a whole number of milliseconds, 0 or more (at most 2147483647)',
    ],
    ['seconds', rules.seconds, [0, 2.5], [-0.1, Infinity, Number.NaN, '0'], 'must be a number of seconds, 0 or more'],
    [
      'oneOf',
      rules.oneOf(['sandbox', 'production']),
      ['sandbox', 'production'],
      ['Sandbox', '', 1],
      'must be one of "sandbox", "production"',
    ],
    [
      'withMethods(warn)',
      rules.withMethods('warn'),
      [console, { warn() {} }],
      [{}, { warn: 1 }, null, 'warn'],
      'must have a method `warn`',
    ],
    [
      'withMethods(get, set)',
      rules.withMethods('get', 'set'),
      [new Map()],
      [{ get() {} }],
      'must have methods `get` and `set`',
    ],
    [
      'secret(32)',
      rules.secret(32),
      ['abcdefgh'.repeat(4), Buffer.from('0123456789abcdef'.repeat(2)), 'éàüöçñßø'.repeat(2)],
      ['x'.repeat(32), Buffer.alloc(32), 'é'.repeat(16), 'abcdefg'.repeat(5), 'abcdefgh'.repeat(4).slice(1), 32, null],
      'must be at least 32 characters (bytes, for a Buffer) with at least 8 different ones; make one with ' +
        `node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
    ],
  ];

  it.each(cases)('%s', (_name, rule, accepted, refused, problem) => {
    for (const value of accepted) expect(rule(value, {})).toBeUndefined();
    for (const value of refused) expect(rule(value, {})).toBe(problem);
  });

  it('any accepts anything', () => {
    for (const value of [null, 0, '', {}, [], () => 1]) expect(rules.any(value, {})).toBeUndefined();
  });
});
