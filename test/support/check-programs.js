// Checks for every outside program the tests run (redis-server, redis-cli, Chromium) before
// anything is compiled or started. `npm test` runs it first (`node test/support/check-programs.js`)
// and jest runs it as the globalSetup of the tests that start those programs: a missing program
// stops the run at once with one line per program naming it and the command that installs it.
const { CHROMIUM, REDIS_CLI, REDIS_SERVER, requireProgram } = require('./programs');

/** One "<name> not found: install it with …" line per missing program; none when all are there. */
function missingPrograms() {
  return [REDIS_SERVER, REDIS_CLI, CHROMIUM].flatMap((program) => {
    try {
      requireProgram(program);
      return [];
    } catch (err) {
      return [err.message];
    }
  });
}

/** jest globalSetup: throws the lines of the missing programs, with no stack under them. */
module.exports = function checkPrograms() {
  const missing = missingPrograms();
  if (missing.length === 0) return;
  const error = new Error(missing.join('\n'));
  error.stack = error.message;
  throw error;
};

if (require.main === module) {
  const missing = missingPrograms();
  if (missing.length > 0) {
    process.stderr.write(`${missing.join('\n')}\n`);
    process.exitCode = 1;
  }
}
