import { parseArgs } from 'node:util';

/** The settings an app gives the package, as the doctor read them; each names where it came from. */
export interface DoctorSettings {
  clientID?: string;
  clientSecret?: string;
  callbackURL?: string;
  baseURL?: string;
  environment?: string;
  /** Seconds of clock difference the app tolerates (`--clock-tolerance`). */
  clockTolerance?: number;
  /** Where each setting was read: an environment variable or a flag, e.g. `JUSTLOGIN_BASE_URL`. */
  sources: Record<SettingName, string>;
}

export type SettingName = 'clientID' | 'clientSecret' | 'callbackURL' | 'baseURL' | 'environment';

/** What the command line asks for. */
export type Command =
  | { run: 'doctor'; json: boolean; settings: DoctorSettings }
  | { run: 'help' }
  | { run: 'usage-error'; problem: string };

/**
 * Where each setting is read: its flag first, then the environment variable
 * the README's apps read. The secret has no flag: a command line is kept in
 * shell histories and shown in process lists.
 */
const SOURCES: Record<SettingName, { env: string; flag?: string }> = {
  clientID: { env: 'JUSTLOGIN_CLIENT_ID', flag: 'client-id' },
  clientSecret: { env: 'JUSTLOGIN_CLIENT_SECRET' },
  callbackURL: { env: 'JUSTLOGIN_CALLBACK_URL', flag: 'callback-url' },
  baseURL: { env: 'JUSTLOGIN_BASE_URL', flag: 'base-url' },
  environment: { env: 'JUSTLOGIN_ENV', flag: 'environment' },
};

const FLAGS = {
  'client-id': { type: 'string' },
  'callback-url': { type: 'string' },
  'base-url': { type: 'string' },
  environment: { type: 'string' },
  'clock-tolerance': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/**
 * Reads `passport-justlogin doctor [flags]` and the environment. Problems
 * with the command line name the flag, never a value given: a secret typed in
 * the wrong place is not printed back.
 */
export function readCommand(argv: readonly string[], env: Record<string, string | undefined>): Command {
  let parsed: { values: Partial<Record<keyof typeof FLAGS, string | boolean>>; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    return { run: 'usage-error', problem: flagProblem(error as Error & { code?: string }) };
  }
  const { values, positionals } = parsed;
  if (values.help) return { run: 'help' };
  if (positionals.length !== 1 || positionals[0] !== 'doctor') {
    return { run: 'usage-error', problem: 'the command is `passport-justlogin doctor`' };
  }
  const settings: DoctorSettings = { sources: {} as DoctorSettings['sources'] };
  for (const [name, { env: variable, flag }] of Object.entries(SOURCES) as [
    SettingName,
    { env: string; flag?: string },
  ][]) {
    const fromFlag = flag ? (values[flag as keyof typeof FLAGS] as string | undefined) : undefined;
    settings.sources[name] = fromFlag !== undefined ? `--${flag}` : variable;
    const value = fromFlag ?? env[variable];
    if (value !== undefined && value !== '') settings[name] = value;
  }
  const tolerance = values['clock-tolerance'] as string | undefined;
  if (tolerance !== undefined) {
    if (!/^\d{1,6}$/.test(tolerance)) return { run: 'usage-error', problem: '--clock-tolerance takes whole seconds' };
    settings.clockTolerance = Number(tolerance);
  }
  return { run: 'doctor', json: values.json === true, settings };
}

/** What is wrong with a flag, naming it but not the value given. */
function flagProblem(error: Error & { code?: string }): string {
  const flag = /'(-{1,2}[A-Za-z0-9-]+)/.exec(error.message)?.[1] ?? 'an option';
  if (flag === '--client-secret') {
    return 'the secret is read from JUSTLOGIN_CLIENT_SECRET only, to keep it out of shell histories and process lists';
  }
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `${flag} is not an option`;
  return /does not take/.test(error.message) ? `${flag} takes no value` : `${flag} needs a value`;
}
