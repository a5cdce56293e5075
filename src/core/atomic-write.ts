import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileSystemError } from './fs-errors.js';
import { makeDirectory, regularFileOrMissing } from './safe-file.js';

export interface AtomicWriteOptions {
  /** File mode, e.g. 0o600 for secrets. Applied before the data is written. */
  mode?: number;
  /** What the file is, for messages ("the secrets file"); defaults to "the file written". */
  role?: string;
  /**
   * The owner to give the new file (the owner of the file it replaces, e.g. an operator's
   * secrets.yaml rewritten by root): set on the temporary file's descriptor before the rename,
   * so no path is ever chown-ed (a path may be swapped for a link in between).
   */
  owner?: { uid: number; gid: number };
}

/**
 * Writes a file so that readers see either the old content or the new, never a part:
 * the data goes to a temporary file in the same directory, is flushed with fsync,
 * then renamed over the target. On any error the temporary file is removed.
 *
 * Every file wire-install writes goes through here, so this is where it refuses to replace
 * what it did not create: the target must be missing or a regular file. rename() would replace
 * a symbolic link, a device node or a FIFO with a regular file (never through it, but the
 * link, the device, the pipe would be gone), so those are refused before anything is written,
 * and checked again right before the rename. A failure the user can fix (a full disk, a
 * read-only folder) names the target, never the temporary file.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const role = options.role ?? 'the file written';
  await regularFileOrMissing(path, role);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const mode = options.mode ?? 0o644;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let created = false;
  try {
    await makeDirectory(dir, `the folder of ${role}`, 0o755);
    handle = await open(tmp, 'wx', mode);
    created = true;
    // open() honours the umask; chmod makes the mode exact (0600 must stay 0600).
    await handle.chmod(mode);
    if (options.owner) await handle.chown(options.owner.uid, options.owner.gid);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await regularFileOrMissing(path, role);
    await rename(tmp, path);
    await syncDirectory(dir);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    if (created) await rm(tmp, { force: true }).catch(() => undefined);
    throw fileSystemError(error, path, `writing ${role}`) ?? error;
  }
}

/** fsync the directory so the rename itself survives a crash; not all filesystems allow it. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}
