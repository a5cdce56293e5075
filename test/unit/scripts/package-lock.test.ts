import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * package-lock.json is what `npm ci` (scripts/setup.sh, so CI) installs from: it must agree with
 * package.json and hold every platform's optional packages (biome's, rollup's and esbuild's
 * native binaries), or `npm ci` refuses it as out of sync on every machine. The real `npm ci
 * --dry-run` checks a copy of the two files for each platform contributors use, offline
 * (it needs no registry and no cache), in about half a second each.
 */
const run = promisify(execFile);
const REPOSITORY = resolve(import.meta.dirname, '../../..');
mkdirSync(join(REPOSITORY, '.test-output'), { recursive: true });
const root = mkdtempSync(join(REPOSITORY, '.test-output', 'lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
copyFileSync(join(REPOSITORY, 'package.json'), join(root, 'package.json'));
copyFileSync(join(REPOSITORY, 'package-lock.json'), join(root, 'package-lock.json'));

interface Platform {
  os: string;
  cpu: string;
  libc?: string;
}
const PLATFORMS: Platform[] = [
  { os: 'linux', cpu: 'x64', libc: 'glibc' },
  { os: 'linux', cpu: 'arm64', libc: 'glibc' },
  { os: 'darwin', cpu: 'arm64' },
  { os: 'darwin', cpu: 'x64' },
];

interface LockEntry {
  version?: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  optional?: boolean;
}
const lock = JSON.parse(readFileSync(join(REPOSITORY, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/** npm's rule for an os/cpu/libc list: `!name` excludes, any plain name must match. */
function allows(list: string[] | undefined, value: string | undefined): boolean {
  if (!list || list.length === 0) return true;
  if (value === undefined) return false;
  if (list.includes(`!${value}`)) return false;
  const plain = list.filter((item) => !item.startsWith('!'));
  return plain.length === 0 || plain.includes(value);
}

/** The lock's platform-specific packages that belong on this platform, as npm prints them. */
function nativePackages(platform: Platform): string[] {
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && (entry.os || entry.cpu || entry.libc))
    .filter(
      ([, entry]) =>
        allows(entry.os, platform.os) && allows(entry.cpu, platform.cpu) && allows(entry.libc, platform.libc),
    )
    .map(
      ([path, entry]) =>
        `add ${path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)} ${entry.version}`,
    );
}

async function npmCiDryRun(platform: Platform) {
  const args = ['ci', '--dry-run', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'];
  args.push(
    '--loglevel=error',
    `--cache=${join(root, 'npm-cache')}`,
    `--os=${platform.os}`,
    `--cpu=${platform.cpu}`,
  );
  if (platform.libc) args.push(`--libc=${platform.libc}`);
  // The npm_* variables of the npm/npx that started vitest are not this run's configuration.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return run('npm', args, { cwd: root, env }).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code?: number; stdout: string; stderr: string }) => ({
      code: error.code ?? 1,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

describe('package-lock.json: what npm ci installs on each platform', () => {
  it('names the dependencies package.json names, each with an entry (else: npm install, and commit the lock)', () => {
    const manifest = JSON.parse(readFileSync(join(REPOSITORY, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const locked = lock.packages[''] as Record<string, unknown>;
    for (const kind of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      expect({ [kind]: locked[kind] ?? {} }).toEqual({ [kind]: manifest[kind] ?? {} });
      const names = Object.keys((manifest[kind] ?? {}) as Record<string, string>);
      expect(names.filter((dependency) => !lock.packages[`node_modules/${dependency}`])).toEqual([]);
    }
  });

  for (const platform of PLATFORMS) {
    const name = [platform.os, platform.cpu, platform.libc].filter(Boolean).join('-');
    it(`npm ci accepts it on ${name} and installs that platform's native packages`, async () => {
      const result = await npmCiDryRun(platform);
      // "Missing: X from lock file" (stderr) is what a lock out of sync with package.json gives.
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const expected = nativePackages(platform);
      // biome (lint) and rollup (vitest) have no JavaScript fallback: each platform needs its binary.
      expect(expected.some((line) => line.startsWith('add @biomejs/cli-'))).toBe(true);
      expect(expected.some((line) => line.startsWith('add @rollup/rollup-'))).toBe(true);
      const added = new Set(result.stdout.split('\n').map((line) => line.trim()));
      expect(expected.filter((line) => !added.has(line))).toEqual([]);
    }, 60_000);
  }
});
