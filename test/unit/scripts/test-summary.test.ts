import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The closing line of the test command (scripts/test-summary.mjs) from REAL vitest reports: a
 * small project whose failures are not tests' (a beforeAll that throws, a file that does not
 * load) is run by this repository's vitest, and its JSON report summarised.
 */
const run = promisify(execFile);
const REPOSITORY = resolve(import.meta.dirname, '../../..');
const VITEST = join(REPOSITORY, 'node_modules', '.bin', 'vitest');
const SUMMARY = join(REPOSITORY, 'scripts', 'test-summary.mjs');
// Inside the repository, so the project's test files resolve `vitest` from its node_modules.
mkdirSync(join(REPOSITORY, '.test-output'), { recursive: true });
const root = mkdtempSync(join(REPOSITORY, '.test-output', 'summary-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function summarise(name: string, files: Record<string, string>) {
  const project = join(root, name);
  mkdirSync(project);
  writeFileSync(
    join(project, 'vitest.config.mjs'),
    'export default { test: { include: ["*.test.mjs"] } };\n',
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(join(project, file), text);
  const report = join(project, 'report.json');
  const vitest = await run(VITEST, ['run', '--reporter=json', `--outputFile=${report}`], {
    cwd: project,
  }).then(
    () => 0,
    (error: { code?: number }) => error.code ?? 1,
  );
  const summary = await run('node', [SUMMARY, report]).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  return { vitest, ...summary, last: summary.stdout.trim().split('\n').at(-1) ?? '' };
}

const passing = 'import { it, expect } from "vitest";\nit("passes", () => expect(1).toBe(1));\n';

describe('the closing line of the test command', () => {
  it('a beforeAll that throws: at least 1 failed and a non-zero exit, though no test failed', async () => {
    const result = await summarise('before-all', {
      'ok.test.mjs': passing,
      'hook.test.mjs':
        'import { beforeAll, it } from "vitest";\nbeforeAll(() => { throw new Error("set-up failed"); });\nit("one", () => {});\nit("two", () => {});\n',
    });
    expect(result.vitest).not.toBe(0);
    expect(result.last).toMatch(/^1 passed, [1-9]\d* failed, /);
    expect(result.stdout).toContain('hook.test.mjs');
    expect(result.code).toBe(1);
  }, 60_000);

  it('a file that does not load counts as failed', async () => {
    const result = await summarise('broken-file', {
      'ok.test.mjs': passing,
      'broken.test.mjs': 'import { missing } from "./nowhere.mjs";\n',
    });
    expect(result.last).toMatch(/^1 passed, 1 failed, /);
    expect(result.code).toBe(1);
  }, 60_000);

  it('all passing: 0 failed and exit 0', async () => {
    const result = await summarise('green', { 'ok.test.mjs': passing });
    expect(result.vitest).toBe(0);
    expect(result.last).toBe('1 passed, 0 failed, 0 skipped');
    expect(result.code).toBe(0);
  }, 60_000);

  it('several reports (the lab runs in a vitest of its own) are added up, each failed test named', async () => {
    const red = await summarise('red', {
      'ok.test.mjs': passing,
      'red.test.mjs': 'import { it, expect } from "vitest";\nit("is red", () => expect(1).toBe(2));\n',
    });
    const green = await summarise('green-too', { 'ok.test.mjs': passing });
    expect(red.vitest).not.toBe(0);
    const reports = [join(root, 'red', 'report.json'), join(root, 'green-too', 'report.json')];
    const both = await run('node', [SUMMARY, ...reports]).catch((error) => error);
    const lines = String(both.stdout).trim().split('\n');
    expect(lines.at(-1)).toBe('2 passed, 1 failed, 0 skipped');
    expect(both.stdout).toMatch(/^failed: .*red\.test\.mjs > is red: .*expected 1 to be 2/m);
    expect(both.code).toBe(1);
    expect(green.last).toBe('1 passed, 0 failed, 0 skipped');
    // A report that is missing beside one that is there: one more failure, never fewer.
    const oneMissing = await run('node', [SUMMARY, reports[1] ?? '', join(root, 'none.json')]).catch(
      (error) => error,
    );
    expect(String(oneMissing.stdout).trim().split('\n').at(-1)).toBe('1 passed, 1 failed, 0 skipped');
    expect(oneMissing.code).toBe(1);
    // A vitest that exited with an error its report does not show (REPORT=CODE): one failure.
    const exited = await run('node', [SUMMARY, `${reports[1]}=1`]).catch((error) => error);
    expect(String(exited.stdout)).toContain('exited with 1, though its report shows no failure');
    expect(String(exited.stdout).trim().split('\n').at(-1)).toBe('1 passed, 1 failed, 0 skipped');
    expect(exited.code).toBe(1);
    const fine = await run('node', [SUMMARY, `${reports[1]}=0`]);
    expect(fine.stdout.trim()).toBe('1 passed, 0 failed, 0 skipped');
  }, 60_000);

  it('no report at all: 1 failed and exit 1', async () => {
    const { stdout } = await run('node', [SUMMARY, join(root, 'none.json')]).catch((error) => error);
    expect(stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed');
  });
});
