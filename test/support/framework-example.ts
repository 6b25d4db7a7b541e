// What the tests of the Fastify, Koa and NestJS-on-Fastify examples share: the sandbox with a short
// access token lifetime, instances of the example on 127.0.0.1 that share one callback URL, and the
// sandbox's token requests from a point on. Registers the beforeAll and afterAll that start and stop them.
import { existsSync } from 'node:fs';
import { startExampleProcess } from './example-process';
import { startSandbox, type RunningSandbox } from './sandbox';
import { freePort } from './free-port';

/** The JustLogin settings an instance of the example is started with. */
export interface ExampleJustLogin {
  clientID: string;
  clientSecret: string;
  callbackURL: string;
  baseURL: string;
}

export interface ExampleInstance {
  url: string;
  stop(): Promise<void>;
}

export interface FrameworkExampleOptions {
  accessTokenTTL: number;
  /** How long the beforeAll may take. */
  timeoutMs: number;
  /** Starts one instance of the example on 127.0.0.1:`port`. */
  startInstance(justlogin: ExampleJustLogin, port: number): Promise<ExampleInstance>;
}

export interface FrameworkExample {
  readonly sandbox: RunningSandbox;
  /** The URL of the first instance, the one on the callback URL's port. */
  readonly url: string;
  /** Starts another instance on a free port and returns its URL. */
  startInstance(): Promise<string>;
  /** The token requests the sandbox logged from the `from`th on, once `count` of them have arrived. */
  tokenRequests(from: number, count: number): Promise<string[]>;
}

export function useFrameworkExample(options: FrameworkExampleOptions): FrameworkExample {
  let sandbox: RunningSandbox | undefined;
  let callbackURL = '';
  let url = '';
  const instances: ExampleInstance[] = [];

  async function start(port: number): Promise<string> {
    const { clientID, clientSecret, origin } = example.sandbox;
    const instance = await options.startInstance({ clientID, clientSecret, callbackURL, baseURL: origin }, port);
    instances.push(instance);
    return instance.url;
  }

  beforeAll(async () => {
    const port = await freePort();
    callbackURL = `http://127.0.0.1:${port}/auth/justlogin/callback`;
    sandbox = await startSandbox({
      JUSTLOGIN_SANDBOX_REDIRECT_URIS: callbackURL,
      SANDBOX_ACCESS_TOKEN_TTL: String(options.accessTokenTTL),
    });
    url = await start(port);
  }, options.timeoutMs);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await sandbox?.stop();
  });

  const example: FrameworkExample = {
    get sandbox() {
      if (!sandbox) throw new Error('the sandbox starts in beforeAll');
      return sandbox;
    },
    get url() {
      return url;
    },
    startInstance: async () => start(await freePort()),
    async tokenRequests(from, count) {
      const all = await example.sandbox.waitForTokenRequests(from + count);
      return all.slice(from);
    },
  };
  return example;
}

/** `startInstance` for an example run as its own process (`node <main>`), set up by environment variables. */
export function exampleProcess(main: string, sessionKey: string): FrameworkExampleOptions['startInstance'] {
  return async (justlogin, port) => {
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build && npm run build:examples\` first`);
    return startExampleProcess(main, {
      JUSTLOGIN_CLIENT_ID: justlogin.clientID,
      JUSTLOGIN_CLIENT_SECRET: justlogin.clientSecret,
      JUSTLOGIN_CALLBACK_URL: justlogin.callbackURL,
      JUSTLOGIN_BASE_URL: justlogin.baseURL,
      SESSION_KEY: sessionKey,
      HOST: '127.0.0.1',
      PORT: String(port),
    });
  };
}
