'use strict';
// `npm run api-report`: writes etc/<entry>.api.md, the API report of each entry point that package.json
// exports (passport-justlogin.api.md for the main entry, passport-justlogin-redis.api.md for /redis, …),
// made by @microsoft/api-extractor from declarations compiled afresh into a temporary folder. A change to
// the public surface shows in the reports' diff. `npm run api-report -- --check` writes nothing and fails
// when a committed report is not what the code declares (CI runs it).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Extractor, ExtractorConfig } = require('@microsoft/api-extractor');

const ROOT = path.join(__dirname, '..');
const QUIET = new Set(['console-preamble', 'console-api-report-not-copied']);
const REPORTS = __dirname;
const check = process.argv.includes('--check');
const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Each entry point ('.', './redis', …): its report's name and its declarations under `dist/`. */
const entries = Object.entries(packageJson.exports)
  .filter(([entry]) => entry !== './package.json')
  .map(([entry, target]) => ({
    name: entry === '.' ? packageJson.name : `${packageJson.name}-${entry.slice(2).replaceAll('/', '-')}`,
    types: (typeof target === 'string' ? target : target.types).replace(/^\.\/dist\//, ''),
  }));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'passport-justlogin-api-report-'));
let failed = false;
try {
  const declarations = path.join(work, 'dist');
  const tsc = require.resolve('typescript/bin/tsc');
  const build = ['-p', path.join(ROOT, 'tsconfig.build.json'), '--emitDeclarationOnly', '--outDir', declarations];
  try {
    execFileSync(process.execPath, [tsc, ...build], { stdio: 'inherit' });
  } catch {
    throw new Error('api-report: the declarations do not compile (tsc says why above)');
  }
  for (const { name, types } of entries) {
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: ROOT,
        mainEntryPointFilePath: path.join(declarations, types),
        compiler: {
          overrideTsconfig: {
            compilerOptions: {
              module: 'node16',
              moduleResolution: 'node16',
              lib: ['ES2022'],
              // What the README tells TypeScript users to install: the declarations name Passport's Express.User.
              types: ['node', 'passport'],
              strict: true,
              skipLibCheck: true,
            },
            files: [path.join(declarations, types)],
          },
        },
        apiReport: {
          enabled: true,
          reportFileName: name,
          reportFolder: REPORTS,
          reportTempFolder: path.join(work, 'reports'),
          // Types the entry uses without exporting them (marked @inline) are in its report too, so that
          // a change to them shows as well.
          includeForgottenExports: true,
        },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        newlineKind: 'lf',
        messages: {
          compilerMessageReporting: { default: { logLevel: 'warning' } },
          extractorMessageReporting: {
            default: { logLevel: 'warning' },
            // The package marks nothing @public, @beta or @alpha: whatever an entry exports is public.
            'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
            'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: false },
            // Documentation is checked by TypeDoc (npm run docs), which fails on an undocumented export.
            'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
            // Comments are written for TypeDoc (@group, @inline), whose tags TSDoc does not know.
            'ae-unresolved-link': { logLevel: 'none', addToApiReportFile: false },
          },
          tsdocMessageReporting: { default: { logLevel: 'none', addToApiReportFile: false } },
        },
      },
      configObjectFullPath: undefined,
      packageJsonFullPath: path.join(ROOT, 'package.json'),
    });
    const result = Extractor.invoke(config, {
      localBuild: !check,
      // Its notes on the TypeScript it bundles and on where it left a changed report: this script says what to do.
      messageCallback: (message) => {
        if (QUIET.has(message.messageId)) message.handled = true;
      },
    });
    const file = path.relative(ROOT, path.join(REPORTS, `${name}.api.md`));
    if (!result.succeeded || (check && result.apiReportChanged)) {
      failed = true;
      console.error(`api-report: ${file} is not what the code declares: run npm run api-report and commit it`);
    }
  }
  const expected = new Set(entries.map(({ name }) => `${name}.api.md`));
  for (const file of fs.readdirSync(REPORTS).filter((file) => file.endsWith('.api.md') && !expected.has(file))) {
    if (check) {
      failed = true;
      console.error(`api-report: etc/${file} reports an entry point package.json no longer exports`);
    } else {
      fs.rmSync(path.join(REPORTS, file));
    }
  }
} catch (error) {
  failed = true;
  console.error(error.message);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
