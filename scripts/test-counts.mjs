// Prints the counts of the last vitest run (from its JSON report) as `N passed, N failed`.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/vitest.json';
if (!existsSync(file)) {
  // The suite did not get as far as running tests (install, type or lint failure).
  console.log('0 passed, 0 failed');
  process.exit(0);
}
const r = JSON.parse(readFileSync(file, 'utf8'));
// A test file that fails outside any test (import error, failing beforeAll) fails no test by
// itself; count such files as failures so a broken run never reads as all green.
const failedFilesWithoutFailedTests = r.testResults.filter(
  (f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'),
).length;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedFilesWithoutFailedTests} failed`);
