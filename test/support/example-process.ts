// Runs an example app (example-app/<name>/main.js, or a built dist/main.js) as its own process,
// the way `node` would, and resolves once it prints `… listening on <url>`.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const START_TIMEOUT_MS = 20_000;

export interface ExampleProcess {
  /** The URL it printed, e.g. http://127.0.0.1:40123 */
  url: string;
  /** Everything it printed besides the listening line, stdout and stderr. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `node <main>` with `env` added to this process's environment. */
export async function startExampleProcess(main: string, env: Record<string, string>): Promise<ExampleProcess> {
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${main} did not start within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${main} exited with code ${code} before listening:\n${output}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const listening = / listening on (\S+)$/.exec(line);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]);
      } else {
        output += `${line}\n`;
      }
    });
  });
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
