'use strict';
// The soak's child processes (sandbox, redis-server, app instances): started,
// ready once a line says so, stopped and waited for. Every start and stop is bounded.
const { spawn } = require('node:child_process');
const net = require('node:net');
const readline = require('node:readline');

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/** Everything started and not yet stopped, so that any failure can stop it all. */
const running = new Set();

/**
 * Spawns `command args` with `env` added, resolves once a stdout line matches
 * `ready` with `{ match, lines, exited, stop() }`; `lines` keeps every stdout line.
 * Rejects (and kills the process) when it exits or stays silent first.
 */
function startProcess(name, command, args, { env = {}, ready }) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // Without a pid the process never ran (e.g. the command does not exist): nothing to stop or read.
  const ran = () => child.pid !== undefined;
  const stdoutClosed = new Promise((resolve) => child.stdout.once('close', resolve));
  const lines = [];
  const errors = [];
  /** When each stdout line arrived (epoch ms). */
  const times = [];
  readline.createInterface({ input: child.stderr }).on('line', (line) => errors.push(line));
  const handle = {
    name,
    lines,
    /** Every stderr line. */
    errors,
    times,
    /** Resolves once the process has exited, however it ended. */
    exited,
    /** SIGTERM, then SIGKILL if it is still there after a while; resolves once it is gone and its output read. */
    async stop() {
      running.delete(handle);
      if (!ran()) return;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(kill);
      }
      await stdoutClosed;
    },
  };
  running.add(handle);
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const detail = errors.length ? `: ${errors.slice(-5).join(' | ')}` : '';
      handle.stop().then(() => reject(new Error(`${name} ${reason}${detail}`)));
    };
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const exitedEarly = (code, signal) => fail(`exited (${signal ?? code}) before it was ready`);
    child.once('exit', exitedEarly);
    child.on('error', (err) => fail(`could not be started (${err.code ?? err.message})`));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      times.push(Date.now());
      const match = settled ? null : ready.exec(line);
      if (!match) return;
      settled = true;
      clearTimeout(timer);
      child.off('exit', exitedEarly);
      resolve({ ...handle, match });
    });
  });
}

/** Stops every process started here and not stopped yet. */
function stopAll() {
  return Promise.all([...running].map((handle) => handle.stop()));
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

module.exports = { startProcess, stopAll, freePort };
