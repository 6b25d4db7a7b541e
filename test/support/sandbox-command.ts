// The justlogin-sandbox command as a child process, with its output collected as it arrives.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';

/** The justlogin-sandbox command (its package's bin). */
export const SANDBOX_COMMAND = join(dirname(require.resolve('justlogin-sandbox/package.json')), 'cli.mjs');

export interface RunningCommand {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the first match of `pattern` in stdout; rejects if the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Runs the command with `args` (or `program` with `args`) and collects its output. */
export function runCommand(args: string[], { program, cwd }: { program?: string; cwd?: string } = {}): RunningCommand {
  const child = spawn(program ?? process.execPath, program ? args : [SANDBOX_COMMAND, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const listener of listeners) listener();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    waitFor(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
        const check = () => {
          const match = pattern.exec(stdout);
          if (match) finish(undefined, match);
        };
        function finish(error?: Error, match?: RegExpExecArray) {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve(match!);
        }
        listeners.add(check);
        void exited.then((code) => finish(new Error(`exited with code ${code} first: ${stderr}`)));
        check();
      });
    },
  };
}

/** Stops a command started with runCommand (SIGTERM) and waits for it to exit. */
export async function stopCommand(command: RunningCommand): Promise<void> {
  if (command.child.exitCode === null && command.child.signalCode === null) command.child.kill('SIGTERM');
  await command.exited;
}
