import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSystemError } from '../../../src/core/fs-errors.js';
import { DebugLog } from '../../../src/engine/debug-log.js';
import { localHost } from '../../../src/hosts/local-host.js';

/** The debug log: commands and failures of a run, private, without the secrets it was given. */
describe('the debug log', () => {
  it('is 0600 and never holds a secret, not even the start of one cut at the line limit', async () => {
    const secret = 'Zq81vXp0LmN4rT7uWb2y';
    const path = join(mkdtempSync(join(tmpdir(), 'wil-debug-log-')), 'logs', 'run.log');
    const log = new DebugLog(path, [secret]);
    const host = log.wrap(localHost());
    // The secret straddles the 2000-character cut of a long command line.
    await host.exec(`: ${'x'.repeat(1990)}${secret} && echo "${secret}" >&2 && exit 3`);
    log.close();
    const text = readFileSync(path, 'utf8');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(text).toContain('exit=3');
    expect(text).toContain('stderr:');
    for (let length = 6; length <= secret.length; length += 1)
      expect(text).not.toContain(secret.slice(0, length));
  });

  it('refuses a link planted at its name (ELOOP, reported with the path) and writes nothing through it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-debug-log-link-'));
    const target = join(dir, 'not-ours');
    writeFileSync(target, 'untouched\n', { mode: 0o644 });
    const path = join(dir, 'run.log');
    symlinkSync(target, path);
    const error = (() => {
      try {
        new DebugLog(path, []).close();
      } catch (caught) {
        return caught;
      }
    })();
    expect(fileSystemError(error)?.what).toContain(`${path}`);
    expect(fileSystemError(error)?.what).toContain('ELOOP');
    expect(readFileSync(target, 'utf8')).toBe('untouched\n');
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });

  it('a named pipe planted at its name fails at once with the path (it would block the run forever)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-debug-log-fifo-'));
    const path = join(dir, 'run.log');
    execFileSync('mkfifo', [path]);
    const error = (() => {
      try {
        new DebugLog(path, []).close();
      } catch (caught) {
        return caught;
      }
    })();
    expect(fileSystemError(error)?.what).toBe(
      `${path}: open failed: it is a named pipe or device with nothing behind it, where wire-install writes a file (ENXIO)`,
    );
  });

  it('stops at a full disk (/dev/full: a real ENOSPC) with one report, never throwing into the run', () => {
    const stops: string[] = [];
    const log = new DebugLog('/dev/full', [], (error) => stops.push(`${error.what} | ${error.next}`));
    log.write('one');
    log.write('two');
    log.close();
    expect(stops).toEqual([
      '/dev/full: writing the debug log failed: no space left on the device (ENOSPC) | free space on the file system that holds /dev/full (df -h /dev/full), then run the command again',
    ]);
  });
});
