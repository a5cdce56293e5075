// Prints the closing line CI reads ("N passed, N failed, N skipped") from vitest's JSON report.
//
// vitest counts tests; a failure that is no test's (a file that does not load, a beforeAll or
// afterAll that throws, an unhandled error) fails the run but leaves every test passed or
// skipped. Each such failure counts here as one failed, so the line never says 0 failed when
// vitest failed. The exit code is 1 whenever the line says a failure (or there is no report).
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.test-output/vitest.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.log(`tests: no report at ${file} (${error.code ?? error.message})`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const files = report.testResults ?? [];
const failedTests = report.numFailedTests ?? 0;
// A file vitest failed in which no test failed: it failed in loading or in a hook.
const failedOutsideTests = files.filter(
  (result) =>
    result.status === 'failed' && !(result.assertionResults ?? []).some((test) => test.status === 'failed'),
);
for (const result of failedOutsideTests)
  console.log(`failed outside its tests: ${result.name}: ${(result.message ?? '').split('\n')[0]}`);
let failed = failedTests + failedOutsideTests.length;
// The run failed for a reason no file carries (an unhandled error): still one failure.
if (report.success === false && failed === 0) {
  console.log('the run failed outside every test file (an unhandled error: see vitest output above)');
  failed = 1;
}
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${report.numPassedTests ?? 0} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
