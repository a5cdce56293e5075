import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/core/atomic-write.js';

describe('writeFileAtomic', () => {
  it('replaces a file whole, with the exact mode asked for whatever the umask', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wire-install-atomic-'));
    const file = join(dir, 'secrets.yaml');
    await writeFile(file, 'old');
    const umask = process.umask(0o022);
    try {
      await writeFileAtomic(file, 'new content', { mode: 0o600 });
    } finally {
      process.umask(umask);
    }
    expect(await readFile(file, 'utf8')).toBe('new content');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['secrets.yaml']);
  });

  it('leaves neither a temporary file nor a changed target when it fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wire-install-atomic-'));
    const target = join(dir, 'inventory.yaml');
    await mkdir(target); // rename over a directory fails
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['inventory.yaml']);
    expect((await stat(target)).isDirectory()).toBe(true);
  });
});
