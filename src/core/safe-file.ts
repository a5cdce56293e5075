import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { lstat, mkdir, open, stat } from 'node:fs/promises';
import { inputError, type WireInstallError } from './errors.js';
import { fileSystemError, nextStepFor } from './fs-errors.js';

/**
 * wire-install runs as root, so a path it is told to write or rewrite may be a link to
 * /etc/shadow, a device node or a directory. It must never follow, chmod or replace what it did
 * not create: every file it writes or rewrites is first checked to be missing or a regular file
 * (lstat, never stat), and a file it may rewrite is read through O_NOFOLLOW and checked again
 * on the open descriptor, so what is read is what was checked.
 */

/** What is at a path, in words for a message. */
export function describeKind(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device node';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function nextFor(path: string, stats: Stats): string {
  if (stats.isSymbolicLink())
    return `name the file itself instead of the link (readlink -f ${path}), or move the link away`;
  if (stats.isDirectory()) return nextStepFor('EISDIR', path);
  return `name a regular file (${path} is left as it is)`;
}

/** The refusal: exit 2, the path, what is there, and that nothing was changed. */
export function notRegularFile(path: string, stats: Stats, role: string): WireInstallError {
  return inputError({
    what: `${path} (${role}) is ${describeKind(stats)}, not a regular file: wire-install does not follow, change or replace it, and nothing was changed there`,
    next: nextFor(path, stats),
  });
}

/**
 * The path's lstat when it is a regular file, undefined when nothing is there; throws the
 * refusal for anything else (a link, a directory, a device, a FIFO, a socket).
 */
export async function regularFileOrMissing(path: string, role: string): Promise<Stats | undefined> {
  let stats: Stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileSystemError(error, path, `checking ${role}`) ?? error;
  }
  if (!stats.isFile()) throw notRegularFile(path, stats, role);
  return stats;
}

async function statOrMissing(path: string, role: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileSystemError(error, path, `checking ${role}`) ?? error;
  }
}

export interface ReadOptions {
  /** "the secrets file": names the file in messages. */
  role: string;
  /** Refuse a larger file before reading it (bad input, with the size measured). */
  maxBytes: number;
  /**
   * Read through a symbolic link (a file only read, never rewritten or chmod-ed through the
   * link, e.g. secrets kept on another mount). What is read must still be a regular file.
   */
  followLink?: boolean;
}

export interface RegularFileText {
  text: string;
  /** The stats of the descriptor that was read (for chmodOwnFile). */
  stats: Stats;
}

/**
 * A regular file's text, or undefined when the path does not exist. Refuses a link, a directory,
 * a device or a FIFO without opening it (opening a device or a FIFO can block or act), and a file
 * above `maxBytes` without reading it.
 */
export async function readRegularFile(
  path: string,
  options: ReadOptions,
): Promise<RegularFileText | undefined> {
  const before = await (options.followLink
    ? statOrMissing(path, options.role)
    : regularFileOrMissing(path, options.role));
  if (!before) return undefined;
  if (!before.isFile()) throw notRegularFile(path, before, options.role);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NOFOLLOW: a link swapped in since the lstat fails (ELOOP) instead of being followed.
    // O_NONBLOCK: a FIFO swapped in since does not hang the open.
    const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.followLink ? 0 : constants.O_NOFOLLOW);
    handle = await open(path, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileSystemError(error, path, `reading ${options.role}`) ?? error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.ino !== before.ino || stats.dev !== before.dev)
      throw notRegularFile(path, stats, options.role);
    if (stats.size > options.maxBytes) throw tooLarge(path, options.role, stats.size, options.maxBytes);
    const text = await handle.readFile('utf8');
    // The size can grow between fstat and read (a file being written): the limit holds anyway.
    if (Buffer.byteLength(text) > options.maxBytes)
      throw tooLarge(path, options.role, Buffer.byteLength(text), options.maxBytes);
    return { text, stats };
  } catch (error) {
    throw fileSystemError(error, path, `reading ${options.role}`) ?? error;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

export function tooLarge(path: string, role: string, size: number, maxBytes: number): WireInstallError {
  return inputError({
    what: `${path} (${role}) is ${size} bytes; the limit is ${maxBytes} bytes, so it is not read`,
    next: `check that ${path} is the right file (a real one is far smaller)`,
  });
}

/**
 * chmod through a descriptor opened without following links, and only when it is still the very
 * file that was read and checked (same device and inode): never by path, which could have been
 * swapped for a link to something else since.
 */
export async function chmodOwnFile(path: string, expected: Stats, mode: number): Promise<void> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.ino !== expected.ino || stats.dev !== expected.dev)
      throw notRegularFile(path, stats, 'the file to set private');
    await handle.chmod(mode);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * mkdir -p with a message the user can act on. Node's recursive mkdir reports a read-only or
 * unwritable parent as ENOENT ("does not exist"), which misleads: the last folder is made once
 * more without recursion to learn the real reason (EROFS, EACCES).
 */
export async function makeDirectory(path: string, role: string, mode = 0o700): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode });
  } catch (error) {
    let real = error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      await mkdir(path, { mode }).catch((again) => {
        real = again;
      });
    throw fileSystemError(real, path, `making ${role}`) ?? real;
  }
}
