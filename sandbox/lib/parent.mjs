// The command stops when whoever started it goes, even when that one was killed with SIGKILL and
// could tell no one. `npm run sandbox` and `npx justlogin-sandbox` start it through `sh -c`, which
// outlives a killed npm: so the parent's parent is watched too, where Linux's /proc tells it.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const INTERVAL_MS = 500;

/** "<pid> (<command>) <state> <ppid> …" -> ppid (the command may hold spaces and parentheses). */
const ppidIn = (stat) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);

// Read as this module loads (the command imports it first), before a parent killed early is gone.
const parent = process.ppid;
const grandparent = (() => {
  try {
    return ppidIn(readFileSync(`/proc/${parent}/stat`, 'utf8'));
  } catch {
    return undefined; // no /proc: the parent alone is watched
  }
})();

async function parentOfParent() {
  try {
    return ppidIn(await readFile(`/proc/${parent}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Calls `onGone` once the process that started this one, or the one that started that, has gone
 * (the orphan was handed to another process). Nothing is watched for a process started by init
 * (pid 1), such as a container's first process.
 */
export function whenParentGoes(onGone) {
  if (parent <= 1) return;
  const watchGrandparent = grandparent !== undefined && grandparent > 1;
  let watching = true;
  const timer = setInterval(async () => {
    const gone = process.ppid !== parent || (watchGrandparent && (await parentOfParent()) !== grandparent);
    if (gone && watching) {
      watching = false;
      clearInterval(timer);
      onGone();
    }
  }, INTERVAL_MS);
  timer.unref();
}
