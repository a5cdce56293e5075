import { execFileSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/core/atomic-write.js';
import { isWireInstallError } from '../../../src/core/errors.js';
import { readRegularFile } from '../../../src/core/safe-file.js';

/**
 * Every writer of wire-install's files goes through writeFileAtomic: as root, it must never
 * replace or write through what it did not create. Each case checks the thing at the path and
 * the file a link points to are exactly as before (mode and content).
 */

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wire-install-safe-'));
});

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isWireInstallError(error)).toBe(true);
  return isWireInstallError(error) ? error : undefined;
}

describe('writeFileAtomic refuses to replace what is not a regular file', () => {
  it('a symbolic link: neither the link nor the file it points to changes', async () => {
    const target = join(dir, 'shadow');
    await writeFile(target, 'root:$6$hash:19000::::::\n');
    await chmod(target, 0o644);
    const link = join(dir, 'secrets.yaml');
    await symlink(target, link);
    const error = await refusal(writeFileAtomic(link, 'new', { mode: 0o600, role: 'the secrets file' }));
    expect(error?.exitCode).toBe(2);
    expect(error?.what).toContain(`${link} (the secrets file) is a symbolic link`);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await stat(target)).mode & 0o777).toBe(0o644);
    expect(await readFile(target, 'utf8')).toBe('root:$6$hash:19000::::::\n');
    expect((await readdir(dir)).sort()).toEqual(['secrets.yaml', 'shadow']);
  });

  it('a dangling symbolic link is not replaced either', async () => {
    const link = join(dir, 'inventory.yaml');
    await symlink(join(dir, 'nowhere'), link);
    await refusal(writeFileAtomic(link, 'new'));
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readdir(dir)).toEqual(['inventory.yaml']);
  });

  it('a directory: named as one, its mode unchanged, no temporary file left', async () => {
    const target = join(dir, 'state.json');
    await mkdir(target, { mode: 0o755 });
    await chmod(target, 0o755);
    const error = await refusal(writeFileAtomic(target, '{}', { mode: 0o600, role: 'the run state' }));
    expect(error?.what).toContain('is a directory');
    expect((await stat(target)).mode & 0o777).toBe(0o755);
    expect(await readdir(dir)).toEqual(['state.json']);
  });

  it('a FIFO (and so a device node): left in place, never opened', async () => {
    const fifo = join(dir, 'inventory.yaml');
    execFileSync('mkfifo', [fifo]);
    const error = await refusal(writeFileAtomic(fifo, 'x'));
    expect(error?.what).toContain('is a named pipe (FIFO)');
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it('a full or read-only disk is named by the target, never the temporary file', async () => {
    // A file where the folder should be: ENOTDIR on the way to the target.
    await writeFile(join(dir, 'notadir'), '');
    const error = await refusal(
      writeFileAtomic(join(dir, 'notadir', 'state.json'), 'x', { role: 'the run state' }),
    );
    expect(error?.what).toBe(
      `${join(dir, 'notadir', 'state.json')}: checking the run state failed: a part of the path is a file where a folder belongs (ENOTDIR)`,
    );
    expect(error?.what).not.toContain('.tmp');
  });
});

describe('readRegularFile', () => {
  it('refuses a link unless told to follow it, a FIFO without opening it, and a file over the limit', async () => {
    const file = join(dir, 'secrets.yaml');
    await writeFile(file, 'x'.repeat(100));
    const link = join(dir, 'link.yaml');
    await symlink(file, link);
    expect((await refusal(readRegularFile(link, { role: 'r', maxBytes: 1000 })))?.what).toContain(
      'symbolic link',
    );
    expect((await readRegularFile(link, { role: 'r', maxBytes: 1000, followLink: true }))?.text).toHaveLength(
      100,
    );
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(
      (await refusal(readRegularFile(fifo, { role: 'r', maxBytes: 1000, followLink: true })))?.what,
    ).toContain('FIFO');
    const big = await refusal(readRegularFile(file, { role: 'the inventory', maxBytes: 50 }));
    expect(big?.what).toContain('is 100 bytes; the limit is 50 bytes');
    expect(await readRegularFile(join(dir, 'missing'), { role: 'r', maxBytes: 10 })).toBeUndefined();
  });
});
