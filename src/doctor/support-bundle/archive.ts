import { access, constants, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { inputError } from '../../core/errors.js';

/**
 * How a support bundle reaches the disk: its files are written into a private folder (0700,
 * files 0600) under the system's temp dir, packed with the system's `tar czf`, and the archive
 * is written to FILE atomically with mode 0600 (temp file beside it, then rename): FILE is
 * either the whole bundle or untouched. The private folder is removed whatever happens.
 */

const unwritable = (file: string, why: string) =>
  inputError({
    what: `the support bundle cannot be written to ${file}: ${why}`,
    next: 'name a file in a folder you can write to, e.g. --support-bundle ./support.tar.gz',
  });

/** Refuses a FILE that cannot be written before anything is collected (bad input, exit 2). */
export async function checkDestination(file: string): Promise<string> {
  const path = resolve(file);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw unwritable(path, 'it is a folder');
  const dir = dirname(path);
  const folder = await stat(dir).catch(() => undefined);
  if (!folder?.isDirectory()) throw unwritable(path, `the folder ${dir} does not exist`);
  try {
    await access(dir, constants.W_OK);
  } catch {
    throw unwritable(path, `the folder ${dir} is not writable`);
  }
  if (existing)
    try {
      await access(path, constants.W_OK);
    } catch {
      throw unwritable(path, 'the file exists and is not writable');
    }
  return path;
}

/** A host, pod or namespace name as one path segment inside the archive. */
export const safeName = (text: string): string => text.replace(/[^A-Za-z0-9._-]/g, '_');

export interface BundleFile {
  /** Path inside the bundle's top folder (already safe: no `..`, no leading `/`). */
  name: string;
  text: string;
}

/** Writes the files under `<top>/`, packs them, and writes the archive to `path`; returns its size in bytes. */
export async function writeArchive(path: string, top: string, files: readonly BundleFile[]): Promise<number> {
  const work = await mkdtemp(join(tmpdir(), 'wire-install-support-'));
  try {
    for (const file of files) {
      const target = join(work, top, file.name);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(target, file.text, { mode: 0o600 });
    }
    const archive = join(work, 'bundle.tar.gz');
    const tar = await execa('tar', ['czf', archive, '-C', work, top], { reject: false });
    if (tar.exitCode !== 0) throw new Error(`tar czf exited ${tar.exitCode}: ${String(tar.stderr).trim()}`);
    const data = await readFile(archive);
    try {
      await writeFileAtomic(path, data, { mode: 0o600 });
    } catch (error) {
      throw unwritable(path, (error as Error).message);
    }
    return data.length;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
