import { ExitCode, WireInstallError } from './errors.js';

/**
 * Filesystem conditions a user can cause (a full disk, a read-only folder, a directory where a
 * file goes) are the user's to fix, not bugs: they become a WireInstallError with the path and
 * what to do. Call sites that know more (which file, why it is written) wrap with their own
 * words through `fileSystemError`; `describeFileSystemError` is the net under everything else,
 * used by the CLI's error report so that no such error is ever called "internal error".
 */

const USER_CAUSED: Record<string, { says: string; next: (path: string) => string }> = {
  ENOSPC: {
    says: 'no space left on the device',
    next: (path) =>
      `free space on the file system that holds ${path} (df -h ${path}), then run the command again`,
  },
  EDQUOT: {
    says: 'the disk quota is exhausted',
    next: (path) => `free space within your quota on the file system of ${path}, then run the command again`,
  },
  EACCES: {
    says: 'permission denied',
    next: (path) =>
      `check the owner and mode of ${path} and its folders (ls -ld), or run as a user who may write there`,
  },
  EPERM: {
    says: 'the operation is not permitted',
    next: (path) =>
      `check the owner, mode and attributes of ${path} (ls -ld, lsattr), or run as a user who may change it`,
  },
  EROFS: {
    says: 'the file system is read-only',
    next: (path) => `use a writable folder for ${path} (remount, or run from another folder)`,
  },
  EISDIR: {
    says: 'it is a directory where a file belongs',
    next: (path) =>
      `move the directory ${path} away (wire-install never removes what it did not create), or name another file`,
  },
  ENOTDIR: {
    says: 'a part of the path is a file where a folder belongs',
    next: (path) => `check each folder of ${path} (one of them is a file), or name another path`,
  },
  ELOOP: {
    says: 'it is a symbolic link, which wire-install does not follow here',
    next: (path) => `replace the link ${path} with the file itself, or name the file the link points to`,
  },
  ENOENT: {
    says: 'it does not exist',
    next: (path) => `check the path ${path}`,
  },
  EEXIST: {
    says: 'something is already there, and wire-install makes this file new, never opening what is there',
    next: (path) => `move ${path} away (ls -l ${path} shows what it is), then run the command again`,
  },
  ENXIO: {
    says: 'it is a named pipe or device with nothing behind it, where wire-install writes a file',
    next: (path) => `move ${path} away (ls -l ${path} shows what it is), then run the command again`,
  },
  EMFILE: {
    says: 'too many open files',
    next: () => 'raise the open-file limit (ulimit -n) or lower --concurrency, then run the command again',
  },
  EBUSY: {
    says: 'it is busy (a mount point or a file another program holds)',
    next: (path) => `check what uses ${path} (findmnt, fuser), or name another path`,
  },
};

interface NodeFsError {
  code?: string;
  path?: string;
  syscall?: string;
}

/**
 * The error as WireInstallError when it is a filesystem condition the user can fix, with the
 * path and the operation; undefined for anything else (those stay internal errors).
 * `doing` says what wire-install was doing ("writing the run state"), when the caller knows.
 */
export function fileSystemError(error: unknown, path?: string, doing?: string): WireInstallError | undefined {
  if (error instanceof WireInstallError) return error;
  const { code, path: errorPath, syscall } = (error ?? {}) as NodeFsError;
  const known = code ? USER_CAUSED[code] : undefined;
  const where = path ?? errorPath;
  if (!known || !where) return undefined;
  const action = doing ?? (syscall ? `${syscall}` : 'using');
  return new WireInstallError(
    {
      what: `${where}: ${action} failed: ${known.says} (${code})`,
      next: known.next(where),
      exitCode: ExitCode.failed,
    },
    { cause: error },
  );
}

/** What to do about a condition (an errno code) at a path, in the words every message uses. */
export function nextStepFor(code: keyof typeof USER_CAUSED, path: string): string {
  return USER_CAUSED[code]?.next(path) ?? `check ${path}`;
}

/** For the error report: a user-caused filesystem error described, or undefined. */
export function describeFileSystemError(error: unknown): WireInstallError | undefined {
  return error instanceof WireInstallError ? undefined : fileSystemError(error);
}
