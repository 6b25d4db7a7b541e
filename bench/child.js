'use strict';
// Bench child processes: the parent asks (`{ id, type }`), the child answers
// with the same `id`. Message id 0 is the child's "ready" with its port.
const { fork } = require('node:child_process');

const ANSWER_TIMEOUT_MS = 60_000;

/** Forks `file`; resolves with `{ port, ask(type), stop() }` once it is ready. */
function start(file, args = [], execArgv = []) {
  const child = fork(file, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map();
  let lastId = 0;
  const wait = (id) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(id, new Error(`${file} did not answer`)), ANSWER_TIMEOUT_MS);
      waiting.set(id, { resolve, reject, timer });
    });
  const settle = (id, error, message) => {
    const entry = waiting.get(id);
    if (!entry) return;
    waiting.delete(id);
    clearTimeout(entry.timer);
    if (error) entry.reject(error);
    else entry.resolve(message);
  };
  child.on('message', (message) => settle(message.id, null, message));
  child.on('exit', (code, signal) => {
    for (const id of [...waiting.keys()]) settle(id, new Error(`${file} exited (${signal ?? code})`));
  });
  const ask = (type) => {
    const id = ++lastId;
    const answer = wait(id);
    child.send({ id, type });
    return answer;
  };
  const stop = () => child.kill();
  return wait(0).then(({ port }) => ({ port, ask, stop }));
}

/** In a child: reports `port` as ready and answers each message with `handlers[type]()`. */
function serve(port, handlers) {
  process.on('message', async ({ id, type }) => process.send({ id, ...(await handlers[type]()) }));
  process.on('disconnect', () => process.exit(0));
  process.send({ id: 0, port });
}

module.exports = { start, serve };
