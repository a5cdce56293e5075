// Prints the closing line CI reads ("N passed, N failed, N skipped") from vitest's JSON reports
// (one or more: scripts/test.sh runs the lab in a vitest of its own beside the unit tests).
//
// vitest counts tests; a failure that is no test's (a file that does not load, a beforeAll or
// afterAll that throws, an unhandled error) fails the run but leaves every test passed or
// skipped. Each such failure counts here as one failed, so the line never says 0 failed when
// vitest failed. A report that is missing counts as one failed, too. Each failed test is named
// above the line (its file, its name and its message's first line), so the end of a long log
// says what failed. The exit code is 1 whenever the line says a failure.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

// Each argument is a report, optionally with its vitest's exit code: REPORT=CODE.
const files = process.argv.slice(2);
if (files.length === 0) files.push('.test-output/vitest.json');

let passed = 0;
let failed = 0;
let skipped = 0;
let missing = false;
const firstLine = (text) =>
  String(text ?? '')
    .split('\n')
    .find((line) => line.trim() !== '') ?? '';

for (const argument of files) {
  const [, file = argument, exitCode] = /^(.*)=(\d+)$/.exec(argument) ?? [];
  let report;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.log(`tests: no report at ${file} (${error.code ?? error.message})`);
    failed += 1;
    missing = true;
    continue;
  }
  const results = report.testResults ?? [];
  let failedHere = 0;
  for (const result of results) {
    const name = relative(process.cwd(), result.name ?? '');
    const failedTests = (result.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failedTests) {
      // vitest's JSON report carries no message for a test that timed out, only this placeholder.
      const message = firstLine(test.failureMessages?.[0]).replace(
        /^Error: STACK_TRACE_ERROR$/,
        'no message in the report (vitest gives none for a timeout): see its output above',
      );
      console.log(`failed: ${name} > ${test.fullName ?? test.title}: ${message}`);
    }
    failedHere += failedTests.length;
    // A file vitest failed in which no test failed: it failed in loading or in a hook.
    if (result.status === 'failed' && failedTests.length === 0) {
      console.log(`failed outside its tests: ${result.name}: ${firstLine(result.message)}`);
      failedHere += 1;
    }
  }
  // The run failed for a reason no file carries (an unhandled error), or its vitest exited with
  // an error its report does not show (a global teardown that threw): still one failure.
  if (report.success === false && failedHere === 0) {
    console.log(
      `the run of ${file} failed outside every test file (an unhandled error: see vitest output above)`,
    );
    failedHere = 1;
  } else if (exitCode !== undefined && exitCode !== '0' && failedHere === 0) {
    console.log(
      `the vitest of ${file} exited with ${exitCode}, though its report shows no failure: see its output above`,
    );
    failedHere = 1;
  }
  failed += failedHere;
  passed += report.numPassedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}

// With no report at all there is nothing to have skipped: the old two-number line.
if (missing && files.length === 1) console.log(`${passed} passed, ${failed} failed`);
else console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
