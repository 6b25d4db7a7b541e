'use strict';
// The token requests a sandbox received, as the handle's `tokenRequests` list, its
// `waitForTokenRequests()` and the caller's `onTokenRequest`.

const DEFAULT_WAIT_MS = 2000;

function createTokenRequestLog(onTokenRequest) {
  const list = [];
  const waiters = new Set();
  return {
    list,
    add(entry) {
      list.push(entry);
      for (const check of waiters) check();
      onTokenRequest?.(entry);
    },
    /** Resolves with the list once it holds at least `count` entries; rejects after `timeoutMs`. */
    wait(count, timeoutMs = DEFAULT_WAIT_MS) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (list.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(list);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = list.map((entry) => `${entry.grantType} ${entry.status}`).join(', ');
          reject(
            new Error(
              `expected ${count} token requests within ${timeoutMs} ms, the sandbox received ${list.length}: ${seen}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

module.exports = { createTokenRequestLog };
