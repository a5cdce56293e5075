import { chmod, lstat, mkdir, mkdtemp, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { isWireInstallError, type WireInstallError } from '../../../src/core/errors.js';
import { ensureSecretsFile } from '../../../src/secrets/file.js';

/**
 * init's secrets.yaml as root (issue 15): a link to /etc/shadow had its target chmod-ed to 0600
 * and its lines printed as "unknown keys". Nothing that is not a wire-install secrets file is
 * changed, and nothing of it is shown.
 */

const SHADOW = 'root:$6$saltsalt$hashhashhashhash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n';
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wire-install-not-ours-'));
});

async function refused(path: string): Promise<WireInstallError> {
  const error = await ensureSecretsFile(path).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isWireInstallError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
  expect(error.exitCode).toBe(2);
  const shown = [error.what, ...error.evidence, error.next ?? ''].join('\n');
  expect(shown).not.toContain('$6$');
  expect(shown).not.toContain('daemon');
  return error;
}

async function shadowLike(mode: number): Promise<string> {
  const target = join(dir, 'shadow');
  await writeFile(target, SHADOW);
  await chmod(target, mode);
  return target;
}

describe('ensureSecretsFile never touches what is not a secrets file of ours', () => {
  it('a symbolic link: refused; the file it points to keeps its mode and content', async () => {
    const target = await shadowLike(0o644);
    const link = join(dir, 'secrets.yaml');
    await symlink(target, link);
    const error = await refused(link);
    expect(error.what).toContain('is a symbolic link');
    expect((await stat(target)).mode & 0o777).toBe(0o644);
    expect(await readFile(target, 'utf8')).toBe(SHADOW);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
  });

  it('a directory: refused, its mode unchanged', async () => {
    const path = join(dir, 'secrets.yaml');
    await mkdir(path);
    await chmod(path, 0o755);
    expect((await refused(path)).what).toContain('is a directory');
    expect((await stat(path)).mode & 0o777).toBe(0o755);
  });

  it('a regular file that is not ours (--secrets /etc/shadow): refused without a word of it, not chmod-ed', async () => {
    const target = await shadowLike(0o640);
    const error = await refused(target);
    expect(error.what).toContain('this is not the secrets file of wire-install');
    expect((await stat(target)).mode & 0o777).toBe(0o640);
    expect(await readFile(target, 'utf8')).toBe(SHADOW);
  });
});
