import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ExitCode } from '../../../src/core/errors.js';
import { fileSystemError } from '../../../src/core/fs-errors.js';
import { createOutput } from '../../../src/core/output.js';
import { reportError } from '../../../src/core/report-error.js';

const dir = mkdtempSync(join(tmpdir(), 'wil-fserr-'));

function captured() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const output = createOutput({ color: false, stdout: sink, stderr: sink });
  return { lines, output };
}

describe('filesystem errors a user can cause', () => {
  it('a directory where a file goes: the path, the condition and what to do, exit 1, never "internal error"', async () => {
    const path = join(dir, 'is-a-dir');
    mkdirSync(path);
    const error = await writeFile(path, 'x').catch((e: unknown) => e);
    const { lines, output } = captured();
    expect(reportError(error, output)).toBe(ExitCode.failed);
    const text = lines.join('\n');
    expect(text).toContain(path);
    expect(text).toContain('EISDIR');
    expect(text).toContain('move the directory');
    expect(text).not.toContain('internal error');
  });

  it('a file where a folder belongs (ENOTDIR) names the path', async () => {
    const file = join(dir, 'plain');
    writeFileSync(file, '');
    const error = await mkdir(join(file, 'sub'), { recursive: true }).catch((e: unknown) => e);
    expect(fileSystemError(error)?.what).toMatch(/plain.*(ENOTDIR|EEXIST)|ENOTDIR/);
  });

  it('ENOSPC and EROFS say what to do with the named path; the caller can say what it was doing', () => {
    const full = fileSystemError(
      Object.assign(new Error('x'), { code: 'ENOSPC', path: '/srv/w/.wire-install/state.json' }),
      undefined,
      'writing the run state',
    );
    expect(full?.what).toBe(
      '/srv/w/.wire-install/state.json: writing the run state failed: no space left on the device (ENOSPC)',
    );
    expect(full?.next).toContain('df -h');
    const readOnly = fileSystemError(
      Object.assign(new Error('x'), { code: 'EROFS', syscall: 'open' }),
      '/mnt/ro/inventory.yaml',
    );
    expect(readOnly?.what).toContain('/mnt/ro/inventory.yaml: open failed: the file system is read-only');
  });

  it('anything else stays an internal error', () => {
    expect(fileSystemError(new TypeError('x is undefined'))).toBeUndefined();
    expect(fileSystemError(Object.assign(new Error('x'), { code: 'ENOSPC' }))).toBeUndefined();
  });
});
