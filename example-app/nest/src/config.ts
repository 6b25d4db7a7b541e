import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';

/** The app's settings, read from the environment once at start-up. */
export interface AppConfig {
  clientID: string;
  clientSecret: string;
  /** The callback URL registered with JustLogin, e.g. http://localhost:3000/auth/justlogin/callback */
  callbackURL: string;
  /** Unset: JustLogin production. A local sandbox: http://127.0.0.1:4000 */
  baseURL?: string;
  host: string;
  port: number;
  sessionSecret: string;
}

/** Injection token of the {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`The environment variable ${name} is required`);
    return value;
  };
  return {
    clientID: required('JUSTLOGIN_CLIENT_ID'),
    clientSecret: required('JUSTLOGIN_CLIENT_SECRET'),
    callbackURL: required('JUSTLOGIN_CALLBACK_URL'),
    baseURL: env.JUSTLOGIN_BASE_URL || undefined,
    host: env.HOST || '127.0.0.1',
    port: env.PORT ? Number(env.PORT) : 3000,
    // Without SESSION_SECRET, sessions do not survive a restart.
    sessionSecret: env.SESSION_SECRET || randomBytes(32).toString('hex'),
  };
}

/** Provides the {@link AppConfig}: JustLoginModule.forRootAsync injects it. */
@Module({ providers: [{ provide: APP_CONFIG, useFactory: () => loadConfig() }], exports: [APP_CONFIG] })
export class ConfigModule {}
