// A Web Test Runner reporter that ends the output with one line per browser and one verdict.
// WTR's own reporters print progress bars and errors but no test counts per browser, and a file
// that fails to load (a syntax error, a 404 import) reports no tests at all: it would read as
// "0 failed" unless it is counted here as a failed file.
import { writeSync } from 'node:fs';

/** @param {import('@web/test-runner-core').TestSuiteResult | undefined} suite */
function count(suite, tally = { passed: 0, failed: 0, skipped: 0 }) {
  for (const test of suite?.tests ?? []) {
    if (test.skipped) tally.skipped += 1;
    else if (test.passed) tally.passed += 1;
    else tally.failed += 1;
  }
  for (const child of suite?.suites ?? []) count(child, tally);
  return tally;
}

/**
 * @param {{ label?: string }} [options] `label` prefixes the lines, e.g. `webkit` for a separate run.
 * @returns {import('@web/test-runner-core').Reporter}
 */
export function passFailSummary({ label = 'browser' } = {}) {
  let startTime = Date.now();
  let browserNames = /** @type {string[]} */ ([]);
  return {
    start(args) {
      startTime = args.startTime;
      browserNames = args.browserNames;
    },
    stop({ sessions }) {
      const lines = [];
      let failedTotal = 0;
      let passedTotal = 0;
      const width = Math.max(...browserNames.map((name) => name.length));
      for (const name of browserNames) {
        const mine = sessions.filter((s) => s.browser.name === name);
        const tally = { passed: 0, failed: 0, skipped: 0 };
        let brokenFiles = 0;
        for (const session of mine) {
          count(session.testResults, tally);
          // Errors outside any test (load failures, uncaught errors, timeouts) fail the file.
          if (!session.passed && count(session.testResults).failed === 0) brokenFiles += 1;
        }
        failedTotal += tally.failed + brokenFiles;
        passedTotal += tally.passed;
        const broken = brokenFiles ? `, ${brokenFiles} file(s) failed outside a test` : '';
        lines.push(
          `${label}: ${name.padEnd(width)} ${tally.passed} passed, ${tally.failed} failed, ` +
            `${tally.skipped} skipped in ${mine.length} file(s)${broken}`,
        );
      }
      const seconds = ((Date.now() - startTime) / 1000).toFixed(1);
      const verdict = failedTotal === 0 && passedTotal > 0 ? 'PASS' : 'FAIL';
      const why = passedTotal === 0 && failedTotal === 0 ? ' (no test ran)' : '';
      lines.push(`${label}: ${verdict}${why} - ${passedTotal} passed, ${failedTotal} failed in ${seconds} s`);
      // WTR's default reporter flushes its final screen after every reporter has stopped; printing
      // on exit (synchronously, as fd 1 may be a pipe) keeps the verdict the last thing in a log.
      process.once('exit', () => writeSync(1, `\n${lines.join('\n')}\n`));
    },
  };
}
